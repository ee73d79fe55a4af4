import type { Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import type { DrillEvent } from "../../lambdas/restore-drill/index";
import type { DrillState } from "../../lambdas/restore-drill/drill";
import { loadHandler } from "../lambdas/helpers";

type Sdk = {
  lambda: typeof import("@aws-sdk/client-lambda");
  rds: typeof import("@aws-sdk/client-rds");
  documents: typeof import("@aws-sdk/lib-dynamodb");
};
type Handler = (event: DrillEvent, context: Context) => Promise<unknown>;

const ENV = {
  AWS_REGION: "eu-west-1",
  AWS_LAMBDA_FUNCTION_NAME: "replica-prod-restore-drill",
  ENVIRONMENT: "prod",
  DRILL_PREFIX: "replica-prod-restore-drill-",
  SUBNET_GROUP_NAME: "replica-prod-eu-west-1-db",
  SECURITY_GROUP_IDS: '["sg-0db"]',
  KMS_KEY_ARN: "arn:aws:kms:eu-west-1:333333333333:key/dr",
  LEDGER_TABLE_NAME: "replica-ledger-prod",
  LEDGER_REGION: "us-east-1",
  VERIFY_FUNCTION_NAME: "replica-prod-restore-drill-verify",
  METRICS_NAMESPACE: "Replica/Fabric",
  MAX_MINUTES: "180",
  DATABASES: JSON.stringify([
    { name: "ledger", engine: "aurora-postgresql", sourceClusterIdentifier: "replica-prod-ledger", databaseName: "ledger", port: 5432 },
    { name: "catalog", engine: "aurora-mysql", sourceClusterIdentifier: "replica-prod-catalog", databaseName: "catalog", port: 3306 },
  ]),
};
const CLUSTER = "replica-prod-restore-drill-ledger-261201";
const SNAPSHOT = "replica-prod-ledger-copy-20261201-0500";

/** A context with `remainingMs` left: 61 s leaves one second of budget, so the first wait hands over. */
const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs }) as Context;

/** Loads the handler with its SDK clients mocked; `wire` sets up each client's answers. */
function load(env: Record<string, string>, wire: (mocks: { lambda: any; rds: any; documents: any }, sdk: Sdk) => void = () => undefined) {
  const calls: { lambda?: any; rds?: any; documents?: any } = {};
  const { handler } = loadHandler<{ handler: Handler }>("../../lambdas/restore-drill/index", env, (require) => {
    const sdk: Sdk = { lambda: require("@aws-sdk/client-lambda") as Sdk["lambda"], rds: require("@aws-sdk/client-rds") as Sdk["rds"], documents: require("@aws-sdk/lib-dynamodb") as Sdk["documents"] };
    calls.lambda = mockClient(sdk.lambda.LambdaClient);
    calls.rds = mockClient(sdk.rds.RDSClient);
    calls.documents = mockClient(sdk.documents.DynamoDBDocumentClient);
    calls.lambda.on(sdk.lambda.InvokeCommand).resolves({ StatusCode: 202 });
    wire(calls as { lambda: any; rds: any; documents: any }, sdk);
  });
  return { handler, mocks: calls as { lambda: any; rds: any; documents: any } };
}

const invocations = (lambda: any) => lambda.calls().map((c: any) => ({ ...c.args[0].input, Payload: JSON.parse(Buffer.from(c.args[0].input.Payload).toString("utf8")) }));

let lines: string[];
beforeEach(() => {
  lines = [];
  jest.spyOn(console, "log").mockImplementation((line: string) => void lines.push(line));
  jest.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
});
afterEach(() => jest.restoreAllMocks());

test("refuses to start without its settings, naming each missing variable", () => {
  expect(() => loadHandler("../../lambdas/restore-drill/index", { AWS_REGION: "eu-west-1" })).toThrow(/ENVIRONMENT, DRILL_PREFIX, SUBNET_GROUP_NAME, KMS_KEY_ARN, LEDGER_TABLE_NAME, LEDGER_REGION, VERIFY_FUNCTION_NAME, METRICS_NAMESPACE/);
});

test("a scheduled start hands one drill per configured database to its own next invocation, asynchronously", async () => {
  const { handler, mocks } = load(ENV);
  await expect(handler({}, context(900_000))).resolves.toEqual({ started: 2 });
  expect(invocations(mocks.lambda)).toEqual([
    expect.objectContaining({ FunctionName: "replica-prod-restore-drill", InvocationType: "Event", Payload: { state: expect.objectContaining({ phase: "restore", database: expect.objectContaining({ name: "ledger", engine: "aurora-postgresql" }) }) } }),
    expect.objectContaining({ FunctionName: "replica-prod-restore-drill", InvocationType: "Event", Payload: { state: expect.objectContaining({ phase: "restore", database: expect.objectContaining({ name: "catalog", port: 3306 }) }) } }),
  ]);
  expect(mocks.rds.calls()).toHaveLength(0);
});

