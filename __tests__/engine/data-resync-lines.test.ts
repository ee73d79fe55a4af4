import { memorySource, syncData, type EngineName } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

/**
 * A re-sync of a plain CSV file (one record per line) compares each line with the server's own CSV
 * text of its row and sends only the lines that differ. Equal text must mean equal values, and
 * every line that is not equal must reach the server's comparison: these cases differ from the
 * stored row in ways a lax comparison (case, spaces, NULL / empty, another spelling) would miss.
 */
describe.each(ENGINES)("re-syncing a plain CSV file by lines on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query(
      engine === "postgres"
        ? "CREATE TABLE thing (id int PRIMARY KEY, name varchar(50), price numeric(10,2), active boolean, note text)"
        : // Case-insensitive and PAD SPACE: 'Ann' = 'ANN' and 'Cy' = 'Cy ' for the server's own comparison.
          "CREATE TABLE thing (id int PRIMARY KEY, name varchar(50), price decimal(10,2), active tinyint(1), note text) COLLATE utf8mb4_general_ci",
    );
  });
  afterEach(async () => {
    await db.drop();
  });
  const sync = (csv: string) => syncData({ engine, connection: db.url, source: memorySource({ "thing.csv": csv }), prune: true, allowMassPrune: true });
  const counts = async (csv: string) => {
    const t = (await sync(csv)).tables[0]!;
    return [t.inserted, t.updated, t.unchanged, t.deleted];
  };
  const stored = async () =>
    (await db.query("SELECT id, name, price, note FROM thing ORDER BY id")).map((r) => [Number(r.id), r.name, r.price === null ? null : Number(r.price), r.note]);
  const HEADER = "id,name,price,active,note\n";
  const FIRST = `${HEADER}1,Ann,1.50,1,plain\n2,Bob,,0,\n3,Cy,3.00,1,x\n4,Di,0.00,0,"a, ""b"""\n`;

  test("a line that differs only by case, a trailing space or an empty string for NULL is an update, and is stored", async () => {
    // GIVEN the table synced from the file
    expect(await counts(FIRST)).toEqual([4, 0, 0, 0]);
    // WHEN the same file comes again THEN nothing changes
    expect(await counts(FIRST)).toEqual([0, 0, 4, 0]);
    // WHEN one line changes case, one gets an empty string for a NULL, one a trailing space
    const changed = `${HEADER}1,ANN,1.50,1,plain\n2,Bob,,0,""\n3,Cy ,3.00,1,x\n4,Di,0.00,0,"a, ""b"""\n`;
    // THEN those three are updated and stored as written
    expect(await counts(changed)).toEqual([0, 3, 1, 0]);
    expect(await stored()).toEqual([
      [1, "ANN", 1.5, "plain"],
      [2, "Bob", null, ""],
      [3, "Cy ", 3, "x"],
      [4, "Di", 0, 'a, "b"'],
    ]);
    // AND an empty string that becomes NULL again is an update too
    expect(await counts(FIRST)).toEqual([0, 3, 1, 0]);
    expect((await stored())[1]).toEqual([2, "Bob", null, null]);
  });

  test("-0 for 0 is the same number, but another text in a text column", async () => {
    await sync(`${HEADER}1,0,0.00,0,n\n`);
    // numeric -0 is 0: other text, same value
    expect(await counts(`${HEADER}1,0,-0,0,n\n`)).toEqual([0, 0, 1, 0]);
    // the name "-0" is not the name "0"
    expect(await counts(`${HEADER}1,-0,-0,0,n\n`)).toEqual([0, 1, 0, 0]);
    expect((await stored())[0]).toEqual([1, "-0", 0, "n"]);
  });

  test("a changed line beside an unchanged one, new lines and missing rows", async () => {
    await sync(FIRST);
    const next = `${HEADER}1,Ann,1.50,1,plain\n3,Cy,3.50,1,x\n5,Ed,5.00,1,new\n`;
    expect(await counts(next)).toEqual([1, 1, 1, 2]);
    expect(await stored()).toEqual([
      [1, "Ann", 1.5, "plain"],
      [3, "Cy", 3.5, "x"],
      [5, "Ed", 5, "new"],
    ]);
  });

  test("a Windows checkout (CRLF) and a file without a final line break compare as the same lines", async () => {
    await sync(FIRST);
    expect(await counts(FIRST.replace(/\n/g, "\r\n"))).toEqual([0, 0, 4, 0]);
    expect(await counts(FIRST.slice(0, -1))).toEqual([0, 0, 4, 0]);
    expect(await counts(FIRST.replace("1,Ann", "1,Anna").replace(/\n/g, "\r\n").slice(0, -2))).toEqual([0, 1, 3, 0]);
    expect((await stored())[0]).toEqual([1, "Anna", 1.5, "plain"]);
  });

  describe("a key that appears twice is refused, naming both rows, and nothing is written", () => {
    const expectRefused = async (csv: string, rows: RegExp) => {
      await sync(FIRST);
      await expect(sync(csv)).rejects.toThrow(rows);
      expect(await stored()).toEqual([
        [1, "Ann", 1.5, "plain"],
        [2, "Bob", null, null],
        [3, "Cy", 3, "x"],
        [4, "Di", 0, 'a, "b"'],
      ]);
    };
    test("two lines equal to the stored row", async () => {
      await expectRefused(`${FIRST}1,Ann,1.50,1,plain\n5,Ed,5.00,1,new\n`, /thing\.csv line 2 \(row 1\) has the same primary key \(id\) as line 6 \(row 5\)/);
    });
    test("a line equal to the stored row and a changed line with the same key", async () => {
      await expectRefused(`${FIRST}1,Anne,1.50,1,plain\n`, /thing\.csv line 2 \(row 1\) has the same primary key \(id\) as line 6 \(row 5\)/);
    });
    test("two equal lines out of the table's order", async () => {
      const rows = FIRST.slice(HEADER.length).split("\n").filter(Boolean);
      await expectRefused(`${HEADER}${[...rows].reverse().join("\n")}\n${rows[0]}\n`, /thing\.csv line 5 \(row 4\) has the same primary key \(id\) as line 6 \(row 5\)/);
    });
    test("a line equal to the stored row and a changed line with the same key, out of the table's order", async () => {
      const rows = FIRST.slice(HEADER.length).split("\n").filter(Boolean);
      await expectRefused(`${HEADER}${[...rows].reverse().join("\n")}\n1,Anne,1.50,1,plain\n`, /thing\.csv line 5 \(row 4\) has the same primary key \(id\) as line 6 \(row 5\)/);
    });
    test("two changed lines with the key of a stored row, and two new lines with one key", async () => {
      await expectRefused(FIRST.replace("2,Bob,,0,\n", "2,Bo,,0,\n2,B,,0,\n"), /thing\.csv line 3 \(row 2\) has the same primary key \(id\) as line 4 \(row 3\)/);
      await expectRefused(`${FIRST}7,G,,0,\n7,H,,0,\n`, /thing\.csv line 6 \(row 5\) has the same primary key \(id\) as line 7 \(row 6\)/);
    });
    test("the same key spelled another way (01 for 1) beside the stored row", async () => {
      await expectRefused(`${HEADER}01,Ann,1.50,1,changed\n${FIRST.slice(HEADER.length)}`, /thing\.csv line 2 \(row 1\) has the same primary key \(id\) as line 3 \(row 2\)/);
    });
  });
});

