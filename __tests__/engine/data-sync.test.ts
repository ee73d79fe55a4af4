import { memorySource, syncData, type DataSyncOptions } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

const SCHEMA = [
  "CREATE TABLE region (id int PRIMARY KEY, name varchar(50) NOT NULL)",
  `CREATE TABLE country (
     code varchar(2) PRIMARY KEY,
     name varchar(100) NOT NULL,
     region_id int NOT NULL,
     population bigint,
     CONSTRAINT country_population_check CHECK (population >= 0),
     CONSTRAINT country_region_fk FOREIGN KEY (region_id) REFERENCES region (id))`,
  "CREATE TABLE setting (name varchar(50) PRIMARY KEY, value varchar(200), doc json)",
];

const REGIONS = "id,name\n1,Europe\n2,Asia\n";
const COUNTRIES = "code,name,region_id,population\nFR,France,1,68000000\nDE,Germany,1,84000000\nJP,Japan,2,125000000\n";

describe.each(ENGINES)("data sync on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    for (const sql of SCHEMA) await db.query(sql);
  });
  afterEach(async () => {
    await db.drop();
  });

  const sync = (files: Record<string, string>, extra: Partial<DataSyncOptions> = {}) =>
    syncData({ engine, connection: db.url, source: memorySource(files), ...extra });
  const countries = async () => (await db.query("SELECT code, name, region_id, population FROM country ORDER BY code")).map((r) => ({
      code: String(r.code),
      name: String(r.name),
      region_id: Number(r.region_id),
      population: r.population === null ? null : Number(r.population),
    }));
  const counts = (result: Awaited<ReturnType<typeof syncData>>) =>
    Object.fromEntries(result.tables.map((t) => [t.table, [t.inserted, t.updated, t.unchanged, t.deleted]]));

  test("first sync inserts every row, parents before children", async () => {
    const result = await sync({ "country.csv": COUNTRIES, "region.csv": REGIONS });
    expect(result.tables.map((t) => t.table)).toEqual(["region", "country"]);
    expect(counts(result)).toEqual({ region: [2, 0, 0, 0], country: [3, 0, 0, 0] });
    expect(await countries()).toEqual([
      { code: "DE", name: "Germany", region_id: 1, population: 84000000 },
      { code: "FR", name: "France", region_id: 1, population: 68000000 },
      { code: "JP", name: "Japan", region_id: 2, population: 125000000 },
    ]);
  });

  test("counts inserted, updated, unchanged and, with prune, deleted rows", async () => {
    await sync({ "country.csv": COUNTRIES, "region.csv": REGIONS });
    // GIVEN France renamed, Germany unchanged, Japan gone, Italy new
    const next = "code,name,region_id,population\nFR,French Republic,1,68000000\nDE,Germany,1,84000000\nIT,Italy,1,59000000\n";
    // WHEN
    const result = await sync({ "country.csv": next, "region.csv": REGIONS }, { prune: true });
    // THEN
    expect(counts(result)).toEqual({ region: [0, 0, 2, 0], country: [1, 1, 1, 1] });
    expect((await countries()).map((c) => c.code)).toEqual(["DE", "FR", "IT"]);
    expect((await countries()).find((c) => c.code === "FR")!.name).toBe("French Republic");
  });

  test("without prune, rows missing from the file are kept", async () => {
    await sync({ "country.csv": COUNTRIES, "region.csv": REGIONS });
    const result = await sync({ "country.csv": "code,name,region_id,population\nFR,France,1,68000000\n" });
    expect(counts(result)).toEqual({ country: [0, 0, 1, 0] });
    expect(await countries()).toHaveLength(3);
  });

  test("a change of letter case is an update, whatever the collation", async () => {
    await sync({ "region.csv": REGIONS });
    const result = await sync({ "region.csv": "id,name\n1,EUROPE\n2,Asia\n" });
    expect(counts(result)).toEqual({ region: [0, 1, 1, 0] });
  });

  test("pruning deletes children before parents", async () => {
    await sync({ "country.csv": COUNTRIES, "region.csv": REGIONS });
    const result = await sync({ "region.csv": "id,name\n1,Europe\n", "country.csv": "code,name,region_id,population\nFR,France,1,68000000\n" }, { prune: true, allowMassPrune: true });
    expect(counts(result)).toEqual({ region: [0, 0, 1, 1], country: [0, 0, 1, 2] });
    expect(await db.query("SELECT id FROM region")).toEqual([{ id: 1 }]);
  });

  test("dry run reports the counts and changes nothing", async () => {
    await sync({ "region.csv": REGIONS });
    const result = await sync({ "region.csv": "id,name\n1,Europa\n3,Africa\n" }, { dryRun: true, prune: true });
    expect(result.dryRun).toBe(true);
    expect(counts(result)).toEqual({ region: [1, 1, 0, 1] });
    expect(await db.query("SELECT id, name FROM region ORDER BY id")).toEqual([
      { id: 1, name: "Europe" },
      { id: 2, name: "Asia" },
    ]);
  });

  test("JSON files: numbers, NULLs, empty strings and JSON documents are stored as given", async () => {
    const settings = JSON.stringify([
      { name: "a", value: "", doc: { retries: 3, hosts: ["x", "y"] } },
      { name: "b", value: null },
    ]);
    await sync({ "setting.json": settings });
    const rows = await db.query("SELECT name, value, doc FROM setting ORDER BY name");
    expect(rows.map((r) => [r.name, r.value, r.doc === null ? null : typeof r.doc === "string" ? JSON.parse(r.doc) : r.doc])).toEqual([
      ["a", "", { retries: 3, hosts: ["x", "y"] }],
      ["b", null, null],
    ]);
    expect(counts(await sync({ "setting.json": settings }))).toEqual({ setting: [0, 0, 2, 0] });
  });

  test("CSV files: an empty field is NULL, a quoted empty field is an empty string, quoted JSON is a document", async () => {
    await sync({ "setting.csv": 'name,value,doc\na,,"{""k"": 1}"\nb,"",\nc,"x, ""y""\nz",\n' });
    const rows = await db.query("SELECT name, value, doc FROM setting ORDER BY name");
    expect(rows.map((r) => [r.name, r.value, r.doc === null ? null : typeof r.doc === "string" ? JSON.parse(r.doc) : r.doc])).toEqual([
      ["a", null, { k: 1 }],
      ["b", "", null],
      ["c", 'x, "y"\nz', null],
    ]);
  });

  test("CSV files with CRLF line endings or blank lines give the same rows", async () => {
    const plain = 'name,value\r\na,"x\r\ny"\r\nb,\r\nc,""\r\n';
    const blank = 'name,value\n\na,"x\r\ny"\n\nb,\nc,""\n';
    const stored = async () => (await db.query("SELECT name, value FROM setting ORDER BY name")).map((r) => [r.name, r.value]);
    expect(counts(await sync({ "setting.csv": plain }))).toEqual({ setting: [3, 0, 0, 0] });
    expect(await stored()).toEqual([["a", "x\r\ny"], ["b", null], ["c", ""]]);
    await db.query("DELETE FROM setting");
    expect(counts(await sync({ "setting.csv": blank }))).toEqual({ setting: [3, 0, 0, 0] });
    expect(await stored()).toEqual([["a", "x\r\ny"], ["b", null], ["c", ""]]);
  });

  test("a file naming an unknown table changes nothing and names the file", async () => {
    await expect(sync({ "region.csv": REGIONS, "planet.csv": "id\n1\n" })).rejects.toMatchObject({
      code: "UNKNOWN_TABLE",
      message: expect.stringMatching(/^planet.csv: table "planet" does not exist/),
    });
    expect(await db.query("SELECT id FROM region")).toEqual([]);
  });

  test("an unknown column is refused, naming the file, the row and the column", async () => {
    await expect(sync({ "region.csv": "id,name,colour\n1,Europe,blue\n" })).rejects.toThrow(/^region.csv line 1, column "colour": table region has no such column/);
    await expect(sync({ "region.json": '[{"id":1,"name":"Europe"},{"id":2,"name":"Asia","colour":"red"}]' })).rejects.toThrow(
      /^region.json row 2, column "colour": table region has no such column/,
    );
  });

  test("a NOT NULL violation names the row as the user sees it and the column; nothing is written", async () => {
    const bad = "code,name,region_id,population\nFR,France,1,1\nDE,Germany,1,2\nXX,,1,3\n";
    await expect(sync({ "region.csv": REGIONS, "country.csv": bad })).rejects.toMatchObject({
      code: "DATA_SYNC_FAILED",
      message: expect.stringMatching(/^country.csv line 4 \(row 3\), column "name": .*null/i),
    });
    expect(await db.query("SELECT id FROM region")).toEqual([]);
    expect(await countries()).toEqual([]);
  });

  test("a foreign key violation names the row and column", async () => {
    const bad = JSON.stringify([
      { code: "FR", name: "France", region_id: 1 },
      { code: "MA", name: "Morocco", region_id: 99 },
    ]);
    await expect(sync({ "region.csv": REGIONS, "country.json": bad })).rejects.toThrow(/^country.json row 2, column "region_id": .*foreign key/i);
    expect(await countries()).toEqual([]);
  });

  test("a value of the wrong type names the row and column", async () => {
    const bad = "code,name,region_id,population\nFR,France,1,1\nDE,Germany,1,lots\n";
    await expect(sync({ "region.csv": REGIONS, "country.csv": bad })).rejects.toThrow(/^country.csv line 3 \(row 2\), column "population": /);
  });

  test("a check constraint violation names the row", async () => {
    const bad = "code,name,region_id,population\nFR,France,1,1\nDE,Germany,1,-5\n";
    await expect(sync({ "region.csv": REGIONS, "country.csv": bad })).rejects.toThrow(/^country.csv line 3 \(row 2\).*country_population_check/);
  });

  test("two rows with the same primary key are refused, naming both", async () => {
    await expect(sync({ "region.csv": "id,name\n1,Europe\n2,Asia\n1,Again\n" })).rejects.toThrow(
      /^region.csv line 2 \(row 1\) has the same primary key \(id\) as line 4 \(row 3\)/,
    );
  });

  test("pruning a parent that an unsynced table still references fails, names the file and changes nothing", async () => {
    await sync({ "country.csv": COUNTRIES, "region.csv": REGIONS });
    await expect(sync({ "region.csv": "id,name\n1,Europe\n3,Africa\n" }, { prune: true })).rejects.toThrow(
      /^region.csv: deleting the rows that are not in the file failed: /,
    );
    expect(await db.query("SELECT id FROM region ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test("large files are staged in batches", async () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => `${i + 1},region ${i + 1}`).join("\n");
    const result = await sync({ "region.csv": `id,name\n${rows}\n` }, { batchSize: 1000 });
    expect(counts(result)).toEqual({ region: [2500, 0, 0, 0] });
    const bad = Array.from({ length: 2_500 }, (_, i) => `${i + 1},${i === 1700 ? "" : "r"}`).join("\n");
    await expect(sync({ "region.csv": `id,name\n${bad}\n` }, { batchSize: 1000 })).rejects.toThrow(/^region.csv line 1702 \(row 1701\), column "name"/);
  });
});

