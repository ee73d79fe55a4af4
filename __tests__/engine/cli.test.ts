import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createTestDatabase, type TestDatabase } from "./helpers/databases";

const ROOT = resolve(__dirname, "../..");

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI the way `npm run migrate` / `npm run data-sync` do (from the project folder, unless `cwd` says). */
function cli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; command?: string[] } = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const env = { ...process.env, ...options.env };
    delete env.DATABASE_URL;
    for (const [k, v] of Object.entries(options.env ?? {})) if (v === undefined) delete env[k];
    const [program, ...first] = options.command ?? [process.execPath, join(ROOT, "bin/engine.cjs")];
    const child = spawn(program!, [...first, ...args], { cwd: options.cwd ?? ROOT, env });
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

  test("--help prints the usage with every command and option, and exits 0", async () => {
    const result = await cli(["migrate", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/replica-engine migrate \[info \| validate \| repair \| baseline\]/);
    for (const command of ["migrate info", "migrate validate", "migrate repair", "migrate baseline", "data-sync"]) expect(result.stdout).toContain(`\n  ${command} `);
    // Every option the parser accepts is described.
    const source = await readFile(join(ROOT, "engine/cli.ts"), "utf8");
    const options = [...source.matchAll(/^ {6}"?([a-z-]+)"?: \{ type: "(?:string|boolean)"/gm)].map((m) => m[1]!);
    expect(options.length).toBeGreaterThan(15);
    for (const option of options) expect(result.stdout).toMatch(new RegExp(`^  (-h, )?--${option}\\b`, "m"));
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
    expectOneLineError(result, /^error: cannot connect to PostgreSQL at 127\.0\.0\.1:5432: .*eng_does_not_exist/);
  });

  test("validate exits 0 when the applied files match, and 1 naming a changed file", async () => {
    const db = await newDb("mysql");
    const dir = await newDir({ "V1__a.sql": "CREATE TABLE a (id int);" });
    const args = ["--url", db.url, "--dir", dir];
    expect((await cli(["migrate", ...args])).code).toBe(0);
    const ok = await cli(["migrate", "validate", ...args]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^validated: every applied migration matches its file/);

    await writeFile(join(dir, "V1__a.sql"), "CREATE TABLE a (id bigint);");
    const failed = await cli(["migrate", "validate", ...args]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^changed\s+V1__a.sql \(version 1\) changed after being applied/m);
    expectOneLineError(failed, /^error: validation failed: V1__a.sql changed$/);
    // info stays informational
    expect((await cli(["migrate", "info", ...args])).code).toBe(0);
  });

  test("baseline records the files up to --version; repair --accept-checksums and --forget-missing", async () => {
    const db = await newDb("postgres");
    await db.query("CREATE TABLE a (id int)");
    const dir = await newDir({ "V1__a.sql": "CREATE TABLE a (id int);", "V2__b.sql": "CREATE TABLE b (id int);" });
    const args = ["--url", db.url, "--dir", dir];
    expect((await cli(["migrate", "baseline", ...args])).code).toBe(2);
    expect((await cli(["migrate", "--version", "1", ...args])).code).toBe(2);
    const adopted = await cli(["migrate", "baseline", "--version", "1", ...args]);
    expect(adopted.stdout).toMatch(/^recorded V1__a.sql as applied \(baseline, not run\)\nbaseline at version 1: 1 migration\(s\) recorded\n$/);
    expect((await cli(["migrate", ...args])).stdout).toMatch(/^applied V2__b.sql/);

    await writeFile(join(dir, "V1__a.sql"), "-- the users table\nCREATE TABLE a (id int);");
    await rm(join(dir, "V2__b.sql"));
    const repaired = await cli(["migrate", "repair", "--accept-checksums", "--forget-missing", ...args]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/recorded the current checksum of version 1\nremoved the record of version 2: its file is gone/);
    expect((await cli(["migrate", "validate", ...args])).code).toBe(0);
  });

  test("--dir is relative to the folder the command was run in, also under npm run (INIT_CWD)", async () => {
    const db = await newDb("postgres");
    const parent = await newDir({});
    await mkdir(join(parent, "db"));
    await writeFile(join(parent, "db", "V1__a.sql"), "CREATE TABLE a (id int);");
    // Run from another folder, with a relative --dir
    const direct = await cli(["migrate", "--url", db.url, "--dir", "db", "--dry-run"], { cwd: parent, env: { INIT_CWD: undefined } });
    expect(direct.stderr).toBe("");
    expect(direct.stdout).toMatch(/^would apply V1__a.sql/);
    // `npm run` starts scripts in the project folder and says where it was started in INIT_CWD
    const viaNpm = await cli(["run", "--silent", "--prefix", ROOT, "migrate", "--", "--url", db.url, "--dir", "db", "--dry-run"], {
      cwd: parent,
      env: { INIT_CWD: undefined },
      command: ["npm"],
    });
    expect(viaNpm.stderr).toBe("");
    expect(viaNpm.stdout).toMatch(/^would apply V1__a.sql/);
    // A folder that does not exist is a usage error naming the resolved path
    const missing = await cli(["migrate", "--url", db.url, "--dir", "nope"], { cwd: parent, env: { INIT_CWD: undefined } });
    expect(missing.code).toBe(2);
    expectOneLineError(missing, new RegExp(`^error: --dir nope: ${parent}/nope is not a folder`));
  });

  test("the package's bin runs through a symlink, as npx and node_modules/.bin start it", async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as { bin?: Record<string, string> };
    expect(pkg.bin).toEqual({ "replica-engine": "bin/engine.cjs" });
    expect((await readFile(join(ROOT, pkg.bin!["replica-engine"]!), "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
    const binDir = await newDir({});
    const link = join(binDir, "replica-engine");
    await symlink(join(ROOT, "bin/engine.cjs"), link);
    const result = await cli(["migrate", "--help"], { cwd: dirname(binDir), command: [process.execPath, link] });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage:\n  replica-engine migrate/);
  });
});
