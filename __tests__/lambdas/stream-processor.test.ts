import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { marshall } from "@aws-sdk/util-dynamodb";
import { processStreamBatch, type StreamProcessorDeps } from "../../lambdas/stream-processor/process";
import { DETAIL_TYPES } from "../../lambdas/stream-processor/announce";
import { ledgerItems } from "../../lambdas/shared/ledger";
import { capture, loadHandler, streamRecord } from "./helpers";

const ebMock = mockClient(EventBridgeClient);
const eventBridge = new EventBridgeClient({ region: "us-east-1" });
const BUS = "arn:aws:events:us-east-1:999999999999:event-bus/central";

let captured: ReturnType<typeof capture>;
let deps: StreamProcessorDeps;

beforeEach(() => {
  ebMock.reset();
  ebMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
  captured = capture();
  deps = { eventBridge, eventBusName: BUS, region: "us-east-1", log: captured.log, metrics: captured.metrics, sleep: async () => undefined };
});

const base = { environment: "dev", occurredAt: "2024-05-01T10:00:00.000Z", originRegion: "us-east-1" };
const applied = (version: string) => ledgerItems.schema({ ...base, database: "orders", version, status: "applied" });
const mirrored = ledgerItems.config({
  ...base,
  sourceEnvironment: "dev",
  targetEnvironment: "staging",
  sourceName: "/app/dev/config/a",
  targetName: "/app/staging/config/a",
  sourceVersion: 3,
  action: "mirrored",
  trigger: "event",
});
const sentEntries = () => ebMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);

describe("stream processor", () => {
  test("announces an applied migration and a mirrored parameter on the central bus", async () => {
    // GIVEN two ledger inserts
    const records = [streamRecord("100", applied("5")), streamRecord("101", mirrored)];
    // WHEN processed
    const response = await processStreamBatch(records, deps);
    // THEN both are published with our detail-types and the table as resource
    expect(response.batchItemFailures).toEqual([]);
    const entries = sentEntries();
    expect(entries.map((e) => e.DetailType)).toEqual([DETAIL_TYPES.schemaApplied, DETAIL_TYPES.configMirrored]);
    expect(entries[0]).toMatchObject({ EventBusName: BUS, Source: "platform.replication", Resources: ["arn:aws:dynamodb:us-east-1:111111111111:table/replication-ledger-dev"] });
    expect(JSON.parse(entries[0].Detail ?? "{}")).toMatchObject({ kind: "schema", database: "orders", version: "5", status: "applied", dedupeKey: "SCHEMA#dev|orders#00000000000000000005|applied|2024-05-01T10:00:00.000Z" });
  });

  test("a malformed record is reported by its sequence number and the records before it are published", async () => {
    // GIVEN a good record, a record whose image is not a ledger item, and another good record
    const records = [streamRecord("100", applied("5")), streamRecord("101", { pk: "SCHEMA#dev", sk: "x", kind: "schema" }), streamRecord("102", applied("6"))];
    // WHEN processed
    const response = await processStreamBatch(records, deps);
    // THEN the batch resumes from the bad record, and only the record before it went out
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "101" }]);
    expect(sentEntries()).toHaveLength(1);
    expect(JSON.parse(sentEntries()[0].Detail ?? "{}").version).toBe("5");
    expect(captured.metricValues("StreamRecordsFailed")).toEqual([1]);
  });

  test("a record whose event EventBridge keeps rejecting is reported, not the ones published before it", async () => {
    // GIVEN PutEvents that always rejects the second entry
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: Array<{ Detail: string }> }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((e, i) => (JSON.parse(e.Detail).version === "6" ? { ErrorCode: "InternalFailure", ErrorMessage: "x" } : { EventId: `e${i}` })),
    }));
    const records = [streamRecord("100", applied("5")), streamRecord("101", applied("6")), streamRecord("102", applied("7"))];
    // WHEN processed
    const response = await processStreamBatch(records, { ...deps, maxAttempts: 2 });
    // THEN the failure points at record 101 after the retry of just that entry
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "101" }]);
    const calls = ebMock.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1].args[0].input.Entries).toHaveLength(1);
  });

  test("a PutEvents call that throws fails the first record that needed publishing", async () => {
    ebMock.on(PutEventsCommand).rejects(new Error("AccessDeniedException"));
    const ttl = streamRecord("099", undefined, { eventName: "REMOVE", userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" } });
    const response = await processStreamBatch([ttl, streamRecord("100", applied("5"))], deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "100" }]);
  });

  test("TTL deletes are ignored without publishing anything", async () => {
    const ttl = streamRecord("100", undefined, {
      eventName: "REMOVE",
      userIdentity: { type: "Service", principalId: "dynamodb.amazonaws.com" },
    });
    ttl.dynamodb = { ...ttl.dynamodb, OldImage: marshall(ledgerItems.canary({ ...base, runId: "r", record: "marker" })) as never };
    const response = await processStreamBatch([ttl], deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test("a delete by anyone but TTL is announced, because the ledger is append-only", async () => {
    const removed = streamRecord("100", undefined, { eventName: "REMOVE", userIdentity: undefined });
    removed.dynamodb = { ...removed.dynamodb, OldImage: marshall(applied("5")) as never };
    await processStreamBatch([removed], deps);
    expect(sentEntries().map((e) => e.DetailType)).toEqual([DETAIL_TYPES.ledgerEntryDeleted]);
  });

  test("items replicated from another region by the global table are not announced twice", async () => {
    const replicated = ledgerItems.schema({ ...base, originRegion: "us-west-2", database: "orders", version: "5", status: "applied" });
    const response = await processStreamBatch([streamRecord("100", replicated)], deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(ebMock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test("kinds and states not worth announcing are skipped (pending migration, canary marker, canary ok)", async () => {
    const records = [
      streamRecord("100", ledgerItems.schema({ ...base, database: "orders", version: "5", status: "pending" })),
      streamRecord("101", ledgerItems.canary({ ...base, runId: "r", record: "marker" })),
      streamRecord("102", ledgerItems.canary({ ...base, runId: "r", record: "result", channel: "s3", status: "ok", lagSeconds: 3 })),
      streamRecord("103", ledgerItems.canary({ ...base, runId: "r", record: "result", channel: "ssm", status: "timeout" })),
    ];
    await processStreamBatch(records, deps);
    expect(sentEntries().map((e) => e.DetailType)).toEqual([DETAIL_TYPES.canaryTimedOut]);
  });

  test("a MODIFY without a new image (wrong stream view type) is a reported failure, not a crash", async () => {
    const record = streamRecord("100", applied("5"), { eventName: "MODIFY" });
    record.dynamodb = { ...record.dynamodb, NewImage: undefined };
    await expect(processStreamBatch([record], deps)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: "100" }] });
  });

  test("a failure in the second PutEvents batch is reported at its own record, and no later batch is sent", async () => {
    // GIVEN 25 records, and EventBridge that keeps rejecting the 14th event (the 4th entry of the second batch of ten)
    ebMock.on(PutEventsCommand).callsFake((input: { Entries: Array<{ Detail: string }> }) => {
      const entries = input.Entries.map((e, i) => (JSON.parse(e.Detail).version === "13" ? { ErrorCode: "ThrottlingException", ErrorMessage: "rate" } : { EventId: `e${i}` }));
      return { FailedEntryCount: entries.filter((e) => "ErrorCode" in e).length, Entries: entries };
    });
    const records = Array.from({ length: 25 }, (_, i) => streamRecord(String(100 + i), applied(String(i))));
    // WHEN processed
    const response = await processStreamBatch(records, { ...deps, maxAttempts: 2 });
    // THEN the batch resumes at record 113: the first 13 events went out, the 14th was retried alone, the third batch never left
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "113" }]);
    expect(ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 1]);
    const versionsSent = sentEntries().map((e) => Number(JSON.parse(e.Detail ?? "{}").version));
    expect(Math.max(...versionsSent)).toBe(19);
    expect(captured.metricValues("StreamEventsPublished")).toEqual([13]);
  });

  test("more than ten events are published in batches of ten", async () => {
    const records = Array.from({ length: 25 }, (_, i) => streamRecord(String(100 + i), applied(String(i))));
    await processStreamBatch(records, deps);
    expect(ebMock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 5]);
  });
});

