import { createTestDatabase, ENGINES, type TestDatabase } from "../engine/helpers/databases";
import { DataSyncFailedError, handleDataSync } from "../../lambdas/data-sync/handler-logic";
import type { DatabaseSyncConfig } from "../../lambdas/shared/database-sync-config";
import { capture } from "../lambdas/helpers";
import { BUCKET, databaseTarget, objectCreated, runFixture } from "./helpers";

const CURRENCY = JSON.stringify([
  { code: "EUR", name: "Euro" },
  { code: "USD", name: "US Dollar" },
]);

describe.each(ENGINES)("data sync on %s", (engine) => {
  let db: TestDatabase;
  let config: DatabaseSyncConfig;
  const fx = runFixture(engine);

  beforeEach(async () => {
    db = await createTestDatabase(engine, "datasync");
    await db.query("CREATE TABLE currency (code CHAR(3) PRIMARY KEY, name VARCHAR(50) NOT NULL)");
    fx.s3.reset();
    fx.ledger.reset();
    fx.captured = capture();
    config = {
      environment: "dev",
      region: "us-east-1",
      ledgerTableName: "app-dev-replication-ledger",
      metricsNamespace: "Test",
      databases: [databaseTarget(db)],
      location: { bucket: BUCKET, prefix: "reference-data/", promotion: { bucket: BUCKET, prefix: "promote/staging/reference-data/" } },
      tls: "off",
    };
  });
  afterEach(() => db.drop());

  test("an Object Created event syncs the table, its counts reach the ledger and metrics, and the file is promoted", async () => {
    // GIVEN a reference-data file for an empty table
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    // WHEN its event arrives
    const result = await handleDataSync(objectCreated("reference-data/ledger/currency.json", "evt-7"), fx.deps(config));
    // THEN the rows are in, the ledger holds the counts under the event's id, and the file is copied
    expect(result).toMatchObject({ status: "done", runId: "evt-7", databases: [{ status: "synced", tables: [{ table: "currency", inserted: 2, updated: 0 }] }] });
    expect((await db.query("SELECT code FROM currency ORDER BY code")).map((r) => r.code)).toEqual(["EUR", "USD"]);
    expect(fx.ledger.items()).toEqual([
      expect.objectContaining({ pk: "DATA#dev", sk: "ledger.currency#evt-7", kind: "data", status: "succeeded", rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0 }),
    ]);
    expect(fx.captured.metricValues("RowsInserted", { Database: "ledger" })).toEqual([2]);
    expect(fx.s3.copies()).toEqual(["promote/staging/reference-data/ledger/currency.json"]);
  });

  test("a repeated event changes no row and promotes nothing again", async () => {
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    await handleDataSync(objectCreated("reference-data/ledger/currency.json", "evt-1"), fx.deps(config));
    const again = await handleDataSync(objectCreated("reference-data/ledger/currency.json", "evt-1"), fx.deps(config));
    expect(again).toMatchObject({ databases: [{ tables: [{ inserted: 0, updated: 0, unchanged: 2 }], promoted: [{ action: "unchanged" }] }] });
    expect(fx.s3.copies()).toHaveLength(1);
  });

  test("a failing sync changes nothing, promotes nothing and records the failure", async () => {
    // GIVEN a file naming a column the table lacks
    fx.s3.put("reference-data/ledger/currency.json", JSON.stringify([{ code: "EUR", name: "Euro", symbol: "€" }]));
    const run = handleDataSync(objectCreated("reference-data/ledger/currency.json"), fx.deps(config));
    await expect(run).rejects.toThrow(DataSyncFailedError);
    await expect(run).rejects.toThrow(/currency\.json.*"symbol"/);
    expect(await db.query("SELECT code FROM currency")).toEqual([]);
    expect(fx.s3.copies()).toEqual([]);
    expect(fx.ledger.items()).toContainEqual(expect.objectContaining({ kind: "data", dataset: "ledger", status: "failed", error: expect.stringMatching(/symbol/) }));
    expect(fx.captured.metricValues("SyncFailures", { Database: "ledger" })).toEqual([1]);
  });

  test("a manual dry run reports counts and writes nothing", async () => {
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    const result = await handleDataSync({ dryRun: true }, fx.deps(config));
    expect(result).toMatchObject({ runId: "manual-request-1", databases: [{ status: "dry-run", tables: [{ inserted: 2 }] }] });
    expect(await db.query("SELECT code FROM currency")).toEqual([]);
    expect(fx.ledger.items()).toEqual([]);
    expect(fx.s3.copies()).toEqual([]);
  });

  test("a migration key is not this function's: ignored", async () => {
    const result = await handleDataSync(objectCreated("migrations/ledger/V1__x.sql"), fx.deps(config));
    expect(result).toEqual({ status: "ignored", reason: "key is outside reference-data/" });
    expect(fx.s3.mock.calls()).toHaveLength(0);
  });

  test("a re-delivered event keeps the ledger counts of the first delivery", async () => {
    // GIVEN a first delivery that inserted two rows
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    await handleDataSync(objectCreated("reference-data/ledger/currency.json", "evt-1"), fx.deps(config));
    // WHEN the same event is delivered again (it changes nothing, so it counts zero inserts)
    const again = await handleDataSync(objectCreated("reference-data/ledger/currency.json", "evt-1"), fx.deps(config));
    expect(again).toMatchObject({ databases: [{ tables: [{ inserted: 0, unchanged: 2 }] }] });
    // THEN the ledger item of that event still says what the first delivery did
    expect(fx.ledger.table()).toEqual([expect.objectContaining({ sk: "ledger.currency#evt-1", rowsInserted: 2, rowsUpdated: 0, rowsDeleted: 0 })]);
  });

  test("a multi-table sync records one ledger item per table with that table's counts", async () => {
    // GIVEN a second table whose rows reference the first, and rows already present in the first
    await db.query("CREATE TABLE country (code CHAR(2) PRIMARY KEY, currency CHAR(3) NOT NULL REFERENCES currency (code))");
    await db.query("INSERT INTO currency (code, name) VALUES ('EUR', 'Old name'), ('GBP', 'Pound')");
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    fx.s3.put("reference-data/ledger/country.csv", "code,currency\nDE,EUR\nFR,EUR\nUS,USD\n");
    // WHEN a manual run with pruning syncs both
    await handleDataSync({ prune: true }, fx.deps(config));
    // THEN each table has its own item, keyed by table and run, with its own counts
    const items = fx.ledger.table().map((i) => ({ sk: i.sk, status: (i as { status: string }).status, inserted: (i as { rowsInserted?: number }).rowsInserted, updated: (i as { rowsUpdated?: number }).rowsUpdated, deleted: (i as { rowsDeleted?: number }).rowsDeleted }));
    expect(items.sort((a, b) => a.sk.localeCompare(b.sk))).toEqual([
      { sk: "ledger.country#manual-request-1", status: "succeeded", inserted: 3, updated: 0, deleted: 0 },
      { sk: "ledger.currency#manual-request-1", status: "succeeded", inserted: 1, updated: 1, deleted: 1 },
    ]);
  });

  test("a manual prune that would empty most of a table is refused unless the invocation says allowMassPrune", async () => {
    // GIVEN a table of five currencies and a file that keeps two of them
    await db.query("INSERT INTO currency (code, name) VALUES ('EUR', 'Euro'), ('USD', 'US Dollar'), ('GBP', 'Pound'), ('JPY', 'Yen'), ('CHF', 'Franc')");
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    // WHEN a manual prune runs without saying it means it
    const refused = handleDataSync({ prune: true }, fx.deps(config));
    // THEN it fails naming the table, and every row is still there
    await expect(refused).rejects.toThrow(/currency/);
    expect(await db.query("SELECT code FROM currency")).toHaveLength(5);
    // WHEN the invocation says allowMassPrune
    await handleDataSync({ prune: true, allowMassPrune: true }, fx.deps(config));
    // THEN the three rows the file lacks are deleted
    expect((await db.query("SELECT code FROM currency ORDER BY code")).map((r) => r.code)).toEqual(["EUR", "USD"]);
  });

  test("allowMassPrune without prune is refused as an invalid invocation", async () => {
    await expect(handleDataSync({ allowMassPrune: true }, fx.deps(config))).rejects.toThrow(/allowMassPrune only applies with prune: true/);
  });

  test("with too little time left a database is not started; it is reported and the invocation fails so it is retried", async () => {
    fx.s3.put("reference-data/ledger/currency.json", CURRENCY);
    const run = handleDataSync(objectCreated("reference-data/ledger/currency.json"), { ...fx.deps(config), remainingTimeMs: () => 20_000 });
    await expect(run).rejects.toThrow(/Data sync left ledger for the next invocation \(too little time left\)/);
    expect(await db.query("SELECT code FROM currency")).toEqual([]);
    expect(fx.ledger.items()).toEqual([]);
    expect(fx.captured.metricValues("SyncsDeferred", { Database: "ledger" })).toEqual([1]);
  });
});
