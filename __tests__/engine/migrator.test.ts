import { info, memorySource, migrate, repair, type EngineName, type MigrateOptions } from "../../engine";
import { createTestDatabase, ENGINES, type TestDatabase } from "./helpers/databases";

const HISTORY = "schema_migration_history";
const sleepSql = (engine: EngineName, seconds: number) => (engine === "postgres" ? `SELECT pg_sleep(${seconds});` : `DO SLEEP(${seconds});`);

describe.each(ENGINES)("migrations on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(engine);
  });
  afterEach(async () => {
    await db.drop();
  });

  const run = (files: Record<string, string>, extra: Partial<MigrateOptions> = {}) =>
    migrate({ engine, connection: db.url, source: memorySource(files), appliedBy: "tester@ci", ...extra });
  const history = () => db.query(`SELECT version, description, script, checksum, applied_by, duration_ms, success, error FROM ${HISTORY} ORDER BY version`);
  const tables = async () =>
    (
      await db.query(
        engine === "postgres"
          ? "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
          : "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
      )
    ).map((r) => String(r.t));

  const base = {
    "V1__create_users.sql": "CREATE TABLE users (id int PRIMARY KEY, name varchar(50));\nINSERT INTO users VALUES (1, 'ann');",
    "V1.9__add_orders.sql": "CREATE TABLE orders (id int PRIMARY KEY);",
    "V1.10__add_items.sql": "CREATE TABLE items (id int PRIMARY KEY);\n-- trailing comment",
  };

  test("applies files in numeric version order and records each one", async () => {
    // WHEN
    const result = await run(base);
    // THEN
    expect(result.applied.map((m) => m.script)).toEqual(["V1__create_users.sql", "V1.9__add_orders.sql", "V1.10__add_items.sql"]);
    expect(result.currentVersion).toBe("1.10");
    const rows = await history();
    expect(rows).toHaveLength(3);
    const first = rows.find((r) => r.version === "1")!;
    expect(first).toMatchObject({ description: "create users", script: "V1__create_users.sql", applied_by: "tester@ci", error: null });
    expect(Boolean(Number(first.success))).toBe(true);
    expect(String(first.checksum)).toMatch(/^[0-9a-f]{64}$/);
    expect(Number(first.duration_ms)).toBeGreaterThanOrEqual(0);
    expect(await db.query("SELECT name FROM users")).toEqual([{ name: "ann" }]);
  });

  test("a second run applies nothing and a new file is applied alone", async () => {
    await run(base);
    expect((await run(base)).applied).toEqual([]);
    const next = await run({ ...base, "V2__more.sql": "CREATE TABLE more_things (id int);" });
    expect(next.applied.map((m) => m.version)).toEqual(["2"]);
    expect(await history()).toHaveLength(4);
  });

  test("an applied file whose content changed is refused, naming the file", async () => {
    await run(base);
    await expect(run({ ...base, "V1.9__add_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);" })).rejects.toThrow(
      /V1.9__add_orders.sql changed after being applied/,
    );
  });

  test("a new file below the last applied version is refused unless out-of-order is allowed", async () => {
    await run(base);
    const late = { ...base, "V1.5__late.sql": "CREATE TABLE late (id int);" };
    await expect(run(late)).rejects.toMatchObject({ code: "OUT_OF_ORDER", message: expect.stringMatching(/V1.5__late.sql has a version below the last applied version 1.10/) });
    expect(await tables()).not.toContain("late");

    const result = await run(late, { allowOutOfOrder: true });
    expect(result.applied.map((m) => m.script)).toEqual(["V1.5__late.sql"]);
    expect(await tables()).toContain("late");
  });

  test("dry run lists what would be applied and changes nothing", async () => {
    const result = await run(base, { dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.wouldApply.map((m) => m.version)).toEqual(["1", "1.9", "1.10"]);
    expect(await tables()).toEqual([]);
  });

  test("a target version stops there", async () => {
    const result = await run(base, { target: "1.9" });
    expect(result.applied.map((m) => m.version)).toEqual(["1", "1.9"]);
    expect(await tables()).not.toContain("items");
    expect((await run(base)).applied.map((m) => m.version)).toEqual(["1.10"]);
  });

  test("info lists applied, pending, out-of-order and changed migrations without changing anything", async () => {
    await run(base, { target: "1.9" });
    const rows = await info({
      engine,
      connection: db.url,
      source: memorySource({ ...base, "V1__create_users.sql": "-- edited", "V1.5__late.sql": "SELECT 1;" }),
    });
    expect(rows.map((r) => [r.version, r.state])).toEqual([
      ["1", "changed"],
      ["1.5", "out-of-order"],
      ["1.9", "applied"],
      ["1.10", "pending"],
    ]);
    expect(rows[2]!.appliedBy).toBe("tester@ci");
  });

  test("a statement the database rejects stops the run with file, statement number, line and the database's message", async () => {
    const files = { ...base, "V2__broken.sql": "CREATE TABLE ok_one (id int);\n\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE never (id int);" };
    const error = await run(files).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MIGRATION_FAILED" });
    expect((error as Error).message).toMatch(/^V2__broken.sql \(statement 2, line 3\): .*no_such_table/);
    expect(await tables()).not.toContain("never");
  });

  test("with many files, a failure keeps and reports every file before it and applies none after it", async () => {
    // GIVEN 60 files, the 55th of which fails
    const files: Record<string, string> = {};
    for (let i = 1; i <= 60; i++) files[`V${i}__t${i}.sql`] = i === 55 ? "INSERT INTO missing_table VALUES (1);" : `CREATE TABLE t${i} (id int);`;
    const reported: string[] = [];
    // WHEN
    const error = await run(files, { onProgress: (e) => e.type === "applied" && reported.push(e.migration.version) }).catch((e: unknown) => e);
    // THEN
    expect((error as Error).message).toMatch(/^V55__t55.sql \(statement 1, line 1\): .*missing_table/);
    expect(reported).toEqual(Array.from({ length: 54 }, (_, i) => String(i + 1)));
    const succeeded = await db.query(`SELECT count(*) AS n FROM ${HISTORY} WHERE success = ${engine === "postgres" ? "true" : "1"}`);
    expect(Number(succeeded[0]!.n)).toBe(54);
    expect(await tables()).not.toContain("t56");
  });

  test("two runs started at the same time: one applies everything, the other waits and then finds nothing to do", async () => {
    const files = { ...base, "V2__slow.sql": sleepSql(engine, 0.6) };
    const [a, b] = await Promise.all([run(files, { lockTimeoutMs: 20_000 }), run(files, { lockTimeoutMs: 20_000 })]);
    expect([a.applied.length, b.applied.length].sort()).toEqual([0, 4]);
    expect(await history()).toHaveLength(4);
  });

  test("a run that cannot get the lock in time fails with the lock's name and how long it waited", async () => {
    const files = { ...base, "V2__slow.sql": sleepSql(engine, 2) };
    let second: Promise<unknown> | undefined;
    const first = run(files, {
      onProgress: (e) => {
        if (e.type === "locked") second = run(files, { lockTimeoutMs: 300 }).catch((error: unknown) => error);
      },
    });
    await first;
    const error = await second;
    expect(error).toMatchObject({ code: "LOCK_TIMEOUT" });
    expect((error as Error).message).toMatch(/gave up after waiting 0\.[2-9] s for the migration lock, (PostgreSQL advisory lock -?\d+|MySQL lock GET_LOCK\('migration:eng_\w+:schema_migration_history'\))/);
    expect(await history()).toHaveLength(4);
  });
});

