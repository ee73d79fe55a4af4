import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import mysql from "mysql2/promise";
import pg from "pg";
import { join, resolve } from "node:path";
import { memorySource, migrate, type EngineName, type MigrateOptions } from "../../engine";
import { mysqlLockName } from "../../engine/dialects/mysql";
import { advisoryKey } from "../../engine/dialects/postgres";
import { createTestDatabase, SERVERS, type TestDatabase } from "./helpers/databases";
import { silentServer } from "../helpers/silent-server";

const ROOT = resolve(__dirname, "../..");
const HISTORY = "schema_migration_history";

/** Starts the CLI on a folder of files, as a deployment step would; the test kills it. */
async function startCli(url: string, files: Record<string, string>): Promise<{ child: ChildProcess; dir: string; exited: Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "eng-kill-"));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const child = spawn(process.execPath, ["bin/engine.cjs", "migrate", "--url", url, "--dir", dir], { cwd: ROOT, env: process.env, stdio: "ignore" });
  const exited = new Promise<void>((done) => child.on("exit", () => done()));
  return { child, dir, exited };
}

/** Waits until the server is running a statement of the test database that matches `pattern`. */
async function waitForStatement(db: TestDatabase, pattern: string): Promise<void> {
  const sql =
    db.engine === "postgres"
      ? `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = '${db.name}' AND query ILIKE '%${pattern}%' AND pid <> pg_backend_pid()`
      : `SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = '${db.name}' AND INFO LIKE '%${pattern}%' AND ID <> CONNECTION_ID()`;
  for (let i = 0; i < 300; i++) {
    if (Number((await db.query(sql))[0]!.n) > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server never ran ${pattern}`);
}

/**
 * Interrupts a CLI run while the server runs `sleepWord`: `client` kills the process (kill -9, a
 * Lambda timeout); `session` has the server end its connection (a failover, KILL) and lets the
 * process exit by itself.
 */
async function interruptMidFile(
  db: TestDatabase,
  files: Record<string, string>,
  sleepWord: string,
  how: "client" | "session" = "client",
  url = db.url,
): Promise<void> {
  const { child, dir, exited } = await startCli(url, files);
  try {
    await waitForStatement(db, sleepWord);
    if (how === "client") {
      child.kill("SIGKILL");
    } else {
      const [session] = await db.query(`SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = '${db.name}' AND INFO LIKE '%${sleepWord}%' AND ID <> CONNECTION_ID()`);
      await db.query(`KILL CONNECTION ${Number(session!.id)}`);
    }
    await exited;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("a run killed in the middle of a file", () => {
  let db: TestDatabase;
  afterEach(async () => {
    await db.drop();
  });
  const run = (engine: EngineName, files: Record<string, string>, extra: Partial<MigrateOptions> = {}) =>
    migrate({ engine, connection: db.url, source: memorySource(files), lockTimeoutMs: 25_000, ...extra });

  test("MySQL: a client killed mid-file: the server finishes the file it was sent and records it, so nothing runs twice", async () => {
    // GIVEN a run killed (kill -9) while the second statement of V2 sleeps; the whole file (with its
    // history rows and COMMIT) was sent in one round trip, which the server goes on executing
    db = await createTestDatabase("mysql");
    const files = {
      "V1__a.sql": "CREATE TABLE a (id int);",
      "V2__b.sql": "CREATE TABLE IF NOT EXISTS b (id int);\nDO SLEEP(2);\nCREATE TABLE IF NOT EXISTS c (id int);\nINSERT INTO a VALUES (1);",
    };
    await interruptMidFile(db, files, "SLEEP(2)");
    // WHEN the next run starts at once
    const result = await run("mysql", files);
    // THEN it waited for the orphaned session's lock, found V2 applied, and applied nothing again
    expect(result.applied).toEqual([]);
    expect(await db.query("SELECT id FROM a")).toEqual([{ id: 1 }]);
    expect((await db.query("SHOW TABLES LIKE 'c'")).length).toBe(1);
    expect(await db.query(`SELECT version, success FROM ${HISTORY} ORDER BY version`)).toEqual([
      { version: "1", success: 1 },
      { version: "2", success: 1 },
    ]);
  }, 40_000);

  test("MySQL: a connection lost mid-file: the next run refuses, naming the file and repair, instead of applying it again", async () => {
    // GIVEN a run whose session the server ends (failover, KILL) while the second statement of V2
    // sleeps, after its first DDL committed
    db = await createTestDatabase("mysql");
    const files = {
      "V1__a.sql": "CREATE TABLE a (id int);",
      "V2__b.sql": "CREATE TABLE IF NOT EXISTS b (id int);\nDO SLEEP(3);\nCREATE TABLE IF NOT EXISTS c (id int);",
    };
    await interruptMidFile(db, files, "SLEEP(3)", "session");
    // WHEN the next run starts
    const error = await run("mysql", files).catch((e: unknown) => e);
    // THEN it refuses and says how to resolve it; the rest of V2 was never run
    expect(error).toMatchObject({ code: "FAILED_MIGRATION_PENDING" });
    expect((error as Error).message).toMatch(/^V2__b.sql \(version 2\) started on .* and did not finish.*repair/);
    expect((await db.query("SHOW TABLES LIKE 'b'")).length).toBe(1);
    expect((await db.query("SHOW TABLES LIKE 'c'")).length).toBe(0);
  }, 40_000);

  test("MySQL: a file without DDL whose connection is lost mid-way leaves neither its changes nor a row, and runs again once", async () => {
    db = await createTestDatabase("mysql");
    const files = { "V1__a.sql": "CREATE TABLE a (id int);", "V2__rows.sql": "INSERT INTO a VALUES (1);\nDO SLEEP(3);\nINSERT INTO a VALUES (2);" };
    await interruptMidFile(db, files, "SLEEP(3)", "session");
    expect(await db.query("SELECT id FROM a")).toEqual([]);
    const result = await run("mysql", files);
    expect(result.applied.map((m) => m.version)).toEqual(["2"]);
    expect(await db.query("SELECT id FROM a ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
  }, 40_000);

  test("PostgreSQL: the next run waits for the killed run's session, then applies each file exactly once", async () => {
    // GIVEN a run killed while its transaction sleeps (the server keeps executing it); the file
    // sleeps only in the killed run's sessions (a setting in its URL), so the next run is quick
    db = await createTestDatabase("postgres");
    const files = {
      "V1__a.sql": "CREATE TABLE a (id int);\nSELECT pg_sleep(coalesce(current_setting('eng.test_sleep', true), '0')::float);\nINSERT INTO a VALUES (1);",
      "V2__b.sql": "INSERT INTO a VALUES (2);",
    };
    await interruptMidFile(db, files, "pg_sleep(", "client", `${db.url}?options=-c%20eng.test_sleep%3D30`);
    // WHEN the next run starts at once
    const started = Date.now();
    const result = await run("postgres", files);
    // THEN it does not collide with the orphaned transaction: every file is applied once
    expect(await db.query("SELECT id FROM a ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await db.query(`SELECT version FROM ${HISTORY} ORDER BY version`)).toEqual([{ version: "1" }, { version: "2" }]);
    expect(result.applied.map((m) => m.version)).toEqual(["1", "2"]);
    // AND the orphaned statement was stopped when its client died, not left to sleep for 30 s
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 40_000);

  test("PostgreSQL -- migrate:no-transaction: an interrupted file is refused by the next run, naming it", async () => {
    db = await createTestDatabase("postgres");
    const files = {
      "V1__a.sql": "CREATE TABLE a (id int);",
      "V2__b.sql": "-- migrate:no-transaction\nCREATE TABLE b (id int);\nSELECT pg_sleep(30);\nCREATE TABLE c (id int);",
    };
    await interruptMidFile(db, files, "pg_sleep(30)");
    const error = await run("postgres", files).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "FAILED_MIGRATION_PENDING" });
    expect((error as Error).message).toMatch(/^V2__b.sql \(version 2\) started on .* and did not finish.*repair/);
    expect(await db.query("SELECT to_regclass('b') AS b, to_regclass('c') AS c")).toEqual([{ b: "b", c: null }]);
  }, 40_000);
});

describe("PostgreSQL: -- migrate:no-transaction", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await db.drop();
  });

  test("runs the file outside a transaction (CREATE INDEX CONCURRENTLY) and records it", async () => {
    const files = {
      "V1__a.sql": "CREATE TABLE a (id int);",
      "V2__index.sql": "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);",
      "V3__c.sql": "CREATE TABLE c (id int);",
    };
    const result = await migrate({ engine: "postgres", connection: db.url, source: memorySource(files) });
    expect(result.applied.map((m) => m.version)).toEqual(["1", "2", "3"]);
    expect(await db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'a'")).toEqual([{ indexname: "a_id" }]);
    expect(await db.query(`SELECT version, success FROM ${HISTORY} ORDER BY version`)).toEqual([
      { version: "1", success: true },
      { version: "2", success: true },
      { version: "3", success: true },
    ]);
  });

  test("a failure is recorded and blocks later runs until repaired", async () => {
    const files = { "V1__a.sql": "-- migrate:no-transaction\nCREATE TABLE a (id int);\nINSERT INTO missing VALUES (1);" };
    await expect(migrate({ engine: "postgres", connection: db.url, source: memorySource(files) })).rejects.toThrow(
      /^V1__a.sql \(statement 2, line 3\): relation "missing" does not exist. The failure is recorded/,
    );
    await expect(migrate({ engine: "postgres", connection: db.url, source: memorySource(files) })).rejects.toMatchObject({ code: "FAILED_MIGRATION_PENDING" });
  });
});

describe("PostgreSQL: errors are attributed to the file that caused them", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await db.drop();
  });

  test("a syntax error in the fifteenth file of one round trip names that file; the fourteen before it are applied", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 20; i++) files[`V${i}__t${i}.sql`] = i === 15 ? "CREATE TABLE t15 (id int);\nSELEC 1;" : `CREATE TABLE t${i} (id int);`;
    const error = await migrate({ engine: "postgres", connection: db.url, source: memorySource(files) }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^V15__t15.sql \(statement 2, line 2\): syntax error at or near "SELEC"/);
    expect(await db.query(`SELECT count(*)::int AS n FROM ${HISTORY}`)).toEqual([{ n: 14 }]);
    expect(await db.query("SELECT to_regclass('t14') AS t14, to_regclass('t15') AS t15")).toEqual([{ t14: "t14", t15: null }]);
  });

  test("an error the server gives no position for is located without running the file again", async () => {
    // GIVEN a file whose first statement has an effect a rollback does not undo (a sequence)
    const files = { "V1__s.sql": "CREATE SEQUENCE s;", "V2__bad.sql": "SELECT nextval('s');\nSELECT 1 / 0;" };
    const error = await migrate({ engine: "postgres", connection: db.url, source: memorySource(files) }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^V2__bad.sql \(statement 2, line 2\): division by zero/);
    // THEN the first statement ran once
    expect(await db.query("SELECT last_value::int AS v FROM s")).toEqual([{ v: 1 }]);
  });
});

describe.each(["postgres", "mysql"] as const)("%s: many runs against a server that turns connections away", (engine) => {
  let db: TestDatabase;
  const user = `eng_limited_${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    // A connection limit for one user gives the same refusal as a full server (PostgreSQL 53300,
    // MySQL 1226 / 1040) without filling the server other tests share.
    if (engine === "postgres") {
      await db.query(`CREATE ROLE ${user} LOGIN CONNECTION LIMIT 8; ALTER DATABASE ${db.name} OWNER TO ${user}`);
    } else {
      await db.query(`CREATE USER '${user}'@'%' WITH MAX_USER_CONNECTIONS 8; GRANT ALL ON ${db.name}.* TO '${user}'@'%'`);
    }
  });
  afterAll(async () => {
    await db.drop();
    // The database is gone: drop the user from the server's admin database.
    const sql = engine === "postgres" ? `DROP ROLE IF EXISTS ${user}` : `DROP USER IF EXISTS '${user}'@'%'`;
    if (engine === "postgres") {
      const client = new pg.Client({ connectionString: SERVERS.postgres.admin });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    } else {
      const connection = await mysql.createConnection({ uri: SERVERS.mysql.admin });
      await connection.query(sql).finally(() => connection.end());
    }
  });

  test("100 concurrent runs all finish and apply each migration once", async () => {
    const url = `${SERVERS[engine].base.replace(/\/\/[^@]+@/, `//${user}@`)}/${db.name}`;
    const files = {
      "V1__a.sql": "CREATE TABLE a (id int);",
      "V2__b.sql": "INSERT INTO a VALUES (1);",
      "V3__c.sql": "CREATE TABLE c (id int);",
    };
    let refused = 0;
    const onProgress: MigrateOptions["onProgress"] = (e) => {
      if (e.type === "connection-refused") refused++;
    };
    const runs = Array.from({ length: 100 }, () => migrate({ engine, connection: url, source: memorySource(files), lockTimeoutMs: 60_000, onProgress }));
    const results = await Promise.all(runs);
    // Runs were turned away (the limit is 8) and retried until they got in.
    expect(refused).toBeGreaterThan(0);
    expect(results.map((r) => r.applied.length).sort((x, y) => y - x)[0]).toBe(3);
    expect(results.reduce((n, r) => n + r.applied.length, 0)).toBe(3);
    expect(await db.query("SELECT id FROM a")).toEqual([{ id: 1 }]);
  }, 90_000);

  test("a run waiting for the lock holds one connection", async () => {
    // GIVEN the migration lock held by another session
    const lockName = `migration:${db.name}:${HISTORY}`;
    const holder = await session(engine, db.url);
    await holder.query(engine === "postgres" ? `SELECT pg_advisory_lock(${advisoryKey(lockName)})` : `SELECT GET_LOCK('${mysqlLockName(lockName)}', 0)`);
    try {
      // WHEN five runs start
      const url = `${SERVERS[engine].base.replace(/\/\/[^@]+@/, `//${user}@`)}/${db.name}`;
      const runs = Array.from({ length: 5 }, () => migrate({ engine, connection: url, source: memorySource({ "V9__x.sql": "SELECT 1;" }), lockTimeoutMs: 60_000 }));
      // THEN once all five wait for the lock, the user has five connections, not more
      const [connections, waiting] =
        engine === "postgres"
          ? ["SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1", "SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event = 'advisory'"]
          : ["SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ?", "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE USER = ? AND STATE = 'User lock'"];
      const count = async (sql: string) => Number((await holder.query(sql, [user]))[0]!.n);
      for (const started = Date.now(); (await count(waiting)) < 5; ) {
        if (Date.now() - started > 20_000) throw new Error(`the runs never all waited for the lock: ${await count(waiting)} did`);
        await new Promise((done) => setTimeout(done, 50));
      }
      expect(await count(connections)).toBe(5);
      // AND they all finish once the lock is free
      await holder.query(engine === "postgres" ? `SELECT pg_advisory_unlock(${advisoryKey(lockName)})` : `SELECT RELEASE_LOCK('${mysqlLockName(lockName)}')`);
      expect((await Promise.all(runs)).every((r) => r.applied.length <= 1)).toBe(true);
    } finally {
      await holder.close();
    }
  }, 60_000);
});

