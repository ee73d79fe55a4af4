import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createTestDatabase, type TestDatabase } from "./helpers/databases";

const ROOT = resolve(__dirname, "../..");

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI the way `npm run migrate` / `npm run data-sync` do. */
function cli(args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["bin/engine.cjs", ...args], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "eng-cli-"));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** A failure is reported as exactly one line on stderr, without a stack trace. */
function expectOneLineError(result: CliResult, pattern: RegExp): void {
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe("engine CLI", () => {
  const dbs: TestDatabase[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });
  const newDb = async (engine: "postgres" | "mysql") => {
    const db = await createTestDatabase(engine);
    dbs.push(db);
    return db;
  };
  const newDir = async (files: Record<string, string>) => {
    const dir = await folder(files);
    dirs.push(dir);
    return dir;
  };

  test("--help prints the usage and exits 0", async () => {
    const result = await cli(["migrate", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/npm run migrate -- \[info \| repair\]/);
    expect(result.stdout).toMatch(/--allow-out-of-order/);
  });

  test("a missing option is a usage error: exit 2 and one line", async () => {
    const result = await cli(["migrate", "--url", "postgres://postgres@127.0.0.1/x"]);
    expect(result.code).toBe(2);
    expectOneLineError(result, /^error: --dir is required \(see --help\)$/);
  });

  test("migrate prints one line per file and a summary, then exits 0; info lists them", async () => {
    const db = await newDb("postgres");
    const dir = await newDir({ "V1__a.sql": "CREATE TABLE a (id int);", "V2__b.sql": "CREATE TABLE b (id int);" });
    const result = await cli(["migrate", "--engine", "postgres", "--url", db.url, "--dir", dir]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^applied V1__a.sql \(\d+ ms\)\napplied V2__b.sql \(\d+ ms\)\n2 migration\(s\) applied in [\d.]+ s; database at version 2\n$/);

    const listed = await cli(["migrate", "info", "--url", db.url, "--dir", dir]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^applied\s+1\s+V1__a.sql/m);
    expect(listed.stdout).toMatch(/2 applied, 0 pending, 0 failed/);
  });

  test("a failing migration exits 1 with a one-line reason naming the file and statement", async () => {
    const db = await newDb("postgres");
    const dir = await newDir({ "V1__a.sql": "CREATE TABLE a (id int);\nINSERT INTO a VALUES ('x');" });
    const result = await cli(["migrate", "--engine", "postgres", "--url", db.url, "--dir", dir]);
    expect(result.code).toBe(1);
    expectOneLineError(result, /^error: V1__a.sql \(statement 2, line 2\): invalid input syntax for type integer/);
  });

  test("MySQL: a failed migration blocks the next run until `migrate repair`", async () => {
    const db = await newDb("mysql");
    const dir = await newDir({ "V1__a.sql": "CREATE TABLE a (id int);\nINSERT INTO nope VALUES (1);" });
    const args = ["--engine", "mysql", "--url", db.url, "--dir", dir];
    expect((await cli(["migrate", ...args])).code).toBe(1);
    const blocked = await cli(["migrate", ...args]);
    expect(blocked.code).toBe(1);
    expectOneLineError(blocked, /^error: V1__a.sql \(version 1\) failed on .*repair/);

    await db.query("DROP TABLE a");
    const repaired = await cli(["migrate", "repair", ...args]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/removed the failed record of version 1/);
  });

  test("data-sync prints one line per file and a summary; an unknown column exits 1 with one line", async () => {
    const db = await newDb("mysql");
    await db.query("CREATE TABLE region (id int PRIMARY KEY, name varchar(50))");
    const good = await newDir({ "region.csv": "id,name\n1,Europe\n2,Asia\n" });
    const result = await cli(["data-sync", "--engine", "mysql", "--url", db.url, "--dir", good, "--prune"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^region.csv -> region: 2 rows, 2 inserted, 0 updated, 0 unchanged, 0 deleted\n1 table\(s\) synced in [\d.]+ s \(committed\)\n$/);

    const bad = await newDir({ "region.json": '[{"id":1,"nme":"Europe"}]' });
    const failed = await cli(["data-sync", "--url", db.url, "--dir", bad]);
    expect(failed.code).toBe(1);
    expectOneLineError(failed, /^error: region.json row 1, column "nme": table region has no such column$/);
  });

  test("a connection failure exits 1 with one line", async () => {
    const dir = await newDir({ "V1__a.sql": "SELECT 1;" });
    const result = await cli(["migrate", "--url", "postgres://postgres@127.0.0.1:5432/eng_does_not_exist", "--dir", dir]);
    expect(result.code).toBe(1);
    expectOneLineError(result, /^error: cannot connect to PostgreSQL: .*eng_does_not_exist/);
  });
});
