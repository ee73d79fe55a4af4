import { DeleteParameterCommand, GetParameterCommand, GetParametersByPathCommand, ParameterNotFound, PutParameterCommand, SSMClient, type Parameter } from "@aws-sdk/client-ssm";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { readMirrorConfig, type MirrorConfig } from "../../lambdas/config-mirror/config";
import { handleMirrorEvent } from "../../lambdas/config-mirror/handler-logic";
import { RECONCILE_TIME_MARGIN_MS, type MirrorDeps } from "../../lambdas/config-mirror/mirror";
import { LedgerWriter } from "../../lambdas/shared/ledger";
import { capture, loadHandler } from "./helpers";

const sourceSsm = new SSMClient({ region: "us-east-1" });
const targetSsm = new SSMClient({ region: "us-east-1" });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
const sourceMock = mockClient(sourceSsm);
const targetMock = mockClient(targetSsm);
const docMock = mockClient(doc);

const baseConfig: MirrorConfig = {
  environment: "dev",
  sourceEnvironment: "dev",
  targetEnvironment: "staging",
  targetRoleArn: "arn:aws:iam::222222222222:role/config-mirror-target",
  targetExternalId: "ext",
  targetKmsKeyId: "alias/staging-config",
  targetRegion: "us-east-1",
  allowPatterns: [],
  denyPatterns: ["network/**", "db/host"],
  deletePolicy: "record",
  ledgerTableName: "ledger-dev",
  metricsNamespace: "Test",
  region: "us-east-1",
};

let captured: ReturnType<typeof capture>;
const deps = (config: Partial<MirrorConfig> = {}, remainingTimeMs?: () => number): MirrorDeps => ({
  source: sourceSsm,
  target: targetSsm,
  ledger: new LedgerWriter(doc, "ledger-dev"),
  config: { ...baseConfig, ...config },
  log: captured.log,
  metrics: captured.metrics,
  remainingTimeMs,
});

const param = (name: string, value: string, type = "String", version = 1): Parameter => ({ Name: name, Value: value, Type: type as Parameter["Type"], Version: version, DataType: "text" });
const notFound = () => new ParameterNotFound({ message: "not found", $metadata: {} });
const change = (name: string, operation = "Update") => ({
  version: "0",
  id: "evt-1",
  "detail-type": "Parameter Store Change",
  source: "aws.ssm",
  time: "2024-05-01T10:00:00Z",
  region: "us-east-1",
  resources: [],
  detail: { name, operation, type: "String" },
});
const scheduled = { "detail-type": "Scheduled Event", source: "aws.events", time: "2024-05-01T11:00:00Z", detail: {} };

/** Serves GetParameter from a map, ParameterNotFound otherwise. */
function serveGet(mock: typeof sourceMock, params: Parameter[]): void {
  mock.on(GetParameterCommand).callsFake((input: { Name: string }) => {
    const found = params.find((p) => p.Name === input.Name);
    if (found === undefined) throw notFound();
    return { Parameter: found };
  });
}

beforeEach(() => {
  sourceMock.reset();
  targetMock.reset();
  docMock.reset();
  docMock.on(PutCommand).resolves({});
  targetMock.on(PutParameterCommand).resolves({ Version: 4 });
  captured = capture();
});

