import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ThrottlingException } from "@aws-sdk/client-ssm";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { readMonitorConfig, type MonitorConfig } from "../../lambdas/replication-monitor/config";
import { handleMonitorEvent, type MonitorDeps } from "../../lambdas/replication-monitor/handler-logic";
import { RESULT_MARGIN_MS } from "../../lambdas/replication-monitor/canary";
import { LedgerWriter } from "../../lambdas/shared/ledger";
import { capture, fakeClock, lambdaContext, loadHandler } from "./helpers";

const s3 = new S3Client({ region: "us-east-1" });
const s3Replica = new S3Client({ region: "us-west-2" });
const ssm = new SSMClient({ region: "us-east-1" });
const ssmTarget = new SSMClient({ region: "us-east-1" });
const ledgerDoc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const replicaDoc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-west-2" }));
const s3Mock = mockClient(s3);
const s3ReplicaMock = mockClient(s3Replica);
const ssmMock = mockClient(ssm);
const ssmTargetMock = mockClient(ssmTarget);
const ledgerMock = mockClient(ledgerDoc);
const replicaMock = mockClient(replicaDoc);

const config: MonitorConfig = {
  environment: "dev",
  region: "us-east-1",
  ledgerTableName: "ledger-dev",
  metricsNamespace: "Test",
  artifactsBucket: "artifacts-dev",
  s3Replica: { bucket: "artifacts-dev-dr", region: "us-west-2" },
  ledgerReplica: { region: "us-west-2", tableName: "ledger-dev" },
  ssmTarget: { environment: "staging", region: "us-east-1", role: { roleArn: "arn:aws:iam::222222222222:role/canary", externalId: "x" } },
  canaryParameterKey: "canary/heartbeat",
  canaryTimeoutMs: 30_000,
  canaryPollIntervalMs: 1_000,
};

let captured: ReturnType<typeof capture>;
let clock: ReturnType<typeof fakeClock>;
const deps = (overrides: Partial<MonitorDeps> = {}, budgetMs = 900_000): MonitorDeps => {
  const context = lambdaContext(clock, budgetMs);
  return {
    config,
    clients: { s3, s3Replica, ssm, ssmTarget, ledgerReplica: replicaDoc },
    ledger: new LedgerWriter(ledgerDoc, "ledger-dev"),
    log: captured.log,
    metrics: captured.metrics,
    clock,
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    ...overrides,
  };
};
const scheduled = { id: "sched-1", "detail-type": "Scheduled Event", source: "aws.events", time: "2024-05-01T10:00:00Z", detail: {} };
const notFound = () => new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } });
const ledgerPuts = () => ledgerMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, unknown>);

beforeEach(() => {
  for (const m of [s3Mock, s3ReplicaMock, ssmMock, ssmTargetMock, ledgerMock, replicaMock]) m.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
  ledgerMock.on(PutCommand).resolves({});
  captured = capture();
  clock = fakeClock();
});

/** Makes `mock` answer "not there" `misses` times, then "there". */
function appearsAfter(misses: number): { seen: () => boolean } {
  let calls = 0;
  return { seen: () => ++calls > misses };
}