describe("PostgreSQL: each migration is one transaction", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase("postgres");
  });
  afterEach(async () => {
    await db.drop();
  });
  const run = (files: Record<string, string>) => migrate({ engine: "postgres", connection: db.url, source: memorySource(files) });

  test("a failure rolls the whole file back and records nothing; earlier files stay applied; the fixed file applies later", async () => {
    // GIVEN a file whose second statement fails after the first created a table
    const good = { "V1__a.sql": "CREATE TABLE a (id int);" };
    const broken = { ...good, "V2__b.sql": "CREATE TABLE b (id int);\nINSERT INTO b VALUES ('not a number');" };
    // WHEN
    await expect(run(broken)).rejects.toThrow(/^V2__b.sql \(statement 2, line 2\): invalid input syntax for type integer/);
    // THEN nothing of V2 remains, V1 does
    expect(await db.query("SELECT to_regclass('b') AS b, to_regclass('a') AS a")).toEqual([{ a: "a", b: null }]);
    expect(await db.query("SELECT version FROM schema_migration_history")).toEqual([{ version: "1" }]);
    // AND the fixed file is applied by the next run
    const fixed = await run({ ...good, "V2__b.sql": "CREATE TABLE b (id int);\nINSERT INTO b VALUES (2);" });
    expect(fixed.applied.map((m) => m.version)).toEqual(["2"]);
  });

  test("a syntax error is located by the server's position", async () => {
    await expect(run({ "V1__a.sql": "CREATE TABLE a (id int);\nSELECT 1;\nSELEC 2;" })).rejects.toThrow(/^V1__a.sql \(statement 3, line 3\): syntax error at or near "SELEC"/);
  });

  test("transaction control inside a file is refused before anything runs", async () => {
    await expect(run({ "V1__a.sql": "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;" })).rejects.toThrow(/V1__a.sql \(statement 1, line 1\): BEGIN is not allowed/);
    expect(await db.query("SELECT to_regclass('a') AS a")).toEqual([{ a: null }]);
  });

  test("functions with dollar-quoted bodies apply", async () => {
    await run({ "V1__fn.sql": "CREATE FUNCTION two() RETURNS int AS $$ BEGIN RETURN 2; END; $$ LANGUAGE plpgsql;\nCREATE TABLE t AS SELECT two() AS v;" });
    expect(await db.query("SELECT v FROM t")).toEqual([{ v: 2 }]);
  });
});