describe("stream processor handler", () => {
  const INDEX = "../../lambdas/stream-processor/index";

  test("fails its cold start naming every missing variable", () => {
    expect(() => loadHandler(INDEX, { AWS_REGION: "us-east-1" })).toThrow(/ENVIRONMENT, EVENT_BUS_NAME, METRICS_NAMESPACE/);
  });

  test("wires the environment and processes the event's records", async () => {
    // GIVEN the handler loaded with its environment and a mocked EventBridge client
    let isolatedMock: AwsClientStub<EventBridgeClient> | undefined;
    const { handler } = loadHandler<{ handler: (e: unknown) => Promise<unknown> }>(
      INDEX,
      { AWS_REGION: "us-east-1", ENVIRONMENT: "dev", EVENT_BUS_NAME: BUS, METRICS_NAMESPACE: "Test" },
      (load) => {
        const sdk = load("@aws-sdk/client-eventbridge") as typeof import("@aws-sdk/client-eventbridge");
        isolatedMock = mockClient(sdk.EventBridgeClient);
        isolatedMock.onAnyCommand().resolves({ FailedEntryCount: 0, Entries: [{ EventId: "x" }] });
      },
    );
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    // WHEN invoked with one record
    const response = await handler({ Records: [streamRecord("1", applied("1"))] });
    log.mockRestore();
    // THEN it succeeds and sent one PutEvents call to the configured bus
    expect(response).toEqual({ batchItemFailures: [] });
    expect(isolatedMock?.calls()).toHaveLength(1);
    expect((isolatedMock?.call(0).args[0] as PutEventsCommand).input.Entries?.[0].EventBusName).toBe(BUS);
  });
});
