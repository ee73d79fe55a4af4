import { memorySource, syncData, type EngineName } from "../../engine";
import { parseJsonData } from "../../engine/data-files";
import { isExact, JsonNumber, parseJsonText, stringifyJson } from "../../engine/json-text";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

const BIG_KEY = "9007199254740993"; // 2^53 + 1: the nearest double is 2^53
const LONG_DECIMAL = "0.1000000000000000055511151231257827"; // the nearest double prints as 0.1

describe("JSON numbers are read without loss", () => {
  test("a number a double holds exactly is a number; any other keeps its digits", () => {
    const value = parseJsonText(`[1, -0, 1.50, 15e-1, 1e21, ${BIG_KEY}, ${LONG_DECIMAL}, 1e400, 123456789012345678901234567890]`);
    expect(value).toEqual([1, -0, 1.5, 1.5, 1e21, new JsonNumber(BIG_KEY), new JsonNumber(LONG_DECIMAL), new JsonNumber("1e400"), new JsonNumber("123456789012345678901234567890")]);
    expect(isExact("9007199254740992", 9007199254740992)).toBe(true);
    expect(isExact(BIG_KEY, Number(BIG_KEY))).toBe(false);
  });

  test("everything else reads as JSON.parse reads it", () => {
    const text = '[{"a": "x\\u00e9\\n\\"", "b": [true, false, null, {}], "__proto__": {"c": 1}}]';
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
    expect(Object.getPrototypeOf((parseJsonText(text) as object[])[0])).toBe(Object.prototype);
  });

  test("a data file holds such numbers as JsonNumber; stringifyJson writes them back as numbers", () => {
    const file = parseJsonData("t.json", `[{"id": ${BIG_KEY}, "doc": {"n": ${BIG_KEY}, "list": [1, "${BIG_KEY}"], "nul": "\\u0000x"}}]`);
    expect(file.rows[0]!.values[0]).toEqual(new JsonNumber(BIG_KEY));
    expect(stringifyJson(file.rows[0]!.values[1])).toBe(`{"n":${BIG_KEY},"list":[1,"${BIG_KEY}"],"nul":"\\u0000x"}`);
    expect(stringifyJson({ a: 1 })).toBe('{"a":1}');
  });
});

describe.each(ENGINES)("JSON numbers beyond double precision on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query(
      engine === "postgres"
        ? "CREATE TABLE measure (id bigint PRIMARY KEY, amount numeric(40,34), doc jsonb)"
        : "CREATE TABLE measure (id bigint PRIMARY KEY, amount decimal(40,34), doc json)",
    );
  });
  afterEach(async () => {
    await db.drop();
  });
  const sync = (json: string) => syncData({ engine, connection: db.url, source: memorySource({ "measure.json": json }) });
  const file = (amount: string) => `[{"id": ${BIG_KEY}, "amount": ${amount}, "doc": {"n": ${BIG_KEY}}}, {"id": 1, "amount": 1.5, "doc": null}]`;
  const stored = async () =>
    db.query(
      engine === "postgres"
        ? "SELECT id::text AS id, amount::text AS amount, doc::text AS doc FROM measure ORDER BY id"
        : "SELECT CAST(id AS CHAR) AS id, CAST(amount AS CHAR) AS amount, CAST(doc AS CHAR) AS doc FROM measure ORDER BY id",
    );

  test("64-bit keys and long decimals are stored exactly, and a change in the last digit is an update", async () => {
    // WHEN
    const first = await sync(file(LONG_DECIMAL));
    // THEN
    expect(first.tables[0]).toMatchObject({ inserted: 2, updated: 0 });
    const rows = await stored();
    expect(rows.map((r) => r.id)).toEqual(["1", BIG_KEY]);
    expect(rows[1]!.amount).toBe(LONG_DECIMAL);
    expect(String(rows[1]!.doc).replace(/\s/g, "")).toBe(`{"n":${BIG_KEY}}`);
    // A second run of the same file changes nothing
    expect((await sync(file(LONG_DECIMAL))).tables[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
    // A change beyond double precision is seen and stored
    const changed = "0.1000000000000000055511151231257828";
    expect((await sync(file(changed))).tables[0]).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    expect((await stored())[1]!.amount).toBe(changed);
  });

  test("a number the column cannot hold is refused naming the file, row and column", async () => {
    await expect(sync(`[{"id": 2, "amount": 1e400}]`)).rejects.toThrow(/^measure.json row 1, column "amount": /);
  });
});
