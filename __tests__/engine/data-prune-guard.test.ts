import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EngineError, memorySource, syncData, type EngineName } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

const ROOT = resolve(__dirname, "../..");
const csv = (ids: readonly number[], label = "x") => `id,label\n${ids.map((id) => `${id},${label}`).join("\n")}\n`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(ENGINES)("a prune that would delete most of a table, on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query("CREATE TABLE item (id int PRIMARY KEY, label varchar(20))");
  });
  afterEach(async () => {
    await db.drop();
  });
  const sync = (file: string, extra: { allowMassPrune?: boolean } = {}) =>
    syncData({ engine, connection: db.url, source: memorySource({ "item.csv": file }), prune: true, ...extra });
  const ids = async () => (await db.query("SELECT id, label FROM item ORDER BY id")).map((r) => `${Number(r.id)}:${String(r.label)}`);

  test("is refused naming the table and the counts, and changes nothing", async () => {
    // GIVEN 10 rows
    await sync(csv(range(1, 10)));
    const before = await ids();
    // WHEN a file keeps 4 of them, changes one and adds one
    const error = await sync(`id,label\n1,changed\n${[2, 3, 4, 99].map((id) => `${id},x`).join("\n")}\n`).catch((e: unknown) => e);
    // THEN
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe("MASS_PRUNE");
    expect((error as Error).message).toBe(
      "item.csv: pruning would delete 6 of the 10 rows of table item (more than 50%); nothing was changed. " +
        "Check the file; if it is right, run again with --allow-mass-prune (allowMassPrune: true)",
    );
    expect(await ids()).toEqual(before);
  });

  test("deletes them when the run allows it; half of the rows is allowed without it", async () => {
    await sync(csv(range(1, 10)));
    expect((await sync(csv(range(1, 5)))).tables[0]).toMatchObject({ deleted: 5 });
    expect((await sync(csv([1]), { allowMassPrune: true })).tables[0]).toMatchObject({ deleted: 4 });
    expect(await ids()).toEqual(["1:x"]);
  });

  test("is refused on the staged path too (a table far larger than its file)", async () => {
    await sync(csv(range(1, 12_000)));
    await expect(sync(csv([1, 2, 3]))).rejects.toThrow(/^item.csv: pruning would delete 11997 of the 12000 rows of table item/);
    expect(await db.query("SELECT count(*) AS n FROM item")).toEqual([expect.objectContaining({ n: engine === "postgres" ? "12000" : 12000 })]);
  });
});

test("the command line's --allow-mass-prune lets the prune through", async () => {
  const db = await createTestDatabase("postgres");
  const dir = await mkdtemp(join(tmpdir(), "eng-prune-"));
  try {
    await db.query("CREATE TABLE item (id int PRIMARY KEY, label varchar(20)); INSERT INTO item VALUES (1, 'x'), (2, 'x'), (3, 'x')");
    await writeFile(join(dir, "item.csv"), csv([1]));
    const run = (extra: string[]) =>
      new Promise<{ code: number | null; out: string }>((done, fail) => {
        const child = spawn(process.execPath, ["bin/engine.cjs", "data-sync", "--url", db.url, "--dir", dir, "--prune", ...extra], { cwd: ROOT, env: process.env });
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("error", fail);
        child.on("close", (code) => done({ code, out }));
      });
    const refused = await run([]);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^error: item.csv: pruning would delete 2 of the 3 rows of table item/);
    const allowed = await run(["--allow-mass-prune"]);
    expect(allowed.out).toMatch(/1 rows, 0 inserted, 0 updated, 1 unchanged, 2 deleted/);
    expect(allowed.code).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await db.drop();
  }
});