describe("a drill at its verification step", () => {
  const state = (): DrillState => ({
    database: JSON.parse(ENV.DATABASES)[0],
    phase: "verify",
    clusterIdentifier: CLUSTER,
    snapshotIdentifier: SNAPSHOT,
    startedAt: new Date(Date.now() - 20 * 60_000).toISOString(),
  });

  /** RDS with the drill cluster ready, the ledger with one migration before the snapshot and one after, and the verification's answer. */
  const wired = (verifyAnswer: object) =>
    load(ENV, (mocks, sdk) => {
      mocks.rds.on(sdk.rds.ModifyDBClusterCommand).resolves({});
      mocks.rds.on(sdk.rds.DescribeDBClustersCommand).resolves({ DBClusters: [{ Status: "available", Endpoint: `${CLUSTER}.cluster-x.eu-west-1.rds.amazonaws.com`, MasterUsername: "dbadmin" }] });
      mocks.rds.on(sdk.rds.DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: "available" }] });
      mocks.rds.on(sdk.rds.DeleteDBInstanceCommand).resolves({});
      mocks.documents.on(sdk.documents.QueryCommand).resolves({
        Items: [
          { kind: "schema", database: "ledger", version: "7", status: "applied", occurredAt: "2026-11-28T10:00:00Z" },
          { kind: "schema", database: "ledger", version: "8", status: "applied", occurredAt: "2026-12-01T09:00:00Z" },
        ],
      });
      mocks.documents.on(sdk.documents.PutCommand).resolves({});
      mocks.lambda
        .on(sdk.lambda.InvokeCommand, { FunctionName: ENV.VERIFY_FUNCTION_NAME })
        .resolves({ StatusCode: 200, ...verifyAnswer });
    });

  test("asks the verification function synchronously with the fresh password, the version applied before the snapshot, and the database's reference data; then hands the teardown on", async () => {
    const ok = { ok: true, schemaVersion: "7", expectedSchemaVersion: "7", tables: [], problems: [], skippedFiles: ["currencies.json"] };
    const { handler, mocks } = wired({ Payload: Buffer.from(JSON.stringify(ok)) });
    await expect(handler({ state: state() }, context(61_000))).resolves.toEqual({ phase: "wait-instance-deleted" });

    const password = mocks.rds.calls().find((c: any) => c.args[0].input.MasterUserPassword)?.args[0].input.MasterUserPassword;
    expect(password).toMatch(/^[\w-]{32}$/);
    const [verify, next] = invocations(mocks.lambda);
    expect(verify).toEqual(
      expect.objectContaining({
        FunctionName: "replica-prod-restore-drill-verify",
        InvocationType: "RequestResponse",
        Payload: {
          engine: "postgres",
          connection: { host: `${CLUSTER}.cluster-x.eu-west-1.rds.amazonaws.com`, port: 5432, user: "dbadmin", password, database: "ledger" },
          expectedSchemaVersion: "7",
          databaseName: "ledger",
          snapshotTakenAt: "2026-12-01T05:00:00.000Z",
        },
      }),
    );
    expect(next).toEqual(expect.objectContaining({ FunctionName: "replica-prod-restore-drill", InvocationType: "Event", Payload: { state: expect.objectContaining({ phase: "wait-instance-deleted", outcome: expect.objectContaining({ status: "succeeded" }) }) } }));
    // the ledger in its home region: the query for the source's versions and the drill's record
    expect(mocks.documents.calls()[0].args[0].input).toMatchObject({ TableName: "replica-ledger-prod", ExpressionAttributeValues: { ":pk": "SCHEMA#prod" } });
    expect(mocks.documents.calls().map((c: any) => c.args[0].input.Item?.status).filter(Boolean)).toEqual(["succeeded"]);
    expect(lines.some((l) => l.includes("RestoreDrillSucceeded"))).toBe(true);
    expect(lines.some((l) => l.includes("reference data changed after the snapshot") && l.includes("currencies.json"))).toBe(true);
    expect(lines.join("\n")).not.toContain(password);
  });

  test("a verification that could not run fails the drill with its message, and the teardown still goes on", async () => {
    const { handler, mocks } = wired({ FunctionError: "Unhandled", Payload: Buffer.from(JSON.stringify({ errorMessage: "connect ETIMEDOUT" })) });
    await expect(handler({ state: state() }, context(61_000))).resolves.toEqual({ phase: "wait-instance-deleted" });
    const record = mocks.documents.calls().map((c: any) => c.args[0].input.Item).find(Boolean);
    expect(record).toMatchObject({ status: "failed", error: "verification failed to run: connect ETIMEDOUT" });
    expect(invocations(mocks.lambda)[1]).toMatchObject({ InvocationType: "Event", Payload: { state: { phase: "wait-instance-deleted" } } });
  });
});