describe("MySQL: a failure is recorded and blocks later runs until repaired", () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase("mysql");
  });
  afterEach(async () => {
    await db.drop();
  });
  const run = (files: Record<string, string>) => migrate({ engine: "mysql", connection: db.url, source: memorySource(files) });
  const halfApplied = {
    "V1__a.sql": "CREATE TABLE a (id int);",
    "V2__b.sql": "CREATE TABLE b (id int);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE c (id int);",
  };

  async function failOnce(): Promise<void> {
    await expect(run(halfApplied)).rejects.toThrow(/^V2__b.sql \(statement 2, line 2\): .*missing_table.* The failure is recorded/);
  }

  test("a `?` in a file is text, not a parameter of the history rows that travel with it", async () => {
    await run({ "V1__q.sql": "CREATE TABLE q (s varchar(20));\nINSERT INTO q VALUES ('what?');" });
    expect(await db.query("SELECT s FROM q")).toEqual([{ s: "what?" }]);
    const [row] = await db.query("SELECT success, error, duration_ms >= 0 AS timed FROM schema_migration_history");
    expect(row).toEqual({ success: 1, error: null, timed: 1 });
  });

  test("a failing last statement leaves the file recorded as failed and its data after the last DDL undone", async () => {
    const files = { "V1__a.sql": "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nINSERT INTO missing_table VALUES (1);" };
    await expect(run(files)).rejects.toThrow(/^V1__a.sql \(statement 3, line 3\): .*missing_table/);
    expect(await db.query("SELECT id FROM a")).toEqual([]);
    expect(await db.query("SELECT success FROM schema_migration_history")).toEqual([{ success: 0 }]);
  });

  test("a failing first statement (sent with the started row) is recorded as failed", async () => {
    await expect(run({ "V1__a.sql": "INSERT INTO missing_table VALUES (1);" })).rejects.toThrow(/^V1__a.sql \(statement 1, line 1\): .*missing_table/);
    expect(await db.query("SELECT version, success FROM schema_migration_history")).toEqual([{ version: "1", success: 0 }]);
  });

  test("the failure is recorded with success = false and its error", async () => {
    await failOnce();
    const rows = await db.query("SELECT version, success, error FROM schema_migration_history ORDER BY version");
    expect(rows).toEqual([
      { version: "1", success: 1, error: null },
      { version: "2", success: 0, error: expect.stringMatching(/statement 2, line 2.*missing_table/) },
    ]);
  });

  test("later runs refuse to continue, naming the failed file and the repair command", async () => {
    await failOnce();
    const fixed = { ...halfApplied, "V3__d.sql": "CREATE TABLE d (id int);" };
    await expect(run(fixed)).rejects.toMatchObject({
      code: "FAILED_MIGRATION_PENDING",
      message: expect.stringMatching(/V2__b.sql \(version 2\) failed on .* may be partly applied.*run repair/),
    });
    expect((await db.query("SHOW TABLES LIKE 'd'")).length).toBe(0);
  });

  test("repair removes the failed record, so the fixed file runs again", async () => {
    await failOnce();
    // The user undoes the half-applied part by hand and fixes the file.
    await db.query("DROP TABLE b");
    const result = await repair({ engine: "mysql", connection: db.url, source: memorySource(halfApplied) });
    expect(result).toEqual({ removed: ["2"], markedApplied: [], checksumsAccepted: [], forgotten: [] });
    const fixed = { ...halfApplied, "V2__b.sql": "CREATE TABLE b (id int);\nCREATE TABLE c (id int);" };
    expect((await run(fixed)).applied.map((m) => m.version)).toEqual(["2"]);
    expect((await db.query("SELECT success FROM schema_migration_history WHERE version = '2'"))[0]).toEqual({ success: 1 });
  });

  test("repair --mark-applied records the failed file as applied with the current file's checksum", async () => {
    await failOnce();
    // The user completes the migration by hand and fixes the file to match.
    await db.query("CREATE TABLE c (id int)");
    const completed = { ...halfApplied, "V2__b.sql": "CREATE TABLE b (id int);\nCREATE TABLE c (id int);" };
    const result = await repair({ engine: "mysql", connection: db.url, source: memorySource(completed), markApplied: true });
    expect(result).toEqual({ removed: [], markedApplied: ["2"], checksumsAccepted: [], forgotten: [] });
    expect((await run(completed)).applied).toEqual([]);
  });

  test("procedures and triggers in DELIMITER blocks apply", async () => {
    await run({
      "V1__proc.sql": `CREATE TABLE t (id int);
DELIMITER //
CREATE TRIGGER t_double BEFORE INSERT ON t FOR EACH ROW
BEGIN
  SET NEW.id = NEW.id * 2;
END//
CREATE PROCEDURE add_one(IN v int)
BEGIN
  INSERT INTO t VALUES (v);
END //
DELIMITER ;
CALL add_one(21);`,
    });
    expect(await db.query("SELECT id FROM t")).toEqual([{ id: 42 }]);
  });

  test("a failure after a procedure (sent alone) names its own statement, and the procedure before it was created", async () => {
    const files = {
      "V1__proc.sql": `CREATE TABLE t (id int);
DELIMITER //
CREATE PROCEDURE add_one(IN v int)
BEGIN
  INSERT INTO t VALUES (v);
END //
DELIMITER ;
CALL add_one(1);
INSERT INTO missing_table VALUES (1);`,
    };
    await expect(run(files)).rejects.toThrow(/^V1__proc.sql \(statement 4, line 9\): .*missing_table/);
    expect(await db.query("SELECT ROUTINE_NAME AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()")).toEqual([{ name: "add_one" }]);
    // The CALL's row was not committed by any DDL after it: undone with the failure.
    expect(await db.query("SELECT id FROM t")).toEqual([]);
  });

  test("a procedure (sent alone) that the server rejects is named as the failing statement", async () => {
    const files = {
      "V1__proc.sql": `CREATE TABLE t (id int);
DELIMITER //
CREATE PROCEDURE broken()
BEGIN
  SELEC 1;
END //
DELIMITER ;`,
    };
    await expect(run(files)).rejects.toThrow(/^V1__proc.sql \(statement 2, line 3\): .*syntax/);
  });

  test("a file longer than the server's packet limit applies whole, and a failure in a later round trip names its statement", async () => {
    // 180 statements of 100 KiB: more SQL than max_allowed_packet (16 MiB here) allows in one round trip
    const filler = "x".repeat(100 * 1024);
    const inserts = (table: string) => Array.from({ length: 180 }, (_, i) => `INSERT INTO ${table} VALUES (${i + 1}, '${filler}');`);
    const big = ["CREATE TABLE big (id int PRIMARY KEY, s longtext);", ...inserts("big")].join("\n");
    await run({ "V1__big.sql": big });
    expect(await db.query("SELECT count(*) AS n, sum(length(s)) AS bytes FROM big")).toEqual([{ n: 180, bytes: String(180 * 100 * 1024) }]);

    const failing = ["CREATE TABLE big2 (id int PRIMARY KEY, s longtext);", ...inserts("big2"), "INSERT INTO missing_table VALUES (1);"].join("\n");
    const error = await run({ "V1__big.sql": big, "V2__big2.sql": failing }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^V2__big2.sql \(statement 182, line 182\): .*missing_table/);
    // Everything after the DDL was one transaction with the failure: undone
    expect(await db.query("SELECT count(*) AS n FROM big2")).toEqual([{ n: 0 }]);
  });
});