describe("replication monitor: S3 replication notifications", () => {
  const record = (eventName: string, extra: Record<string, unknown> = {}) => ({
    eventVersion: "2.2",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: "2024-05-01T10:20:00.000Z",
    eventName,
    s3: { bucket: { name: "artifacts-dev" }, object: { key: "templates/app+v1.json", versionId: "v1" } },
    replicationEventData: { replicationRuleId: "to-dr", destinationBucket: "arn:aws:s3:::artifacts-dev-dr", s3Operation: "OBJECT_PUT", requestTime: "2024-05-01T10:00:00.000Z", ...extra },
  });

  test("a failed replication is counted and recorded in the ledger with its reason", async () => {
    // GIVEN an OperationFailedReplication notification
    const event = { Records: [record("Replication:OperationFailedReplication", { failureReason: "DstBucketNotFound" })] };
    // WHEN handled
    const result = await handleMonitorEvent(event, deps());
    // THEN a metric and an idempotent ledger item are written
    expect(result).toMatchObject({ kind: "incidents", incidents: [{ eventType: "failed", key: "templates/app v1.json" }] });
    expect(captured.metricValues("S3ReplicationEvents", { Channel: "s3", EventType: "Failed" })).toEqual([1]);
    expect(ledgerPuts()[0]).toMatchObject({
      pk: "REPLICATION#dev",
      sk: "s3#artifacts-dev#templates/app v1.json#v1#failed",
      kind: "replication",
      failureReason: "DstBucketNotFound",
      destinationBucket: "arn:aws:s3:::artifacts-dev-dr",
    });
  });

  test("a replication completed after the threshold publishes its lag", async () => {
    await handleMonitorEvent({ Records: [record("Replication:OperationReplicatedAfterThreshold")] }, deps());
    expect(captured.metricValues("ReplicationLagSeconds", { Channel: "s3", Source: "notification" })).toEqual([1200]);
    expect(captured.metricValues("S3ReplicationEvents", { EventType: "ReplicatedAfterThreshold" })).toEqual([1]);
  });

  test("a missed-threshold notification is counted as such", async () => {
    await handleMonitorEvent({ Records: [record("Replication:OperationMissedThreshold")] }, deps());
    expect(captured.metricValues("S3ReplicationEvents", { EventType: "MissedThreshold" })).toEqual([1]);
  });

  test("non-replication S3 notifications are ignored", async () => {
    const result = await handleMonitorEvent({ Records: [record("ObjectCreated:Put")] }, deps());
    expect(result).toEqual({ kind: "incidents", incidents: [] });
    expect(ledgerMock.calls()).toHaveLength(0);
  });

  test("the S3 on Outposts EventBridge event 'Object Replication Failed' is recorded", async () => {
    const event = { "detail-type": "Object Replication Failed", source: "aws.s3-outposts", time: "2024-05-01T10:00:00Z", detail: { bucket: { name: "b" }, object: { key: "k", "version-id": "v" }, "failure-reason": "DstBucketUnversioned" } };
    await handleMonitorEvent(event, deps());
    expect(ledgerPuts()[0]).toMatchObject({ eventType: "failed", bucket: "b", key: "k", failureReason: "DstBucketUnversioned" });
  });

  test("an unsupported event is rejected", async () => {
    await expect(handleMonitorEvent({ "detail-type": "Object Created" }, deps())).rejects.toThrow(/Unsupported event for replication-monitor/);
  });
});

