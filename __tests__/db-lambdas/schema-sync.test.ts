import { createTestDatabase, ENGINES, type TestDatabase } from "../engine/helpers/databases";
import { handleSchemaSync, SchemaSyncFailedError } from "../../lambdas/schema-sync/handler-logic";
import type { DatabaseSyncConfig } from "../../lambdas/shared/database-sync-config";
import { PROMOTION_METADATA, sha256 } from "../../lambdas/shared/promotion";
import { capture } from "../lambdas/helpers";
import { BUCKET, databaseTarget, objectCreated, runFixture } from "./helpers";

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
    expect(copy?.body).toBe(V1);
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
