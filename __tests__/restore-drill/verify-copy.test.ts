import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { memorySource, migrate, syncData, type EngineName } from "../../engine";
import { verifyDrillCopy, type VerifyEvent } from "../../lambdas/restore-drill-verify/verify-copy";
import { loadHandler } from "../lambdas/helpers";
import { createTestDatabase, ENGINES, type TestDatabase } from "../engine/helpers/databases";
import { testCa } from "../engine/helpers/tls";

const BUCKET = "replica-prod-artifacts-333333333333-eu-west-1";
const PREFIX = "promote/prod/reference-data/";
const TAKEN_AT = "2026-12-01T05:00:00.000Z";
const BEFORE = new Date("2026-11-20T10:00:00Z");
const AFTER = new Date("2026-12-01T09:00:00Z");

const migrations = memorySource({
  "V1__countries.sql": "CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(64) NOT NULL);",
  "V2__currencies.sql": "CREATE TABLE currencies (code CHAR(3) PRIMARY KEY, name VARCHAR(64) NOT NULL);",
});
const FILES: Record<string, string> = {
  "countries.csv": "code,name\nDE,Germany\nFR,France\n",
  "currencies.json": JSON.stringify([{ code: "EUR", name: "Euro" }]),
};

/** The DR bucket's data-sync folder of database `ledger`, as S3 lists and serves it. */
function drBucket(modified: Record<string, Date>) {
  const s3 = new S3Client({ region: "eu-west-1" });
  const stub = mockClient(s3);
  stub.on(ListObjectsV2Command).resolves({ Contents: Object.keys(FILES).map((name) => ({ Key: `${PREFIX}ledger/${name}`, LastModified: modified[name] ?? BEFORE })) });
  for (const [name, text] of Object.entries(FILES)) {
    stub.on(GetObjectCommand, { Bucket: BUCKET, Key: `${PREFIX}ledger/${name}` }).resolves({ Body: { transformToByteArray: async () => new TextEncoder().encode(text) } as never });
  }
  return { s3, stub };
}

function eventFor(db: TestDatabase): VerifyEvent {
  const url = new URL(db.url);
  return {
    engine: db.engine === "postgres" ? "postgres" : "mysql",
    connection: { host: "localhost", port: Number(url.port), user: decodeURIComponent(url.username), password: "", database: db.name },
    expectedSchemaVersion: "2",
    databaseName: "ledger",
    snapshotTakenAt: TAKEN_AT,
  };
}

describe.each(ENGINES)("the drill's verification step on %s", (engine: EngineName) => {
  let db: TestDatabase;
  beforeEach(async () => {
    // GIVEN a restored copy as the platform left it: migrations applied, reference data synced
    db = await createTestDatabase(engine, "drillv");
    await migrate({ engine, connection: db.url, source: migrations });
    await syncData({ engine, connection: db.url, source: memorySource(FILES), prune: true });
  });
  afterEach(() => db.drop());

  test("reads the database's folder of the DR bucket and passes when every table matches its file", async () => {
    const { s3, stub } = drBucket({});
    const result = await verifyDrillCopy(eventFor(db), { s3, bucket: BUCKET, dataPrefix: PREFIX, ssl: { ca: testCa() } });
    expect(result).toMatchObject({ ok: true, problems: [], skippedFiles: [] });
    expect(result.tables.map((t) => [t.table, t.differing]).sort()).toEqual([["countries", 0], ["currencies", 0]]);
    expect(stub.commandCalls(ListObjectsV2Command)[0].args[0].input).toMatchObject({ Bucket: BUCKET, Prefix: `${PREFIX}ledger/`, Delimiter: "/" });
  });

  test("names the table whose row the copy holds differently", async () => {
    await db.query("UPDATE countries SET name = 'Frankreich' WHERE code = 'FR'");
    const { s3 } = drBucket({});
    const result = await verifyDrillCopy(eventFor(db), { s3, bucket: BUCKET, dataPrefix: PREFIX, ssl: { ca: testCa() } });
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["countries differs from countries.csv in 1 row(s)"]);
  });

  test("a file changed after the snapshot was taken is skipped, not reported as a difference", async () => {
    // the table was synced from the newer file after the snapshot: the copy holds the old rows
    await db.query("DELETE FROM currencies");
    const { s3 } = drBucket({ "currencies.json": AFTER });
    const result = await verifyDrillCopy(eventFor(db), { s3, bucket: BUCKET, dataPrefix: PREFIX, ssl: { ca: testCa() } });
    expect(result).toMatchObject({ ok: true, skippedFiles: ["currencies.json"] });
    expect(result.tables.map((t) => t.table)).toEqual(["countries"]);
  });
});

describe("the verification function's wiring", () => {
  test("refuses to start without its bucket and data prefix", () => {
    expect(() => loadHandler("../../lambdas/restore-drill-verify/index", { AWS_REGION: "eu-west-1" })).toThrow(/ARTIFACTS_BUCKET, DATA_PREFIX/);
  });

  test("reads the configured bucket with its own S3 client and connects with verified TLS only", async () => {
    let listed: unknown;
    const { handler } = loadHandler<{ handler: (e: VerifyEvent) => Promise<unknown> }>(
      "../../lambdas/restore-drill-verify/index",
      { AWS_REGION: "eu-west-1", ARTIFACTS_BUCKET: BUCKET, DATA_PREFIX: PREFIX },
      (load) => {
        const sdk = load("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        mockClient(sdk.S3Client)
          .on(sdk.ListObjectsV2Command)
          .callsFake((input) => {
            listed = input;
            return { Contents: [] };
          });
      },
    );
    const db = await createTestDatabase("postgres", "drillv");
    try {
      // The local server's certificate comes from a CA Node does not trust: the function must refuse it.
      await expect(handler(eventFor(db))).rejects.toThrow(/certificate/i);
      expect(listed).toMatchObject({ Bucket: BUCKET, Prefix: `${PREFIX}ledger/` });
    } finally {
      await db.drop();
    }
  });
});