/** One open admin session on a database, for holding a lock while runs start. */
async function session(engine: EngineName, url: string): Promise<{ query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>; close: () => Promise<void> }> {
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return { query: async (sql, params) => (await client.query(sql, params)).rows, close: () => client.end() };
  }
  const connection = await mysql.createConnection({ uri: url });
  return {
    query: async (sql, params) => (await connection.query(sql, params))[0] as Record<string, unknown>[],
    close: () => connection.end(),
  };
}

describe("connection attempts time out", () => {
  let server: Awaited<ReturnType<typeof silentServer>>;
  let port: number;
  beforeAll(async () => {
    server = await silentServer();
    port = server.port;
  });
  afterAll(() => server.close());

  test.each(["postgres", "mysql"] as const)("%s: the run fails after the connect timeout with a clear message", async (engine) => {
    const started = Date.now();
    const error = await migrate({
      engine,
      connection: `${engine}://u:s3cret@127.0.0.1:${port}/db`,
      source: memorySource({ "V1__a.sql": "SELECT 1;" }),
      connectTimeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONNECTION" });
    expect((error as Error).message).toMatch(new RegExp(`^cannot connect to (PostgreSQL|MySQL) at 127\\.0\\.0\\.1:${port} within 0\\.5 s: `));
    // The URL's password is never part of it.
    expect((error as Error).message).not.toContain("s3cret");
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 15_000);
});

describe.each(["postgres", "mysql"] as const)("%s: per-run statement limits", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
    await db.query("CREATE TABLE busy (id int)");
  });
  afterEach(async () => {
    await db.drop();
  });

  /** Another session (application traffic) reads the table in an open transaction until released. */
  async function holdTable(): Promise<() => Promise<void>> {
    if (engine === "postgres") {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query("BEGIN; SELECT * FROM busy");
      return async () => {
        await client.query("ROLLBACK");
        await client.end();
      };
    }
    const connection = await mysql.createConnection({ uri: db.url });
    await connection.query("START TRANSACTION");
    await connection.query("SELECT * FROM busy");
    return async () => {
      await connection.query("ROLLBACK");
      await connection.end();
    };
  }

  test("a statement that waits for a table lock longer than the table lock timeout fails, naming the file", async () => {
    const release = await holdTable();
    const started = Date.now();
    try {
      const error = await migrate({
        engine,
        connection: db.url,
        source: memorySource({ "V1__alter.sql": "ALTER TABLE busy ADD COLUMN x int;" }),
        tableLockTimeoutMs: 1000,
      }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/^V1__alter.sql \(statement 1, line 1\): .*(lock timeout|Lock wait timeout exceeded)/);
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await release();
    }
  });

  if (engine === "postgres") {
    test("a statement that runs longer than the statement timeout is stopped, naming the file", async () => {
      const error = await migrate({
        engine,
        connection: db.url,
        source: memorySource({ "V1__slow.sql": "SELECT 1;\nSELECT pg_sleep(5);" }),
        statementTimeoutMs: 300,
      }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(/^V1__slow.sql \(statement 2, line 2\): canceling statement due to statement timeout/);
    });
  }
});
