import { memorySource, syncData, type DataSyncOptions, type EngineName } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

/**
 * A plain CSV file (one line per record, quotes only around whole fields) is synced from its own
 * text: on PostgreSQL straight into an empty table, or into a stage the server merges and prunes,
 * without building rows in JavaScript. The results, and every error's file, line and column, must
 * be those of the row-by-row path; MariaDB runs the same cases on its own path.
 */
describe.each(ENGINES)("syncing a plain CSV file into a table that holds rows on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query("CREATE TABLE item (id int PRIMARY KEY, name varchar(20) NOT NULL, qty int, note text)");
  });
  afterEach(async () => {
    await db.drop();
  });
  const HEADER = "id,name,qty,note\n";
  const FIRST = `${HEADER}1,one,1,"a, b"\n2,two,2,\n3,three,3,""\n4,four,4,"say ""hi"""\n`;
  const sync = (csv: string, extra: Partial<DataSyncOptions> = {}) =>
    syncData({ engine, connection: db.url, source: memorySource({ "item.csv": csv }), ...extra });
  const counts = async (csv: string, extra: Partial<DataSyncOptions> = {}) => {
    const t = (await sync(csv, extra)).tables[0]!;
    return { rows: t.rows, inserted: t.inserted, updated: t.updated, unchanged: t.unchanged, deleted: t.deleted };
  };
  const contents = async () =>
    (await db.query("SELECT id, name, qty, note FROM item ORDER BY id")).map((r) => [Number(r.id), r.name, r.qty === null ? null : Number(r.qty), r.note]);

  test("GIVEN a loaded table WHEN a file changes one row, adds one and drops one THEN only those are written, with exact counts", async () => {
    expect(await counts(FIRST)).toEqual({ rows: 4, inserted: 4, updated: 0, unchanged: 0, deleted: 0 });
    // Row 2's empty qty stays NULL and row 3's "" stays an empty string: neither is a change.
    const next = `${HEADER}1,one,1,"a, b"\n2,two,,\n3,three,3,""\n5,five,5,new\n4,FOUR,4,"say ""hi"""\n`;
    expect(await counts(next, { prune: true })).toEqual({ rows: 5, inserted: 1, updated: 2, unchanged: 2, deleted: 0 });
    expect(await contents()).toEqual([
      [1, "one", 1, "a, b"],
      [2, "two", null, null],
      [3, "three", 3, ""],
      [4, "FOUR", 4, 'say "hi"'],
      [5, "five", 5, "new"],
    ]);
    expect(await counts(`${HEADER}1,one,1,"a, b"\n2,two,,\n4,FOUR,4,"say ""hi"""\n5,five,5,new\n`, { prune: true })).toEqual({
      rows: 4,
      inserted: 0,
      updated: 0,
      unchanged: 4,
      deleted: 1,
    });
    expect((await contents()).map((r) => r[0])).toEqual([1, 2, 4, 5]);
  });

  test("GIVEN a loaded table WHEN the same file is synced again THEN no row is rewritten", async () => {
    await sync(FIRST);
    if (engine !== "postgres") return expect(await counts(FIRST)).toMatchObject({ updated: 0, unchanged: 4 });
    // xmin is the transaction that wrote a row version: an unchanged row keeps its version.
    const versions = async () => (await db.query("SELECT id, xmin::text AS v FROM item ORDER BY id")).map((r) => r.v);
    const before = await versions();
    expect(await counts(FIRST)).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    expect(await versions()).toEqual(before);
  });

  test("GIVEN a loaded table WHEN a plain file repeats a key THEN the lines are named and nothing changes", async () => {
    await sync(FIRST);
    await expect(sync(`${HEADER}1,uno,1,\n2,dos,2,\n1,again,1,\n`)).rejects.toThrow(/^item.csv line 2 \(row 1\) has the same primary key \(id\) as line 4 \(row 3\)/);
    expect(await contents()).toEqual([
      [1, "one", 1, "a, b"],
      [2, "two", 2, null],
      [3, "three", 3, ""],
      [4, "four", 4, 'say "hi"'],
    ]);
  });

  test("GIVEN a loaded table WHEN a plain file has an empty key THEN the line and column are named and nothing changes", async () => {
    await sync(FIRST);
    await expect(sync(`${HEADER}1,uno,1,\n,dos,2,\n`)).rejects.toThrow(/^item.csv line 3 \(row 2\), column "id": primary key value is empty/);
    expect((await contents()).map((r) => r[1])).toEqual(["one", "two", "three", "four"]);
  });

  test("GIVEN a loaded table WHEN the server rejects a value of a plain file THEN its line and column are named and nothing changes", async () => {
    await sync(FIRST);
    await expect(sync(`${HEADER}1,uno,1,\n7,seven,x7,\n`, { prune: true, allowMassPrune: true })).rejects.toThrow(/^item.csv line 3 \(row 2\), column "qty": /);
    // A NOT NULL violation surfaces in the merge, against the real table.
    await expect(sync(`${HEADER}1,uno,1,\n2,"",2,\n3,,3,\n`)).rejects.toThrow(/^item.csv line 4 \(row 3\), column "name": /);
    expect((await contents()).map((r) => r[1])).toEqual(["one", "two", "three", "four"]);
  });

  test("GIVEN a loaded table WHEN a plain file is synced as a dry run THEN the counts are computed and nothing changes", async () => {
    await sync(FIRST);
    expect(await counts(`${HEADER}1,uno,1,"a, b"\n9,nine,9,\n`, { prune: true, allowMassPrune: true, dryRun: true })).toEqual({
      rows: 2,
      inserted: 1,
      updated: 1,
      unchanged: 0,
      deleted: 3,
    });
    expect((await contents()).map((r) => r[1])).toEqual(["one", "two", "three", "four"]);
  });
});

