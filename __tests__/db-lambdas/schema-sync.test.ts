import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { silentServer } from "../helpers/silent-server";
import { createTestDatabase, ENGINES, type TestDatabase } from "../engine/helpers/databases";
import { handleSchemaSync, SchemaSyncFailedError } from "../../lambdas/schema-sync/handler-logic";
import type { DatabaseSyncConfig, DatabaseTarget } from "../../lambdas/shared/database-sync-config";
import { PROMOTION_METADATA, sha256 } from "../../lambdas/shared/promotion";
import { capture } from "../lambdas/helpers";
import { BUCKET, databaseTarget, objectCreated, runFixture, textOf } from "./helpers";

const V1 = "CREATE TABLE currency (code CHAR(3) PRIMARY KEY, name VARCHAR(50) NOT NULL);\n";
const V2 = "CREATE INDEX currency_name ON currency (name);\n";
/** Applied items carry the history table's time of the migration (a real clock), not the event's. */
const APPLIED_AT = expect.stringMatching(/^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const BROKEN = "CREATE TABLE broken (id INT PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n";

describe.each(ENGINES)("schema sync on %s", (engine) => {
  let db: TestDatabase;
  let config: DatabaseSyncConfig;
  const fx = runFixture(engine);

  beforeEach(async () => {
    db = await createTestDatabase(engine, "schemasync");
    fx.s3.reset();
    fx.ledger.reset();
    fx.captured = capture();
    config = {
      environment: "dev",
      region: "us-east-1",
      ledgerTableName: "app-dev-replication-ledger",
      metricsNamespace: "Test",
      databases: [databaseTarget(db)],
      location: { bucket: BUCKET, prefix: "migrations/", promotion: { bucket: BUCKET, prefix: "promote/staging/migrations/" } },
      tls: "off",
    };
  });
  afterEach(() => db.drop());

  const history = async () => (await db.query("SELECT version FROM schema_migration_history ORDER BY version")).map((r) => String(r.version));

  test("an Object Created event applies the migration, records it in the ledger and promotes it", async () => {
    // GIVEN a new migration in the environment's migrations folder
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    // WHEN the Object Created event arrives
    const result = await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config));
    // THEN the table exists, the history and the ledger hold version 1, and the file is copied to the promotion folder
    expect(result).toMatchObject({ status: "done", databases: [{ database: "ledger", status: "applied", applied: ["V1__currency.sql"], currentVersion: "1" }] });
    await db.query("SELECT code FROM currency");
    expect(await history()).toEqual(["1"]);
    expect(fx.ledger.items()).toEqual([
      expect.objectContaining({ pk: "SCHEMA#dev", sk: `ledger#${"1".padStart(20, "0")}`, kind: "schema", status: "applied", version: "1", checksum: sha256(V1), occurredAt: APPLIED_AT }),
    ]);
    const copy = fx.s3.get("promote/staging/migrations/ledger/V1__currency.sql");
    expect(textOf(copy!.body)).toBe(V1);
    expect(copy?.metadata).toMatchObject({ [PROMOTION_METADATA.sha256]: sha256(V1), [PROMOTION_METADATA.from]: "dev" });
    expect(fx.captured.metricValues("MigrationsApplied", { Database: "ledger" })).toEqual([1]);
  });

  test("a repeated event applies nothing twice and promotes nothing twice", async () => {
    // GIVEN a migration already applied and promoted by a first event
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config));
    // WHEN the same event is delivered again
    const again = await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config));
    // THEN the engine's history makes it a no-op and the promoted copy is left alone
    expect(again).toMatchObject({ status: "done", databases: [{ status: "applied", applied: [], promoted: [{ action: "unchanged" }] }] });
    expect(await history()).toEqual(["1"]);
    expect(fx.s3.copies()).toEqual(["promote/staging/migrations/ledger/V1__currency.sql"]);
    expect(fx.ledger.items()).toHaveLength(1);
  });

  test("a failing migration promotes nothing and records the failure", async () => {
    // GIVEN a good and a broken migration
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("migrations/ledger/V2__broken.sql", BROKEN);
    // WHEN the event for the broken one arrives
    const run = handleSchemaSync(objectCreated("migrations/ledger/V2__broken.sql"), fx.deps(config));
    // THEN the run fails, names the file, copies nothing and records version 2 as failed
    await expect(run).rejects.toThrow(SchemaSyncFailedError);
    await expect(run).rejects.toThrow(/ledger \(V2__broken\.sql .*no_such_table/);
    expect(fx.s3.copies()).toEqual([]);
    expect(fx.ledger.items()).toContainEqual(expect.objectContaining({ kind: "schema", version: "2", status: "failed", error: expect.stringMatching(/V2__broken\.sql/) }));
    expect(fx.captured.metricValues("MigrationFailures", { Database: "ledger" })).toEqual([1]);
  });

  test("a key outside the function's prefix is ignored with a log line", async () => {
    // GIVEN files outside migrations/: the promotion folder (the function's own copies) and another folder
    fx.s3.put("promote/staging/migrations/ledger/V1__currency.sql", V1);
    for (const key of ["promote/staging/migrations/ledger/V1__currency.sql", "reference-data/ledger/currency.json", "migrations/ledger/nested/V1__x.sql", "migrations/unknown/V1__x.sql"]) {
      // WHEN its event arrives
      const result = await handleSchemaSync(objectCreated(key), fx.deps(config));
      // THEN nothing runs
      expect(result).toMatchObject({ status: "ignored" });
    }
    expect(fx.s3.mock.calls()).toHaveLength(0);
    expect(fx.captured.lines.filter((l) => l.includes("event ignored"))).toHaveLength(4);
  });

  test("a manual dry run lists the pending migrations and applies, records and promotes nothing", async () => {
    // GIVEN two pending migrations
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("migrations/ledger/V2__currency_name.sql", V2);
    // WHEN invoked by hand with dryRun
    const result = await handleSchemaSync({ database: "ledger", dryRun: true }, fx.deps(config));
    // THEN both are listed and nothing changed
    expect(result).toMatchObject({ status: "done", databases: [{ status: "dry-run", wouldApply: ["V1__currency.sql", "V2__currency_name.sql"] }] });
    expect(await db.query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name IN ('currency', 'schema_migration_history') AND table_schema = " + (engine === "postgres" ? "'public'" : "DATABASE()"))).toEqual([{ n: engine === "postgres" ? "0" : 0 }]);
    expect(fx.ledger.items()).toEqual([]);
    expect(fx.s3.copies()).toEqual([]);
  });
});

