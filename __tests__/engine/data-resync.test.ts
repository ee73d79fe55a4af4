import { memorySource, syncData, type EngineName } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

/**
 * A re-sync compares the table's rows with the file's as text and stages only those that differ.
 * These cases check that text that differs while the values are equal, and values that differ
 * while a lax comparison would call them equal, are both counted right.
 */
describe.each(ENGINES)("re-syncing a table on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query(
      engine === "postgres"
        ? "CREATE TABLE thing (id int PRIMARY KEY, name varchar(50), price numeric(10,2), active boolean, note text)"
        : "CREATE TABLE thing (id int PRIMARY KEY, name varchar(50), price decimal(10,2), active tinyint(1), note text) COLLATE utf8mb4_general_ci",
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
  const HEADER = "id,name,price,active,note\n";
  const FIRST = `${HEADER}1,Ann,1.50,1,"tab\there, back\\\\slash"\n2,Bob,,0,"two\nlines"\n3,Cy,3.00,1,\n`;

  test("the same file again changes nothing; the same values spelled differently are unchanged too", async () => {
    expect(await counts(FIRST)).toEqual([3, 0, 0, 0]);
    expect(await counts(FIRST)).toEqual([0, 0, 3, 0]);
    // 1.5 for 1.50, "true" / "01" for 1: other text, same values
    const [yes, no] = engine === "postgres" ? ["true", "false"] : ["01", "00"];
    const respelled = `${HEADER}1,Ann,1.5,${yes},"tab\there, back\\\\slash"\n2,Bob,,${no},"two\nlines"\n3,Cy,3,1,\n`;
    expect(await counts(respelled)).toEqual([0, 0, 3, 0]);
  });

  test("a change of case, of one digit, of a flag or to NULL is an update; a missing row is deleted", async () => {
    await sync(FIRST);
    const changed = `${HEADER}1,ANN,1.50,1,"tab\there, back\\\\slash"\n2,Bob,2.00,0,"two\nlines"\n`;
    expect(await counts(changed)).toEqual([0, 2, 0, 1]);
    const flags = `${HEADER}1,ANN,1.50,0,\n2,Bob,2.00,1,"two\nlines"\n`;
    expect(await counts(flags)).toEqual([0, 2, 0, 0]);
    const rows = await db.query("SELECT id, name, note FROM thing ORDER BY id");
    expect(rows.map((r) => [Number(r.id), r.name, r.note])).toEqual([
      [1, "ANN", null],
      [2, "Bob", "two\nlines"],
    ]);
  });
});

test("MySQL: a table with a floating-point column is compared by the server", async () => {
  const db = await createTestDatabase("mysql");
  try {
    await db.query("CREATE TABLE reading (id int PRIMARY KEY, weight double)");
    const run = (csv: string) => syncData({ engine: "mysql", connection: db.url, source: memorySource({ "reading.csv": csv }) });
    await run("id,weight\n1,0.1\n2,1e-7\n");
    expect((await run("id,weight\n1,0.10\n2,0.0000001\n")).tables[0]).toMatchObject({ updated: 0, unchanged: 2 });
    expect((await run("id,weight\n1,0.1000001\n2,0.0000001\n")).tables[0]).toMatchObject({ updated: 1, unchanged: 1 });
  } finally {
    await db.drop();
  }
});

test("PostgreSQL: text keys with escapes are matched, not inserted again", async () => {
  const db = await createTestDatabase("postgres");
  try {
    await db.query("CREATE TABLE label (code text PRIMARY KEY, name text)");
    const file = 'code,name\n"a\\b",one\n"tab\there",two\n"new\nline",three\n';
    const run = () => syncData({ engine: "postgres", connection: db.url, source: memorySource({ "label.csv": file }) });
    await run();
    expect((await run()).tables[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
  } finally {
    await db.drop();
  }
});
