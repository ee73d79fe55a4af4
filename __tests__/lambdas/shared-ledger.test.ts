import { DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { LedgerWriter, MalformedLedgerItemError, latestAppliedSchemaVersions, ledgerItems, parseLedgerItem, sortableVersion } from "../../lambdas/shared/ledger";

const docMock = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));

beforeEach(() => docMock.reset());

const schemaInput = { environment: "dev", database: "orders", version: "42", status: "applied" as const, occurredAt: "2024-05-01T10:00:00.000Z", originRegion: "us-east-1" };

describe("ledger item keys", () => {
  test("a schema item is keyed by environment, database and sortable version", () => {
    const item = ledgerItems.schema(schemaInput);
    expect(item).toMatchObject({ pk: "SCHEMA#dev", sk: "orders#00000000000000000042", kind: "schema" });
    expect(item.expiresAt).toBeUndefined();
  });

  test("the same event always builds the same item (idempotent writes)", () => {
    expect(ledgerItems.schema(schemaInput)).toEqual(ledgerItems.schema({ ...schemaInput }));
  });

  test("a config item derives its TTL from the event time, not the write time", () => {
    const item = ledgerItems.config({
      environment: "dev",
      sourceEnvironment: "dev",
      targetEnvironment: "staging",
      sourceName: "/app/dev/config/a",
      targetName: "/app/staging/config/a",
      sourceVersion: 7,
      action: "mirrored",
      trigger: "event",
      occurredAt: "2024-01-01T00:00:00.000Z",
      originRegion: "us-east-1",
    });
    expect(item.pk).toBe("CONFIG#staging");
    expect(item.sk).toBe("/app/staging/config/a#00000000000000000007");
    expect(item.expiresAt).toBe(Date.parse("2024-01-01T00:00:00.000Z") / 1000 + 400 * 86_400);
  });

  test("canary markers expire after a day and results after thirty", () => {
    const base = { environment: "dev", runId: "r1", occurredAt: "2024-01-01T00:00:00.000Z", originRegion: "us-east-1" };
    const marker = ledgerItems.canary({ ...base, record: "marker" });
    const result = ledgerItems.canary({ ...base, record: "result", channel: "s3", status: "timeout" });
    const t0 = Date.parse(base.occurredAt) / 1000;
    expect(marker).toMatchObject({ sk: "MARKER#r1", expiresAt: t0 + 86_400 });
    expect(result).toMatchObject({ sk: "RESULT#s3#r1", expiresAt: t0 + 30 * 86_400 });
  });

  test("an invalid occurredAt on an expiring item is rejected with the fix", () => {
    expect(() => ledgerItems.data({ environment: "dev", dataset: "ccy", runId: "1", status: "succeeded", occurredAt: "yesterday", originRegion: "us-east-1" })).toThrow(/ISO-8601/);
  });

  test("non-numeric versions are kept as-is so timestamped names sort naturally", () => {
    expect(sortableVersion("20240501_add_index")).toBe("20240501_add_index");
    expect(sortableVersion(3)).toBe("00000000000000000003");
  });
});

describe("parseLedgerItem", () => {
  test("accepts a well-formed item", () => {
    expect(parseLedgerItem(ledgerItems.schema(schemaInput)).kind).toBe("schema");
  });

  test("rejects an unknown kind and a kind missing its fields", () => {
    expect(() => parseLedgerItem({ pk: "X", sk: "Y", kind: "weird", environment: "dev", occurredAt: "t" })).toThrow(MalformedLedgerItemError);
    expect(() => parseLedgerItem({ pk: "X", sk: "Y", kind: "schema", environment: "dev", occurredAt: "t" })).toThrow(/lacks database, version, status/);
  });
});

describe("LedgerWriter", () => {
  test("puts the item into the ledger table", async () => {
    docMock.on(PutCommand).resolves({});
    const item = ledgerItems.schema(schemaInput);
    await new LedgerWriter(doc, "ledger-dev").put(item);
    const calls = docMock.commandCalls(PutCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({ TableName: "ledger-dev", Item: item });
  });
});

describe("latestAppliedSchemaVersions", () => {
  test("with a time, only versions applied by then count (what a snapshot taken then holds)", async () => {
    docMock.on(QueryCommand).resolves({
      Items: [
        ledgerItems.schema({ ...schemaInput, version: "4", occurredAt: "2026-11-30T10:00:00.000Z" }),
        ledgerItems.schema({ ...schemaInput, version: "5", occurredAt: "2026-12-01T06:00:00.000Z" }),
      ],
    });
    expect(await latestAppliedSchemaVersions(doc, "ledger-dev", "dev", new Date("2026-12-01T05:00:00Z"))).toEqual(new Map([["orders", "4"]]));
    expect(await latestAppliedSchemaVersions(doc, "ledger-dev", "dev")).toEqual(new Map([["orders", "5"]]));
  });

  test("pages through the partition and keeps the highest applied version per database", async () => {
    // GIVEN two pages with applied and failed versions of two databases
    docMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [ledgerItems.schema({ ...schemaInput, version: "9" }), ledgerItems.schema({ ...schemaInput, version: "10" })], LastEvaluatedKey: { pk: "SCHEMA#dev", sk: "x" } })
      .resolvesOnce({ Items: [ledgerItems.schema({ ...schemaInput, version: "11", status: "failed" }), ledgerItems.schema({ ...schemaInput, database: "ledger", version: "3" })] });
    // WHEN the latest versions are read
    const latest = await latestAppliedSchemaVersions(doc, "ledger-dev", "dev");
    // THEN numeric ordering wins over string ordering and failed versions are ignored
    expect(latest).toEqual(new Map([["orders", "10"], ["ledger", "3"]]));
    expect(docMock.commandCalls(QueryCommand)[1].args[0].input.ExclusiveStartKey).toEqual({ pk: "SCHEMA#dev", sk: "x" });
    expect(docMock.commandCalls(QueryCommand)[0].args[0].input.ExpressionAttributeValues).toEqual({ ":pk": "SCHEMA#dev" });
  });
});