describe("replication monitor: canaries", () => {
  test("writes a marker per channel, polls each replica and publishes the lag per channel", async () => {
    // GIVEN replicas that show the markers after 2 (s3), 0 (dynamodb) and 4 (ssm) misses
    const s3Seen = appearsAfter(2);
    s3ReplicaMock.on(HeadObjectCommand).callsFake(() => {
      if (!s3Seen.seen()) throw notFound();
      return {};
    });
    replicaMock.on(GetCommand).resolves({ Item: { pk: "CANARY#dev" } });
    const ssmSeen = appearsAfter(4);
    ssmTargetMock.on(GetParameterCommand).callsFake(() => {
      if (!ssmSeen.seen()) throw new ParameterNotFound({ message: "nope", $metadata: {} });
      return { Parameter: { Value: "sched-1" } };
    });
    // WHEN the scheduled canary runs
    const result = await handleMonitorEvent(scheduled, deps());
    // THEN each channel reports ok with a lag of (misses × poll interval)
    expect(result).toEqual({
      kind: "canary",
      results: [
        { channel: "s3", status: "ok", lagSeconds: 2 },
        { channel: "dynamodb", status: "ok", lagSeconds: 0 },
        { channel: "ssm", status: "ok", lagSeconds: 4 },
      ],
    });
    expect(captured.metricValues("ReplicationLagSeconds", { Channel: "s3" })).toEqual([2]);
    expect(captured.metricValues("ReplicationLagSeconds", { Channel: "ssm" })).toEqual([4]);
    // AND the markers went to the right places
    expect(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Bucket: "artifacts-dev", Key: "canary/dev/sched-1.json" });
    expect(s3ReplicaMock.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: "artifacts-dev-dr", Key: "canary/dev/sched-1.json" });
    expect(ledgerPuts()[0]).toMatchObject({ pk: "CANARY#dev", sk: "MARKER#sched-1", record: "marker" });
    expect(replicaMock.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: "ledger-dev", Key: { pk: "CANARY#dev", sk: "MARKER#sched-1" } });
    expect(ssmMock.commandCalls(PutParameterCommand)[0].args[0].input).toMatchObject({ Name: "/app/dev/config/canary/heartbeat", Value: "sched-1", Overwrite: true });
    expect(ssmTargetMock.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: "/app/staging/config/canary/heartbeat" });
    // AND one result item per channel
    expect(ledgerPuts().filter((i) => i.record === "result").map((i) => [i.sk, i.status])).toEqual([
      ["RESULT#s3#sched-1", "ok"],
      ["RESULT#dynamodb#sched-1", "ok"],
      ["RESULT#ssm#sched-1", "ok"],
    ]);
  });

  test("a replica that never appears is reported as a timeout (metric and ledger) after the configured timeout", async () => {
    // GIVEN only the S3 channel, whose replica never shows the object
    s3ReplicaMock.on(HeadObjectCommand).rejects(notFound());
    const onlyS3 = { ...config, ledgerReplica: undefined, ssmTarget: undefined };
    // WHEN the canary runs
    const result = await handleMonitorEvent(scheduled, deps({ config: onlyS3 }));
    // THEN it stops at the timeout and reports it
    expect(result).toEqual({ kind: "canary", results: [{ channel: "s3", status: "timeout" }] });
    expect(clock.elapsed()).toBe(30_000);
    expect(s3ReplicaMock.commandCalls(HeadObjectCommand)).toHaveLength(31);
    expect(captured.metricValues("CanaryTimeout", { Channel: "s3" })).toEqual([1]);
    expect(captured.metricValues("ReplicationLagSeconds")).toEqual([]);
    expect(ledgerPuts().at(-1)).toMatchObject({ kind: "canary", record: "result", channel: "s3", status: "timeout", timeoutSeconds: 30 });
  });

  test("the poll loop ends before the Lambda's remaining time runs out, even with a longer timeout", async () => {
    // GIVEN 10 s left in the invocation and a 30 s canary timeout
    s3ReplicaMock.on(HeadObjectCommand).rejects(notFound());
    const onlyS3 = { ...config, ledgerReplica: undefined, ssmTarget: undefined };
    // WHEN the canary runs
    const result = await handleMonitorEvent(scheduled, deps({ config: onlyS3 }, 10_000));
    // THEN it times out with time left to record the result
    expect(result).toMatchObject({ results: [{ status: "timeout" }] });
    expect(clock.elapsed()).toBe(10_000 - RESULT_MARGIN_MS);
    expect(ledgerPuts().at(-1)).toMatchObject({ status: "timeout" });
  });

  test("a replica read refused with 403 is an error at once, not a replica that is not there yet", async () => {
    // GIVEN a replica bucket that denies the reader (e.g. s3:ListBucket or the key policy missing)
    s3ReplicaMock.on(HeadObjectCommand).rejects(new S3ServiceException({ name: "Forbidden", $fault: "client", message: "Forbidden", $metadata: { httpStatusCode: 403 } }));
    const onlyS3 = { ...config, ledgerReplica: undefined, ssmTarget: undefined };
    // WHEN the canary runs
    const result = await handleMonitorEvent(scheduled, deps({ config: onlyS3 }));
    // THEN the channel reports the error after one read, and nothing counts as replication lag or timeout
    expect(result).toEqual({ kind: "canary", results: [{ channel: "s3", status: "error", error: "Forbidden" }] });
    expect(s3ReplicaMock.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(captured.metricValues("CanaryError", { Channel: "s3" })).toEqual([1]);
    expect(captured.metricValues("CanaryTimeout", { Channel: "s3" })).toEqual([0]);
  });

  test("throttled replica reads are retried: a marker seen afterwards is ok, one never read is an error, not a timeout", async () => {
    // GIVEN SSM throttling the first two reads and then showing the heartbeat
    const throttled = () => new ThrottlingException({ message: "Rate exceeded", Message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    ssmTargetMock.on(GetParameterCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ Parameter: { Value: "sched-1" } });
    const onlySsm = { ...config, s3Replica: undefined, ledgerReplica: undefined, canaryTimeoutMs: 5_000 };
    // WHEN the canary runs, THEN the marker is reported ok, with the lag of the throttled polls
    expect(await handleMonitorEvent(scheduled, deps({ config: onlySsm }))).toEqual({ kind: "canary", results: [{ channel: "ssm", status: "ok", lagSeconds: 2 }] });
    // GIVEN SSM throttling every read
    ssmTargetMock.reset();
    ssmTargetMock.on(GetParameterCommand).rejects(throttled());
    // WHEN the canary runs again, THEN the channel is an error naming the throttling (nothing said the marker was missing)
    const again = await handleMonitorEvent(scheduled, deps({ config: onlySsm }));
    expect(again).toEqual({ kind: "canary", results: [{ channel: "ssm", status: "error", error: "Rate exceeded" }] });
    expect(captured.metricValues("CanaryTimeout", { Channel: "ssm" })).toEqual([0, 0]);
  });

  test("a marker that cannot be written is an error for that channel only", async () => {
    s3Mock.on(PutObjectCommand).rejects(new Error("AccessDenied"));
    replicaMock.on(GetCommand).resolves({ Item: {} });
    const noSsm = { ...config, ssmTarget: undefined };
    const result = await handleMonitorEvent(scheduled, deps({ config: noSsm }));
    expect(result).toMatchObject({ results: [{ channel: "s3", status: "error", error: "AccessDenied" }, { channel: "dynamodb", status: "ok" }] });
    expect(s3ReplicaMock.calls()).toHaveLength(0);
    expect(captured.metricValues("CanaryError", { Channel: "s3" })).toEqual([1]);
  });

  test("an old heartbeat value in the target is not mistaken for this run's", async () => {
    ssmTargetMock.on(GetParameterCommand).resolves({ Parameter: { Value: "previous-run" } });
    const onlySsm = { ...config, s3Replica: undefined, ledgerReplica: undefined, canaryTimeoutMs: 3_000 };
    const result = await handleMonitorEvent(scheduled, deps({ config: onlySsm }));
    expect(result).toMatchObject({ results: [{ channel: "ssm", status: "timeout" }] });
  });
});