describe("schema sync on postgres: promotion order", () => {
  let db: TestDatabase;
  const fx = runFixture("postgres");
  const configFor = (promotion: boolean): DatabaseSyncConfig => ({
    environment: "staging",
    region: "us-east-1",
    ledgerTableName: "ledger",
    metricsNamespace: "Test",
    databases: [databaseTarget(db)],
    location: { bucket: BUCKET, prefix: "promote/staging/migrations/", promotion: promotion ? { bucket: BUCKET, prefix: "promote/prod/migrations/" } : undefined },
    tls: "off",
  });

  beforeEach(async () => {
    db = await createTestDatabase("postgres", "schemasync");
    fx.s3.reset();
    fx.ledger.reset();
  });
  afterEach(() => db.drop());

  test("promotion copies only after success: a fixed migration promotes every applied file", async () => {
    // GIVEN V1 and a broken V2 arriving from the previous environment
    fx.s3.put("promote/staging/migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("promote/staging/migrations/ledger/V2__currency_name.sql", BROKEN);
    await expect(handleSchemaSync(objectCreated("promote/staging/migrations/ledger/V2__currency_name.sql", "evt-1"), fx.deps(configFor(true)))).rejects.toThrow(SchemaSyncFailedError);
    expect(fx.s3.copies()).toEqual([]);
    // WHEN V2 is fixed (PostgreSQL rolled the failed file back) and its event arrives
    fx.s3.put("promote/staging/migrations/ledger/V2__currency_name.sql", V2);
    await handleSchemaSync(objectCreated("promote/staging/migrations/ledger/V2__currency_name.sql", "evt-2"), fx.deps(configFor(true)));
    // THEN both files are copied to the next environment's folder, in version order
    expect(fx.s3.copies()).toEqual(["promote/prod/migrations/ledger/V1__currency.sql", "promote/prod/migrations/ledger/V2__currency_name.sql"]);
    expect(fx.ledger.items()).toContainEqual(expect.objectContaining({ version: "2", status: "applied", occurredAt: APPLIED_AT }));
  });

  test("a manual run with a target applies and promotes up to that version only", async () => {
    fx.s3.put("promote/staging/migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("promote/staging/migrations/ledger/V2__currency_name.sql", V2);
    const result = await handleSchemaSync({ database: "ledger", target: "1" }, fx.deps(configFor(true)));
    expect(result).toMatchObject({ databases: [{ applied: ["V1__currency.sql"], currentVersion: "1" }] });
    expect(fx.s3.copies()).toEqual(["promote/prod/migrations/ledger/V1__currency.sql"]);
  });

  test("the last environment applies without promoting", async () => {
    fx.s3.put("promote/staging/migrations/ledger/V1__currency.sql", V1);
    const result = await handleSchemaSync(objectCreated("promote/staging/migrations/ledger/V1__currency.sql"), fx.deps(configFor(false)));
    expect(result).toMatchObject({ databases: [{ status: "applied", applied: ["V1__currency.sql"], promoted: [] }] });
    expect(fx.s3.copies()).toEqual([]);
  });

  test("a manual invocation naming an unknown database is refused", async () => {
    await expect(handleSchemaSync({ database: "nope" }, fx.deps(configFor(true)))).rejects.toThrow(/database nope is not configured \(known: ledger\)/);
  });
});

describe("schema sync on postgres: the engine under faults", () => {
  let db: TestDatabase;
  const fx = runFixture("postgres");
  const config = (overrides: Partial<DatabaseTarget> = {}): DatabaseSyncConfig => ({
    environment: "dev",
    region: "us-east-1",
    ledgerTableName: "ledger",
    metricsNamespace: "Test",
    databases: [{ ...databaseTarget(db), ...overrides }],
    location: { bucket: BUCKET, prefix: "migrations/", promotion: { bucket: BUCKET, prefix: "promote/staging/migrations/" } },
    tls: "off",
  });
  const history = async () => (await db.query("SELECT version FROM schema_migration_history ORDER BY applied_at, version")).map((r) => String(r.version));
  const V3 = "ALTER TABLE currency ADD COLUMN symbol VARCHAR(4);\n";

  beforeEach(async () => {
    db = await createTestDatabase("postgres", "schemafaults");
    fx.s3.reset();
    fx.ledger.reset();
    fx.captured = capture();
  });
  afterEach(() => db.drop());

  test("promotion writes the bytes that ran, with their VersionId, even when the key is overwritten during the run", async () => {
    // GIVEN V1, overwritten with untested content right after the engine read it
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    const ran = fx.s3.get("migrations/ledger/V1__currency.sql")!.versionId;
    fx.s3.afterGet = (key) => {
      if (key === "migrations/ledger/V1__currency.sql" && fx.s3.get(key)!.body === V1) fx.s3.put(key, "DROP TABLE currency;\n");
    };
    // WHEN its event is handled
    await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config()));
    // THEN the promoted copy holds what was applied, not what the key holds now
    const copy = fx.s3.get("promote/staging/migrations/ledger/V1__currency.sql")!;
    expect(textOf(copy.body)).toBe(V1);
    expect(copy.metadata).toMatchObject({ [PROMOTION_METADATA.sha256]: sha256(V1), [PROMOTION_METADATA.sourceVersionId]: ran });
  });

  test("a migration saved with a byte order mark is applied and promoted byte for byte, the mark kept", async () => {
    // GIVEN V1 as a Windows editor saves it: a UTF-8 BOM, then the statement
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(V1)]);
    fx.s3.put("migrations/ledger/V1__currency.sql", withBom);
    // WHEN its event is handled
    await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config()));
    // THEN the promoted copy holds exactly the uploaded bytes, and its checksum is theirs
    const copy = fx.s3.get("promote/staging/migrations/ledger/V1__currency.sql")!;
    expect(Buffer.from(copy.body as Uint8Array).equals(Buffer.from(withBom))).toBe(true);
    expect(copy.metadata).toMatchObject({ [PROMOTION_METADATA.sha256]: sha256(withBom) });
  });

  test("a migration that is not UTF-8 is refused with its name; nothing is applied or promoted", async () => {
    // GIVEN a file saved as Latin-1 ("é" is the single byte 0xe9)
    fx.s3.put("migrations/ledger/V1__currency.sql", new Uint8Array([...new TextEncoder().encode("INSERT INTO x VALUES ('caf"), 0xe9, ...new TextEncoder().encode("');\n")]));
    // WHEN its event is handled
    const run = handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config()));
    // THEN the run fails naming the file and the encoding, and promotes nothing
    await expect(run).rejects.toThrow(/V1__currency\.sql.*UTF-8|UTF-8.*V1__currency\.sql/);
    expect(fx.s3.copies()).toEqual([]);
    expect(fx.ledger.items().filter((item: any) => item.status === "applied")).toEqual([]);
  });

  test("files of one parallel upload are applied in version order whichever event arrives first", async () => {
    // GIVEN V2's upload finished just now and V1's is still in flight
    let clock = Date.parse("2024-05-01T12:00:00Z");
    fx.s3.put("migrations/ledger/V2__currency_name.sql", V2, BUCKET, undefined, new Date(clock));
    const sleeps: number[] = [];
    const deps = {
      ...fx.deps(config()),
      now: () => new Date(clock),
      sleep: async (ms: number) => {
        sleeps.push(ms);
        // V1's upload completes while the run waits for the folder to settle.
        if (sleeps.length === 1) fx.s3.put("migrations/ledger/V1__currency.sql", V1, BUCKET, undefined, new Date(clock + 500));
        clock += ms;
      },
    };
    // WHEN V2's event is handled first
    const result = await handleSchemaSync(objectCreated("migrations/ledger/V2__currency_name.sql"), deps);
    // THEN the run waited for the upload to settle and applied V1 before V2
    expect(result).toMatchObject({ databases: [{ status: "applied", applied: ["V1__currency.sql", "V2__currency_name.sql"] }] });
    expect(await history()).toEqual(["1", "2"]);
    expect(sleeps.length).toBeGreaterThan(0);
    // AND V1's own event, arriving afterwards, finds nothing to do (the database is not stuck refusing it)
    const late = await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql", "evt-2"), deps);
    expect(late).toMatchObject({ databases: [{ status: "applied", applied: [] }] });
  });

  test("a late file below the applied version is refused by default and applied where the database allows it", async () => {
    // GIVEN V1 and V3 applied, then V2 arriving late
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("migrations/ledger/V3__symbol.sql", V3);
    await handleSchemaSync(objectCreated("migrations/ledger/V3__symbol.sql"), fx.deps(config()));
    fx.s3.put("migrations/ledger/V2__currency_name.sql", V2);
    // WHEN its event arrives for a database without allowOutOfOrder
    const refused = handleSchemaSync(objectCreated("migrations/ledger/V2__currency_name.sql", "evt-2"), fx.deps(config()));
    // THEN it is refused with the engine's reason, naming the file
    await expect(refused).rejects.toThrow(/V2__currency_name\.sql has a version below the last applied version 3/);
    expect(await history()).toEqual(["1", "3"]);
    // WHEN the database allows out-of-order migrations
    const allowed = await handleSchemaSync(objectCreated("migrations/ledger/V2__currency_name.sql", "evt-3"), fx.deps(config({ allowOutOfOrder: true })));
    // THEN the late file is applied and recorded
    expect(allowed).toMatchObject({ databases: [{ status: "applied", applied: ["V2__currency_name.sql"] }] });
    expect(await history()).toEqual(["1", "3", "2"]);
    expect(fx.ledger.table().filter((i) => i.kind === "schema" && (i as { status: string }).status === "applied").map((i) => (i as { version: string }).version).sort()).toEqual(["1", "2", "3"]);
  });

  test("a migration applied when the ledger write failed is recorded by the next run, once", async () => {
    // GIVEN V1 committed by a run whose ledger writes all failed (as if the function died after the commit)
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    fx.ledger.failWrites(true);
    await expect(handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config()))).rejects.toThrow(/ETIMEDOUT/);
    expect(await history()).toEqual(["1"]);
    fx.ledger.failWrites(false);
    // WHEN the event is delivered again, twice
    await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config()));
    await handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), fx.deps(config()));
    // THEN the ledger holds V1 as applied, written exactly once
    expect(fx.ledger.items()).toEqual([expect.objectContaining({ kind: "schema", version: "1", status: "applied", checksum: sha256(V1), occurredAt: APPLIED_AT })]);
  });

  test("a syntax error in a group of files: the run names the file and line, records the earlier file as applied and the broken one as failed", async () => {
    // GIVEN three files uploaded together, the second with a syntax error on its third line
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("migrations/ledger/V2__broken.sql", "CREATE INDEX currency_name ON currency (name);\n\nCREAT TABLE oops (id INT);\n");
    fx.s3.put("migrations/ledger/V3__symbol.sql", V3);
    // WHEN the run happens
    const run = handleSchemaSync(objectCreated("migrations/ledger/V3__symbol.sql"), fx.deps(config()));
    // THEN it fails naming V2 and the line of the bad statement, and stops there
    await expect(run).rejects.toThrow(SchemaSyncFailedError);
    await expect(run).rejects.toThrow(/V2__broken\.sql \(statement 2, line 3\): syntax error at or near "CREAT"/);
    expect(await history()).toEqual(["1"]);
    // AND the ledger holds V1 applied and V2 failed, nothing of V3, and nothing was promoted
    const schema = fx.ledger.table().map((i) => [(i as { version: string }).version, (i as { status: string }).status]);
    expect(schema.sort()).toEqual([["1", "applied"], ["2", "failed"]]);
    expect(fx.ledger.table().find((i) => (i as { version: string }).version === "2")).toMatchObject({ error: expect.stringMatching(/V2__broken\.sql \(statement 2, line 3\)/), checksum: expect.any(String) });
    expect(fx.s3.copies()).toEqual([]);
    expect(fx.captured.metricValues("MigrationFailures", { Database: "ledger" })).toEqual([1]);
  });

  test("a statement that would outlast the invocation is cancelled by the server before the function is stopped, and the file is named", async () => {
    // GIVEN a migration that sleeps for 25 s, and a function with 3 s left and a 1 s margin
    fx.s3.put("migrations/ledger/V1__slow.sql", "SELECT pg_sleep(25);\n");
    const deps = { ...fx.deps(config()), remainingTimeMs: () => 3_000, timing: { fileStartReserveMs: 0, statementMarginMs: 1_000 } };
    // WHEN the run happens
    const started = Date.now();
    const run = handleSchemaSync(objectCreated("migrations/ledger/V1__slow.sql"), deps);
    // THEN the server cancels the statement after about 2 s, the run fails naming the file, and nothing is recorded as applied
    await expect(run).rejects.toThrow(/V1__slow\.sql.*(statement timeout|canceling statement)/);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await history()).toEqual([]);
  });

  test("with too little time left the next file is not started; it is reported and left for the next invocation", async () => {
    // GIVEN two pending files and a function with time for one
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    fx.s3.put("migrations/ledger/V2__currency_name.sql", V2);
    const left = [120_000, 30_000];
    const deps = { ...fx.deps(config()), remainingTimeMs: () => left.shift() ?? 30_000 };
    // WHEN the run happens
    const run = handleSchemaSync(objectCreated("migrations/ledger/V2__currency_name.sql"), deps);
    // THEN V1 is applied, recorded and promoted, V2 is left (the invocation fails so Lambda retries it)
    await expect(run).rejects.toThrow(/left V2__currency_name\.sql of ledger for the next invocation/);
    expect(await history()).toEqual(["1"]);
    expect(fx.ledger.items().map((i) => (i as { version: string }).version)).toEqual(["1"]);
    expect(fx.s3.copies()).toEqual(["promote/staging/migrations/ledger/V1__currency.sql"]);
    expect(fx.captured.metricValues("MigrationsDeferred", { Database: "ledger" })).toEqual([1]);
    // AND the next invocation, with time, applies V2
    const next = await handleSchemaSync(objectCreated("migrations/ledger/V2__currency_name.sql", "evt-2"), fx.deps(config()));
    expect(next).toMatchObject({ databases: [{ status: "applied", applied: ["V2__currency_name.sql"] }] });
  });

  test("a folder longer than one ListObjectsV2 page is applied in full (the fake lists two keys a page)", async () => {
    // GIVEN five migrations: three pages of listing
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    for (const v of [2, 3, 4, 5]) fx.s3.put(`migrations/ledger/V${v}__t${v}.sql`, `CREATE TABLE t${v} (id INT PRIMARY KEY);\n`);
    // WHEN one event is handled
    const result = await handleSchemaSync(objectCreated("migrations/ledger/V5__t5.sql"), fx.deps(config()));
    // THEN every page was read and all five applied, recorded and promoted
    expect(fx.s3.mock.commandCalls(ListObjectsV2Command).some((c) => c.args[0].input.ContinuationToken !== undefined)).toBe(true);
    expect(result).toMatchObject({ databases: [{ applied: ["V1__currency.sql", "V2__t2.sql", "V3__t3.sql", "V4__t4.sql", "V5__t5.sql"] }] });
    expect(await history()).toEqual(["1", "2", "3", "4", "5"]);
    expect(fx.ledger.items()).toHaveLength(5);
    expect(fx.s3.copies()).toHaveLength(5);
  });

  test("a database endpoint that accepts the connection but never answers fails the run within the connect timeout", async () => {
    // GIVEN an endpoint that accepts TCP connections and never speaks
    const silent = await silentServer();
    const port = silent.port;
    fx.s3.put("migrations/ledger/V1__currency.sql", V1);
    try {
      const started = Date.now();
      // WHEN the run connects to it
      const run = handleSchemaSync(objectCreated("migrations/ledger/V1__currency.sql"), { ...fx.deps(config({ port })), timing: { connectTimeoutMs: 300 } });
      // THEN it fails quickly with a message naming the endpoint and the timeout
      await expect(run).rejects.toThrow(new RegExp(`\\(cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port} within 0\\.3 s: `));
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await silent.close();
    }
  }, 15_000);
});