describe("config mirror: change events", () => {
  test("a new source parameter is created in the target path, tagged and described as mirrored, and recorded", async () => {
    // GIVEN a source parameter the target lacks
    serveGet(sourceMock, [param("/app/dev/config/api/timeout", "30", "String", 3)]);
    serveGet(targetMock, []);
    // WHEN its change event arrives
    const result = await handleMirrorEvent(change("/app/dev/config/api/timeout"), deps());
    // THEN it is written under the staging path with tags (no Overwrite on create)
    expect(result).toEqual({ kind: "change", outcome: "mirrored" });
    const puts = targetMock.commandCalls(PutParameterCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0].args[0].input).toEqual({
      Name: "/app/staging/config/api/timeout",
      Value: "30",
      Type: "String",
      Description: "mirrored from dev@3",
      Tier: "Intelligent-Tiering",
      Tags: [{ Key: "mirrored-from", Value: "dev" }, { Key: "managed-by", Value: "config-mirror" }],
    });
    // AND the ledger records the mirrored version (never the value)
    const item = docMock.commandCalls(PutCommand)[0].args[0].input.Item;
    expect(item).toMatchObject({ pk: "CONFIG#staging", sk: "/app/staging/config/api/timeout#00000000000000000003", kind: "config", action: "mirrored", sourceVersion: 3, targetVersion: 4, trigger: "event" });
    expect(JSON.stringify(item)).not.toContain('"30"');
  });

  test("a SecureString is read decrypted and written with the target KMS key, and its value is never logged", async () => {
    serveGet(sourceMock, [param("/app/dev/config/db/password", "s3cr3t-value", "SecureString", 2)]);
    serveGet(targetMock, [param("/app/staging/config/db/password", "old-secret", "SecureString", 1)]);
    await handleMirrorEvent(change("/app/dev/config/db/password"), deps());
    expect(sourceMock.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: "/app/dev/config/db/password", WithDecryption: true });
    const put = targetMock.commandCalls(PutParameterCommand)[0].args[0].input;
    expect(put).toMatchObject({ Name: "/app/staging/config/db/password", Type: "SecureString", KeyId: "alias/staging-config", Overwrite: true });
    expect(put.Tags).toBeUndefined();
    expect(captured.lines.join("\n")).not.toMatch(/s3cr3t-value|old-secret/);
  });

  test("a re-delivered event writes nothing when the target already has the same type and value", async () => {
    // GIVEN source and target already equal
    serveGet(sourceMock, [param("/app/dev/config/api/timeout", "30", "String", 3)]);
    serveGet(targetMock, [param("/app/staging/config/api/timeout", "30", "String", 1)]);
    // WHEN the same event is delivered again
    const result = await handleMirrorEvent(change("/app/dev/config/api/timeout"), deps());
    // THEN no parameter and no ledger item are written
    expect(result).toEqual({ kind: "change", outcome: "unchanged" });
    expect(targetMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(docMock.commandCalls(PutCommand)).toHaveLength(0);
  });

  test("a change to a target-environment parameter is ignored without touching SSM (no loop)", async () => {
    // WHEN the change event of our own write in staging reaches a dev→staging mirror
    const result = await handleMirrorEvent(change("/app/staging/config/api/timeout"), deps());
    // THEN nothing is read or written anywhere
    expect(result).toEqual({ kind: "change", outcome: "ignored" });
    expect(sourceMock.calls()).toHaveLength(0);
    expect(targetMock.calls()).toHaveLength(0);
    expect(docMock.calls()).toHaveLength(0);
  });

  test("a type change alone (String to StringList) is a difference and is mirrored", async () => {
    serveGet(sourceMock, [param("/app/dev/config/hosts", "a,b", "StringList", 5)]);
    serveGet(targetMock, [param("/app/staging/config/hosts", "a,b", "String", 1)]);
    await handleMirrorEvent(change("/app/dev/config/hosts"), deps());
    expect(targetMock.commandCalls(PutParameterCommand)[0].args[0].input).toMatchObject({ Type: "StringList", Overwrite: true });
  });

  test("a deny-listed (environment-specific) key is not read or written", async () => {
    const result = await handleMirrorEvent(change("/app/dev/config/network/vpc-id"), deps());
    expect(result).toEqual({ kind: "change", outcome: "filtered" });
    expect(sourceMock.calls()).toHaveLength(0);
    expect(targetMock.calls()).toHaveLength(0);
  });

  test("a key outside ALLOW_PATTERNS is not mirrored", async () => {
    const result = await handleMirrorEvent(change("/app/dev/config/experimental/x"), deps({ allowPatterns: ["api/**"] }));
    expect(result).toEqual({ kind: "change", outcome: "filtered" });
    expect(targetMock.calls()).toHaveLength(0);
  });

  test("by default a source delete keeps the target parameter and only records the deletion", async () => {
    serveGet(sourceMock, []);
    const result = await handleMirrorEvent(change("/app/dev/config/api/timeout", "Delete"), deps());
    expect(result).toEqual({ kind: "change", outcome: "delete-skipped" });
    expect(targetMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(docMock.commandCalls(PutCommand)[0].args[0].input.Item).toMatchObject({ action: "delete-skipped", sk: "/app/staging/config/api/timeout#DELETE#2024-05-01T10:00:00Z" });
  });

  test("with DELETE_POLICY=delete a source delete deletes the target parameter", async () => {
    serveGet(sourceMock, []);
    targetMock.on(DeleteParameterCommand).resolves({});
    const result = await handleMirrorEvent(change("/app/dev/config/api/timeout", "Delete"), deps({ deletePolicy: "delete" }));
    expect(result).toEqual({ kind: "change", outcome: "deleted" });
    expect(targetMock.commandCalls(DeleteParameterCommand)[0].args[0].input).toEqual({ Name: "/app/staging/config/api/timeout" });
  });

  test("a delete event followed by a re-create mirrors the re-created parameter and deletes nothing", async () => {
    // GIVEN a source parameter deleted and created again before the delete event is handled
    serveGet(sourceMock, [param("/app/dev/config/api/timeout", "45", "String", 5)]);
    serveGet(targetMock, [param("/app/staging/config/api/timeout", "30")]);
    targetMock.on(DeleteParameterCommand).resolves({});
    // WHEN the (late) delete event is handled with deletes on
    const result = await handleMirrorEvent(change("/app/dev/config/api/timeout", "Delete"), deps({ deletePolicy: "delete" }));
    // THEN the target keeps the parameter, with the re-created value
    expect(targetMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(targetMock.commandCalls(PutParameterCommand).map((c) => [c.args[0].input.Name, c.args[0].input.Value])).toEqual([["/app/staging/config/api/timeout", "45"]]);
    expect(result).toEqual({ kind: "change", outcome: "mirrored" });
  });

  test("an update event for a parameter that has since been deleted is handled as a delete", async () => {
    serveGet(sourceMock, []);
    const result = await handleMirrorEvent(change("/app/dev/config/api/timeout", "Update"), deps());
    expect(result).toEqual({ kind: "change", outcome: "delete-skipped" });
    expect(targetMock.commandCalls(PutParameterCommand)).toHaveLength(0);
  });

  test("an event without a parameter name is rejected with the fix", async () => {
    await expect(handleMirrorEvent({ "detail-type": "Parameter Store Change", detail: {} }, deps())).rejects.toThrow(/input transformer/);
  });

  test("an unsupported event is rejected", async () => {
    await expect(handleMirrorEvent({ "detail-type": "Object Created" }, deps())).rejects.toThrow(/Unsupported event for config-mirror/);
  });
});

describe("config mirror: scheduled reconcile", () => {
  /** Serves GetParametersByPath for `params` in pages of `pageSize`. */
  function serveByPath(mock: typeof sourceMock, params: Parameter[], pageSize = 10): void {
    mock.on(GetParametersByPathCommand).callsFake((input: { NextToken?: string }) => {
      const start = Number(input.NextToken ?? "0");
      const next = start + pageSize;
      return { Parameters: params.slice(start, next), NextToken: next < params.length ? String(next) : undefined };
    });
  }

  test("repairs what events missed: a parameter the target lacks and one it has stale", async () => {
    // GIVEN the source has a, b (changed) and c (unchanged); the target lacks a and has old b
    serveByPath(sourceMock, [param("/app/dev/config/a", "1", "String", 1), param("/app/dev/config/b", "new", "String", 2), param("/app/dev/config/c", "same")], 2);
    serveByPath(targetMock, [param("/app/staging/config/b", "old"), param("/app/staging/config/c", "same")]);
    // WHEN the scheduled reconcile runs
    const result = await handleMirrorEvent(scheduled, deps());
    // THEN both hierarchies were read fully (paginated, recursive, decrypted) and only a and b were written
    expect(sourceMock.commandCalls(GetParametersByPathCommand)).toHaveLength(2);
    expect(sourceMock.commandCalls(GetParametersByPathCommand)[0].args[0].input).toMatchObject({ Path: "/app/dev/config/", Recursive: true, WithDecryption: true });
    expect(targetMock.commandCalls(GetParametersByPathCommand)[0].args[0].input).toMatchObject({ Path: "/app/staging/config/", Recursive: true });
    const written = targetMock.commandCalls(PutParameterCommand).map((c) => [c.args[0].input.Name, c.args[0].input.Overwrite]);
    expect(written).toEqual([
      ["/app/staging/config/a", undefined],
      ["/app/staging/config/b", true],
    ]);
    expect(result).toMatchObject({ kind: "reconcile", summary: { mirrored: 2, unchanged: 1, complete: true } });
    expect(docMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.trigger)).toEqual(["reconcile", "reconcile"]);
  });

  test("the deny list keeps environment-specific keys: not overwritten and, even with deletes on, not deleted", async () => {
    // GIVEN differing db/host values and a staging-only network key
    serveByPath(sourceMock, [param("/app/dev/config/db/host", "dev-db")]);
    serveByPath(targetMock, [param("/app/staging/config/db/host", "staging-db"), param("/app/staging/config/network/subnet", "s-1")]);
    targetMock.on(DeleteParameterCommand).resolves({});
    // WHEN reconciling with DELETE_POLICY=delete
    const result = await handleMirrorEvent(scheduled, deps({ deletePolicy: "delete" }));
    // THEN neither is touched
    expect(targetMock.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(targetMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(result).toMatchObject({ summary: { filtered: 1, orphans: 0 } });
  });

  test("an orphan in the target is kept and counted under the default policy", async () => {
    serveByPath(sourceMock, []);
    serveByPath(targetMock, [param("/app/staging/config/old", "x")]);
    const result = await handleMirrorEvent(scheduled, deps());
    expect(targetMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(result).toMatchObject({ summary: { orphans: 1, deleted: 0 } });
    expect(captured.metricValues("ConfigOrphans")).toEqual([1]);
  });

  test("an orphan whose source is created after the listing is mirrored, not deleted", async () => {
    // GIVEN a listing without the source parameter, which exists by the time the orphan is handled
    serveByPath(sourceMock, []);
    serveByPath(targetMock, [param("/app/staging/config/new", "x")]);
    serveGet(sourceMock, [param("/app/dev/config/new", "y", "String", 1)]);
    serveGet(targetMock, [param("/app/staging/config/new", "x")]);
    targetMock.on(DeleteParameterCommand).resolves({});
    // WHEN reconciling with deletes on
    await handleMirrorEvent(scheduled, deps({ deletePolicy: "delete" }));
    // THEN the target copy is updated, never deleted
    expect(targetMock.commandCalls(DeleteParameterCommand)).toHaveLength(0);
    expect(targetMock.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Value)).toEqual(["y"]);
  });

  test("stops starting writes when the Lambda is about to time out and reports an incomplete run", async () => {
    serveByPath(sourceMock, [param("/app/dev/config/a", "1"), param("/app/dev/config/b", "2")]);
    serveByPath(targetMock, []);
    let remaining = RECONCILE_TIME_MARGIN_MS + 1;
    targetMock.on(PutParameterCommand).callsFake(() => {
      remaining = RECONCILE_TIME_MARGIN_MS - 1;
      return { Version: 1 };
    });
    const result = await handleMirrorEvent(scheduled, deps({}, () => remaining));
    expect(targetMock.commandCalls(PutParameterCommand)).toHaveLength(1);
    expect(result).toMatchObject({ summary: { complete: false, mirrored: 1 } });
  });

  test("a failing parameter does not stop the others, but the run ends in an error", async () => {
    serveByPath(sourceMock, [param("/app/dev/config/a", "1"), param("/app/dev/config/b", "2")]);
    serveByPath(targetMock, []);
    targetMock.on(PutParameterCommand).rejectsOnce(new Error("AccessDenied")).resolves({ Version: 1 });
    await expect(handleMirrorEvent({ action: "reconcile" }, deps())).rejects.toThrow(/1 failed parameter/);
    expect(targetMock.commandCalls(PutParameterCommand)).toHaveLength(2);
  });
});

describe("config mirror configuration", () => {
  const env = {
    AWS_REGION: "us-east-1",
    ENVIRONMENT: "dev",
    SOURCE_ENVIRONMENT: "dev",
    TARGET_ENVIRONMENT: "staging",
    TARGET_ROLE_ARN: "arn:aws:iam::222222222222:role/x",
    TARGET_EXTERNAL_ID: "ext",
    TARGET_KMS_KEY_ID: "alias/k",
    LEDGER_TABLE_NAME: "ledger",
    METRICS_NAMESPACE: "Test",
  };

  test("missing variables are all named in one error at cold start", () => {
    expect(() => loadHandler("../../lambdas/config-mirror/index", { AWS_REGION: "us-east-1", ENVIRONMENT: "dev" })).toThrow(
      /SOURCE_ENVIRONMENT, TARGET_ENVIRONMENT, TARGET_ROLE_ARN, TARGET_EXTERNAL_ID, TARGET_KMS_KEY_ID, LEDGER_TABLE_NAME, METRICS_NAMESPACE/,
    );
  });

  test("defaults: everything allowed, nothing denied, deletes recorded only, target in the same region", () => {
    expect(readMirrorConfig(env)).toMatchObject({ allowPatterns: [], denyPatterns: [], deletePolicy: "record", targetRegion: "us-east-1" });
  });

  test("pattern lists are JSON arrays", () => {
    expect(readMirrorConfig({ ...env, DENY_PATTERNS: '["network/**"]' }).denyPatterns).toEqual(["network/**"]);
    expect(() => readMirrorConfig({ ...env, DENY_PATTERNS: "network/**" })).toThrow(/DENY_PATTERNS is invalid/);
  });

  test("a mirror into its own environment is refused", () => {
    expect(() => readMirrorConfig({ ...env, TARGET_ENVIRONMENT: "dev" })).toThrow(/only copies into the next environment/);
  });

  test("the handler reads the source with the function's own credentials and writes the target with the assumed role's", async () => {
    // GIVEN the handler loaded with mocked STS and SSM; the function's own credentials come from its environment
    const mocks: Record<string, ReturnType<typeof mockClient>> = {};
    const seen: { path: string; accessKeyId: string; region: string }[] = [];
    const ownCredentials = { AWS_ACCESS_KEY_ID: "OWN-ACCOUNT-KEY", AWS_SECRET_ACCESS_KEY: "own-secret" };
    const { handler } = loadHandler<{ handler: (e: unknown, c: unknown) => Promise<unknown> }>("../../lambdas/config-mirror/index", { ...env, ...ownCredentials, TARGET_REGION: "eu-west-1" }, (load) => {
      const sts = load("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts");
      const ssm = load("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm");
      mocks.sts = mockClient(sts.STSClient);
      mocks.sts.on(sts.AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "ASSUMED-KEY", SecretAccessKey: "S", SessionToken: "T", Expiration: new Date(Date.now() + 900_000) } });
      mocks.ssm = mockClient(ssm.SSMClient);
      mocks.ssm.on(ssm.GetParametersByPathCommand).callsFake(async (input: { Path: string }, getClient) => {
        // The client that sent the call: its credentials and region say which account and region it reaches.
        const config = getClient().config as unknown as { credentials: () => Promise<{ accessKeyId: string }>; region: () => Promise<string> };
        const credentials = await config.credentials();
        seen.push({ path: input.Path, accessKeyId: credentials.accessKeyId, region: await config.region() });
        return { Parameters: [] };
      });
    });
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    // WHEN a scheduled reconcile runs (credentials and regions resolve at call time, from the function's environment)
    const saved = process.env;
    process.env = { ...saved, ...ownCredentials, AWS_REGION: "us-east-1" };
    let result: unknown;
    try {
      result = await handler(scheduled, { getRemainingTimeInMillis: () => 60_000 });
    } finally {
      process.env = saved;
      log.mockRestore();
    }
    // THEN the source hierarchy was listed as the function itself, the target's through the assumed role in the target region
    expect(result).toMatchObject({ kind: "reconcile" });
    expect(seen.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: "/app/dev/config/", accessKeyId: "OWN-ACCOUNT-KEY", region: "us-east-1" },
      { path: "/app/staging/config/", accessKeyId: "ASSUMED-KEY", region: "eu-west-1" },
    ]);
    expect(mocks.sts.calls().map((c) => c.args[0].input)).toEqual([expect.objectContaining({ RoleArn: env.TARGET_ROLE_ARN, ExternalId: env.TARGET_EXTERNAL_ID })]);
  });
});