describe("replication monitor configuration", () => {
  const env = { AWS_REGION: "us-east-1", ENVIRONMENT: "dev", LEDGER_TABLE_NAME: "ledger-dev", METRICS_NAMESPACE: "Test", ARTIFACTS_BUCKET: "artifacts-dev" };

  test("missing variables are all named in one error at cold start", () => {
    expect(() => loadHandler("../../lambdas/replication-monitor/index", { AWS_REGION: "us-east-1" })).toThrow(/ENVIRONMENT, LEDGER_TABLE_NAME, METRICS_NAMESPACE, ARTIFACTS_BUCKET/);
  });

  test("channels are optional and defaults apply", () => {
    expect(readMonitorConfig(env)).toMatchObject({ s3Replica: undefined, ledgerReplica: undefined, ssmTarget: undefined, canaryTimeoutMs: 120_000, canaryPollIntervalMs: 1_000, canaryParameterKey: "canary/heartbeat" });
    expect(readMonitorConfig({ ...env, LEDGER_REPLICA_REGION: "us-west-2" }).ledgerReplica).toEqual({ region: "us-west-2", tableName: "ledger-dev" });
  });

  test("a role ARN without its external ID is refused", () => {
    expect(() => readMonitorConfig({ ...env, CANARY_S3_REPLICA_BUCKET: "b", CANARY_S3_REPLICA_ROLE_ARN: "arn:aws:iam::2:role/r" })).toThrow(/must be set together/);
  });

  test("the SSM channel needs the target environment and its role together", () => {
    expect(() => readMonitorConfig({ ...env, TARGET_ENVIRONMENT: "staging" })).toThrow(/TARGET_ENVIRONMENT/);
  });

  test("the handler passes the Lambda's remaining time to the canary", async () => {
    // GIVEN the handler with only the S3 channel, whose replica never appears
    const { handler } = loadHandler<{ handler: (e: unknown, c: unknown) => Promise<unknown> }>(
      "../../lambdas/replication-monitor/index",
      { ...env, CANARY_S3_REPLICA_BUCKET: "dr", CANARY_TIMEOUT_SECONDS: "60", CANARY_POLL_INTERVAL_SECONDS: "0.05" },
      (load) => {
        const sdk = load("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
        mockClient(sdk.S3Client).on(sdk.PutObjectCommand).resolves({}).on(sdk.HeadObjectCommand).rejects(new sdk.NotFound({ message: "nf", $metadata: {} }));
        const lib = load("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
        mockClient(lib.DynamoDBDocumentClient).onAnyCommand().resolves({});
      },
    );
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    const warn = jest.spyOn(console, "error").mockImplementation(() => undefined);
    // WHEN invoked with 3.3 s left (real clock)
    const started = Date.now();
    const deadline = started + RESULT_MARGIN_MS + 300;
    const result = await handler(scheduled, { getRemainingTimeInMillis: () => deadline - Date.now() });
    log.mockRestore();
    warn.mockRestore();
    // THEN it reports a timeout within the budget instead of waiting 60 s
    expect(result).toMatchObject({ results: [{ channel: "s3", status: "timeout" }] });
    expect(Date.now() - started).toBeLessThan(RESULT_MARGIN_MS + 300);
  });
});