test("PostgreSQL: booleans are compared in the file's spelling, and a changed flag is an update", async () => {
  const db = await createTestDatabase("postgres");
  try {
    await db.query("CREATE TABLE flag (id int PRIMARY KEY, on_air boolean)");
    const run = async (csv: string) => (await syncData({ engine: "postgres", connection: db.url, source: memorySource({ "flag.csv": csv }) })).tables[0]!;
    await run("id,on_air\n1,true\n2,false\n3,\n");
    // other spellings of the same values are unchanged
    expect(await run("id,on_air\n1,true\n2,f\n3,\n")).toMatchObject({ updated: 0, unchanged: 3 });
    // false -> true and NULL -> false are changes
    expect(await run("id,on_air\n1,true\n2,true\n3,false\n")).toMatchObject({ updated: 2, unchanged: 1 });
    const rows = await db.query("SELECT id, on_air FROM flag ORDER BY id");
    expect(rows.map((r) => r.on_air)).toEqual([true, true, false]);
  } finally {
    await db.drop();
  }
});

test("MySQL: a key the file spells in another case (case-insensitive collation) is the same row, not pruned", async () => {
  const db = await createTestDatabase("mysql");
  try {
    await db.query("CREATE TABLE label (code varchar(20) PRIMARY KEY, name varchar(20)) COLLATE utf8mb4_general_ci");
    const run = async (csv: string) =>
      (await syncData({ engine: "mysql", connection: db.url, source: memorySource({ "label.csv": csv }), prune: true, allowMassPrune: true })).tables[0]!;
    await run("code,name\nabc,one\nxyz,two\n");
    expect(await run("code,name\nABC,uno\nxyz,two\n")).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, deleted: 0 });
    const rows = await db.query("SELECT code, name FROM label ORDER BY code");
    expect(rows.map((r) => [r.code, r.name])).toEqual([
      ["abc", "uno"],
      ["xyz", "two"],
    ]);
  } finally {
    await db.drop();
  }
});