// Keys that compare exactly in JavaScript (integers; PostgreSQL text and uuid) let new rows go
// straight into the table; other keys (char, MySQL's case-insensitive varchar) are matched by the
// server through a staging table. Users must not be able to tell the two apart.
describe.each(ENGINES)("data sync on %s: direct and staged loading agree", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query("CREATE TABLE rate (region_id int, year int, amount int NOT NULL CHECK (amount >= 0), PRIMARY KEY (region_id, year))");
    await db.query("CREATE TABLE currency (code char(3) PRIMARY KEY, amount int NOT NULL CHECK (amount >= 0))");
    await db.query("CREATE TABLE big (id bigint PRIMARY KEY, label varchar(20) NOT NULL)");
  });
  afterEach(async () => {
    await db.drop();
  });

  const sync = (files: Record<string, string>, extra: Partial<DataSyncOptions> = {}) =>
    syncData({ engine, connection: db.url, source: memorySource(files), ...extra });
  const counts = (result: Awaited<ReturnType<typeof syncData>>) => result.tables.map((t) => [t.table, t.inserted, t.updated, t.unchanged, t.deleted]);

  test.each([
    ["rate", "region_id,year,amount", ["1,2024", "1,2025", "2,2024", "3,2024"]],
    ["currency", "code,amount", ["EUR", "USD", "JPY", "GBP"]],
  ])("%s: new, changed, unchanged and pruned rows in one sync", async (table, header, keys) => {
    const [a, b, c, d] = keys as string[];
    await sync({ [`${table}.csv`]: `${header}\n${a},10\n${b},20\n${c},30\n` });
    // GIVEN a changed, b unchanged, c gone, d new
    const result = await sync({ [`${table}.csv`]: `${header}\n${d},40\n${a},11\n${b},20\n` }, { prune: true });
    expect(counts(result)).toEqual([[table, 1, 1, 1, 1]]);
    const rows = await db.query(`SELECT amount FROM ${table} ORDER BY amount`);
    expect(rows.map((r) => Number(r.amount))).toEqual([11, 20, 40]);
  });

  test("a table far larger than its file (left to the server to match) gets the same counts and rows", async () => {
    // GIVEN 12,000 rows in the table (more than the keys the direct path reads for a 3-row file)
    await sync({ "rate.csv": `region_id,year,amount\n${Array.from({ length: 12_000 }, (_, i) => `${i + 1},2024,${i}`).join("\n")}\n` });
    // WHEN a 3-row file changes one, keeps one and adds one, without and then with prune
    const file = "region_id,year,amount\n1,2024,100\n2,2024,1\n0,2030,5\n";
    expect(counts(await sync({ "rate.csv": file }))).toEqual([["rate", 1, 1, 1, 0]]);
    expect(counts(await sync({ "rate.csv": file }, { prune: true, allowMassPrune: true }))).toEqual([["rate", 0, 0, 3, 11_998]]);
    // THEN
    expect((await db.query("SELECT region_id, amount FROM rate ORDER BY region_id")).map((r) => [Number(r.region_id), Number(r.amount)])).toEqual([
      [0, 5],
      [1, 100],
      [2, 1],
    ]);
  });

  test("pruning thousands of rows by key deletes every one of them", async () => {
    const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${from + i},2024,1`).join("\n");
    await sync({ "rate.csv": `region_id,year,amount\n${rows(1, 3000)}\n` });
    expect(counts(await sync({ "rate.csv": `region_id,year,amount\n${rows(2501, 3000)}\n` }, { prune: true, allowMassPrune: true }))).toEqual([["rate", 0, 0, 500, 2500]]);
    expect(await db.query("SELECT min(region_id) AS lo, max(region_id) AS hi FROM rate")).toEqual([
      expect.objectContaining({ lo: 2501, hi: 3000 }),
    ]);
  });

  test("keys beyond 2^53 are matched exactly", async () => {
    const file = "id,label\n9007199254740993,odd\n9007199254740992,even\n";
    expect(counts(await sync({ "big.csv": file }))).toEqual([["big", 2, 0, 0, 0]]);
    expect(counts(await sync({ "big.csv": "id,label\n9007199254740993,odd\n" }, { prune: true }))).toEqual([["big", 0, 0, 1, 1]]);
    expect(await db.query("SELECT label FROM big")).toEqual([{ label: "odd" }]);
  });

  test.each([
    ["rate", "region_id,year,amount", "1,2024", "1,2025"],
    ["currency", "code,amount", "EUR", "USD"],
  ])("%s: a bad value in a new row or in a changed row names its line and changes nothing", async (table, header, first, second) => {
    await expect(sync({ [`${table}.csv`]: `${header}\n${first},1\n${second},-1\n` })).rejects.toThrow(
      new RegExp(`^${table}.csv line 3 \\(row 2\\).*(check|constraint)`, "i"),
    );
    expect(await db.query(`SELECT * FROM ${table}`)).toEqual([]);
    await sync({ [`${table}.csv`]: `${header}\n${first},1\n${second},2\n` });
    await expect(sync({ [`${table}.csv`]: `${header}\n${first},5\n${second},-2\n` })).rejects.toThrow(
      new RegExp(`^${table}.csv line 3 \\(row 2\\).*(check|constraint)`, "i"),
    );
    expect((await db.query(`SELECT amount FROM ${table} ORDER BY amount`)).map((r) => Number(r.amount))).toEqual([1, 2]);
  });
});

describe("data sync on postgres: serial keys", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await db.drop();
  });

  test("the key's sequence moves past the synced keys, so the application's next insert does not collide", async () => {
    await db.query("CREATE TABLE status (id serial PRIMARY KEY, label text NOT NULL)");
    await syncData({ engine: "postgres", connection: db.url, source: memorySource({ "status.csv": "id,label\n1,new\n2,paid\n7,void\n" }) });
    expect(await db.query("INSERT INTO status (label) VALUES ('app') RETURNING id")).toEqual([{ id: 8 }]);
  });
});