describe.each(ENGINES)("loading a plain CSV file into an empty table on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    const utf8 = engine === "mysql" ? " CHARACTER SET utf8mb4" : "";
    await db.query(`CREATE TABLE item (id int PRIMARY KEY, name varchar(20)${utf8}, note text${utf8})`);
  });
  afterEach(async () => {
    await db.drop();
  });
  const sync = (csv: string) => syncData({ engine, connection: db.url, source: memorySource({ "item.csv": csv }) });
  const contents = async () => (await db.query("SELECT id, name, note FROM item ORDER BY id")).map((r) => [Number(r.id), r.name, r.note]);

  test("GIVEN awkward values WHEN loaded THEN each is stored as the file says: backslashes, quotes, commas, empty string, the word NULL, NULL", async () => {
    const csv = 'id,name,note\n1,back\\slash,"a, ""b"""\n2,NULL,""\n3,,\\N\n4,"NULL",x\n';
    expect((await sync(csv)).tables[0]).toMatchObject({ rows: 4, inserted: 4 });
    expect(await contents()).toEqual([
      [1, "back\\slash", 'a, "b"'],
      [2, "NULL", ""],
      [3, null, "\\N"],
      [4, "NULL", "x"],
    ]);
  });

  test("GIVEN a character outside the BMP across the loader's 1 MB chunk boundary WHEN loaded THEN it is stored intact", async () => {
    const header = "id,name,note\n";
    const lines: string[] = [];
    let length = header.length;
    for (let id = 1; length < (1 << 20) - 200; id++) {
      const line = `${id},n${id},${"x".repeat(80)}\n`;
      lines.push(line);
      length += line.length;
    }
    const last = lines.length + 1;
    const prefix = `${last},emoji,`;
    // Pads the note so that the emoji's two UTF-16 units sit on either side of character 2^20.
    const pad = "y".repeat((1 << 20) - 1 - length - prefix.length);
    const note = `${pad}\u{1F600}z`;
    const csv = `${header}${lines.join("")}${prefix}${note}\n`;
    expect(csv.charCodeAt((1 << 20) - 1)).toBe(0xd83d);
    await sync(csv);
    expect((await db.query(`SELECT note FROM item WHERE id = ${last}`))[0]!.note).toBe(note);
  });
});
