import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, type TableDescription } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetParametersByPathCommand, SSMClient, type Parameter } from "@aws-sdk/client-ssm";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import type { LambdaFunctionURLEvent } from "aws-lambda";
import { readValidatorConfig, type ValidatorConfig } from "../../lambdas/config-validator/config";
import { handleValidatorEvent } from "../../lambdas/config-validator/handler-logic";
import type { ValidateDeps, ValidationReport } from "../../lambdas/config-validator/validate";
import { ledgerItems } from "../../lambdas/shared/ledger";
import { capture, loadHandler } from "./helpers";

type Env = "dev" | "staging";
const envs: Env[] = ["dev", "staging"];
const clients = Object.fromEntries(
  envs.map((name) => {
    const dynamodb = new DynamoDBClient({ region: "us-east-1" });
    return [name, { ssm: new SSMClient({ region: "us-east-1" }), dynamodb, doc: DynamoDBDocumentClient.from(dynamodb) }];
  }),
) as Record<Env, { ssm: SSMClient; dynamodb: DynamoDBClient; doc: DynamoDBDocumentClient }>;
const mocks = Object.fromEntries(envs.map((name) => [name, { ssm: mockClient(clients[name].ssm), dynamodb: mockClient(clients[name].dynamodb), doc: mockClient(clients[name].doc) }])) as Record<
  Env,
  { ssm: ReturnType<typeof mockClient>; dynamodb: ReturnType<typeof mockClient>; doc: ReturnType<typeof mockClient> }
>;
const s3 = new S3Client({ region: "us-east-1" });
const s3Mock = mockClient(s3);

const config: ValidatorConfig = {
  environment: "prod",
  region: "us-east-1",
  metricsNamespace: "Test",
  artifactsBucket: "artifacts-prod",
  reportPrefix: "reports/",
  environments: [
    { name: "dev", accountId: "111111111111", region: "us-east-1", roleArn: "arn:aws:iam::111111111111:role/validator-read", externalId: "x", ledgerTableName: "ledger-dev" },
    { name: "staging", accountId: "222222222222", region: "us-east-1", roleArn: "arn:aws:iam::222222222222:role/validator-read", externalId: "y", ledgerTableName: "ledger-staging" },
  ],
  ignorePatterns: ["network/**"],
};

let captured: ReturnType<typeof capture>;
const deps = (): ValidateDeps => ({
  config,
  clientsFor: (env) => clients[env.name as Env],
  s3,
  log: captured.log,
  metrics: captured.metrics,
  now: () => new Date("2024-05-01T12:00:00.000Z"),
});

const p = (env: Env, key: string, value: string, type = "String"): Parameter => ({ Name: `/app/${env}/config/${key}`, Value: value, Type: type as Parameter["Type"] });
const table = (overrides: Partial<TableDescription> = {}): TableDescription => ({
  KeySchema: [
    { AttributeName: "pk", KeyType: "HASH" },
    { AttributeName: "sk", KeyType: "RANGE" },
  ],
  AttributeDefinitions: [
    { AttributeName: "sk", AttributeType: "S" },
    { AttributeName: "pk", AttributeType: "S" },
  ],
  StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
  BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
  ...overrides,
});
const schema = (env: Env, database: string, version: string) => ledgerItems.schema({ environment: env, database, version, status: "applied", occurredAt: "2024-01-01T00:00:00Z", originRegion: "us-east-1" });

/** Gives each environment the same healthy state; tests then change one thing. */
function sameEverywhere(): void {
  for (const env of envs) {
    mocks[env].ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p(env, "api/timeout", "30")] });
    mocks[env].dynamodb.on(DescribeTableCommand).resolves({ Table: table() });
    mocks[env].doc.on(QueryCommand).resolves({ Items: [schema(env, "orders", "12")] });
  }
}
const run = async () => (await handleValidatorEvent({ "detail-type": "Scheduled Event", source: "aws.events" }, deps())) as ValidationReport;

beforeEach(() => {
  for (const env of envs) for (const m of Object.values(mocks[env])) m.reset();
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  captured = capture("prod");
  sameEverywhere();
});

describe("config validator: drift detection", () => {
  test("identical environments produce no findings, zero drift metrics and a stored report", async () => {
    const report = await run();
    expect(report.findings).toEqual([]);
    expect(report.summary).toEqual({ ssm: 0, schema: 0, dynamodb: 0 });
    expect(captured.metricValues("DriftCount")).toEqual([0, 0, 0]);
    expect(s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(["reports/config-validation/2024-05-01T12-00-00-000Z.json", "reports/config-validation/latest.json"]);
    expect(s3Mock.commandCalls(PutObjectCommand)[1].args[0].input).toMatchObject({ Bucket: "artifacts-prod", ContentType: "application/json" });
  });

  test("SSM drift: a key missing after translating the environment segment and a differing plain value", async () => {
    // GIVEN dev has an extra key and a different timeout; staging's only-own network key is ignored
    mocks.dev.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p("dev", "api/timeout", "30"), p("dev", "api/retries", "3")] });
    mocks.staging.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p("staging", "api/timeout", "60"), p("staging", "network/vpc", "vpc-2")] });
    // WHEN validating
    const report = await run();
    // THEN both differences are reported, without values
    expect(report.findings).toEqual([
      { category: "ssm", kind: "missing", subject: "api/retries", environments: ["dev", "staging"], detail: "present in dev, absent in staging" },
      { category: "ssm", kind: "value", subject: "api/timeout", environments: ["dev", "staging"], detail: "values differ" },
    ]);
    expect(captured.metricValues("DriftCount", { Category: "ssm" })).toEqual([2]);
    expect(JSON.stringify(report)).not.toMatch(/"30"|"60"/);
  });

  test("SecureStrings are read without decryption and compared by presence only, never by value", async () => {
    mocks.dev.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p("dev", "api/timeout", "30"), p("dev", "db/password", "AQICAHdevciphertext", "SecureString")] });
    mocks.staging.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p("staging", "api/timeout", "30"), p("staging", "db/password", "AQICAHstgciphertext", "SecureString")] });
    const report = await run();
    expect(report.findings).toEqual([]);
    expect(mocks.dev.ssm.commandCalls(GetParametersByPathCommand)[0].args[0].input).toMatchObject({ Path: "/app/dev/config/", Recursive: true, WithDecryption: false });
    const stored = String(s3Mock.commandCalls(PutObjectCommand)[0].args[0].input.Body);
    expect(stored).not.toContain("ciphertext");
  });

  test("a SecureString present in only one environment is reported as missing", async () => {
    mocks.dev.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p("dev", "api/timeout", "30"), p("dev", "db/password", "enc", "SecureString")] });
    const report = await run();
    expect(report.findings).toMatchObject([{ category: "ssm", kind: "missing", subject: "db/password" }]);
  });

  test("schema drift: different latest applied versions and a database with no migrations in one environment", async () => {
    mocks.dev.doc.on(QueryCommand).resolves({ Items: [schema("dev", "orders", "13"), schema("dev", "payments", "2")] });
    const report = await run();
    expect(mocks.staging.doc.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ TableName: "ledger-staging", ExpressionAttributeValues: { ":pk": "SCHEMA#staging" } });
    expect(report.findings).toEqual([
      { category: "schema", kind: "version", subject: "orders", environments: ["dev", "staging"], detail: "dev=13, staging=12" },
      { category: "schema", kind: "missing", subject: "payments", environments: ["dev", "staging"], detail: "no applied migration in staging" },
    ]);
    expect(captured.metricValues("DriftCount", { Category: "schema" })).toEqual([2]);
  });

  test("schema versions compare numerically by dotted segment, across every page of the ledger query", async () => {
    // GIVEN dev's ledger answering in two pages, 1.9 on the first and 1.10 on the second; staging at 1.10.0
    mocks.dev.doc.on(QueryCommand).callsFake((input: { ExclusiveStartKey?: unknown }) =>
      input.ExclusiveStartKey === undefined
        ? { Items: [schema("dev", "orders", "1.9")], LastEvaluatedKey: { pk: "SCHEMA#dev", sk: "orders#1.9" } }
        : { Items: [schema("dev", "orders", "1.10")] },
    );
    mocks.staging.doc.on(QueryCommand).resolves({ Items: [schema("staging", "orders", "1.10.0")] });
    // WHEN validating
    const report = await run();
    // THEN 1.10 is the latest everywhere (1.10.0 is the same version): no schema drift
    expect(mocks.dev.doc.commandCalls(QueryCommand)[1]!.args[0].input).toMatchObject({ ExclusiveStartKey: { pk: "SCHEMA#dev", sk: "orders#1.9" } });
    expect(report.findings.filter((f) => f.category === "schema")).toEqual([]);
  });

  test("SSM parameters are read across every page of GetParametersByPath", async () => {
    // GIVEN dev's parameters answered in two pages, staging's in one
    mocks.dev.ssm.on(GetParametersByPathCommand).callsFake((input: { NextToken?: string }) =>
      input.NextToken === undefined ? { Parameters: [p("dev", "api/timeout", "30")], NextToken: "page-2" } : { Parameters: [p("dev", "api/retries", "3")] },
    );
    mocks.staging.ssm.on(GetParametersByPathCommand).resolves({ Parameters: [p("staging", "api/timeout", "30"), p("staging", "api/retries", "3")] });
    // WHEN validating, THEN the second page's key is found: no SSM drift
    const report = await run();
    expect(report.findings.filter((f) => f.category === "ssm")).toEqual([]);
  });

  test("DynamoDB drift: a GSI only in one environment and a different stream view type", async () => {
    // GIVEN staging's ledger has an extra index and keys-only streams (attribute order differs harmlessly)
    mocks.staging.dynamodb.on(DescribeTableCommand).resolves({
      Table: table({
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        GlobalSecondaryIndexes: [{ IndexName: "byKind", KeySchema: [{ AttributeName: "kind", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" } }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
      }),
    });
    // WHEN validating
    const report = await run();
    // THEN exactly those two differences are reported
    expect(mocks.dev.dynamodb.commandCalls(DescribeTableCommand)[0].args[0].input).toEqual({ TableName: "ledger-dev" });
    expect(report.findings).toEqual([
      { category: "dynamodb", kind: "gsi", subject: "ledger", environments: ["dev", "staging"], detail: "index byKind only in staging" },
      { category: "dynamodb", kind: "stream", subject: "ledger", environments: ["dev", "staging"], detail: "dev=enabled:NEW_AND_OLD_IMAGES, staging=enabled:KEYS_ONLY" },
    ]);
    expect(captured.metricValues("DriftCount", { Category: "dynamodb" })).toEqual([2]);
  });

  test("DynamoDB drift: a different key schema and a table missing in one environment", async () => {
    mocks.staging.dynamodb.on(DescribeTableCommand).rejects(new ResourceNotFoundException({ message: "no table", $metadata: {} }));
    let report = await run();
    expect(report.findings).toMatchObject([{ category: "dynamodb", kind: "missing", detail: "table not found in staging" }]);

    mocks.staging.dynamodb.reset();
    mocks.staging.dynamodb.on(DescribeTableCommand).resolves({ Table: table({ KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }) });
    report = await run();
    expect(report.findings).toMatchObject([{ category: "dynamodb", kind: "keySchema", detail: "dev=[pk:HASH, sk:RANGE], staging=[pk:HASH]" }]);
  });

  test("an environment that cannot be read is reported as an error and its categories are skipped, not failed", async () => {
    mocks.staging.ssm.on(GetParametersByPathCommand).rejects(new Error("AccessDenied: not authorized to perform sts:AssumeRole"));
    const report = await run();
    expect(report.errors).toEqual([{ environment: "staging", category: "ssm", message: "AccessDenied: not authorized to perform sts:AssumeRole" }]);
    expect(report.summary).toEqual({ ssm: 0, schema: 0, dynamodb: 0 });
    expect(captured.metricValues("ValidationErrors")).toEqual([1]);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  test("an unsupported event is rejected", async () => {
    await expect(handleValidatorEvent({ "detail-type": "Object Created" }, deps())).rejects.toThrow(/Unsupported event for config-validator/);
  });
});

describe("config validator: function URL", () => {
  const request = (method: string): LambdaFunctionURLEvent =>
    ({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString: "",
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method, path: "/", protocol: "HTTP/1.1", sourceIp: "10.0.0.1", userAgent: "test" }, requestId: "r", routeKey: "$default", stage: "$default", accountId: "1", apiId: "a", domainName: "d", domainPrefix: "d", time: "t", timeEpoch: 0 },
    }) as LambdaFunctionURLEvent;

  test("GET answers 200 with the latest report as JSON", async () => {
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{"summary":{"ssm":1}}' } as never });
    const response = await handleValidatorEvent(request("GET"), deps());
    expect(response).toEqual({ statusCode: 200, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" }, body: '{"summary":{"ssm":1}}' });
    expect(s3Mock.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: "artifacts-prod", Key: "reports/config-validation/latest.json" });
  });

  test("any other method answers 405 with Allow: GET and reads nothing", async () => {
    const response = await handleValidatorEvent(request("POST"), deps());
    expect(response).toMatchObject({ statusCode: 405, headers: { Allow: "GET" } });
    expect(s3Mock.calls()).toHaveLength(0);
    expect(mocks.dev.ssm.calls()).toHaveLength(0);
  });

  test("GET before the first report answers 404", async () => {
    s3Mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: "nope", $metadata: {} }));
    await expect(handleValidatorEvent(request("GET"), deps())).resolves.toMatchObject({ statusCode: 404 });
  });
});

describe("config validator configuration", () => {
  const environments = JSON.stringify(config.environments);
  const env = { AWS_REGION: "us-east-1", ENVIRONMENT: "prod", METRICS_NAMESPACE: "Test", ARTIFACTS_BUCKET: "artifacts-prod", VALIDATION_ENVIRONMENTS: environments };

  test("missing variables are all named in one error at cold start", () => {
    expect(() => loadHandler("../../lambdas/config-validator/index", { AWS_REGION: "us-east-1" })).toThrow(/ENVIRONMENT, METRICS_NAMESPACE, ARTIFACTS_BUCKET, VALIDATION_ENVIRONMENTS/);
  });

  test("defaults: reports under reports/, nothing ignored", () => {
    expect(readValidatorConfig(env)).toMatchObject({ reportPrefix: "reports/", ignorePatterns: [] });
  });

  test("VALIDATION_ENVIRONMENTS must list at least two complete, distinct environments", () => {
    expect(() => readValidatorConfig({ ...env, VALIDATION_ENVIRONMENTS: "[]" })).toThrow(/at least two environments/);
    expect(() => readValidatorConfig({ ...env, VALIDATION_ENVIRONMENTS: '[{"name":"dev"},{"name":"prod"}]' })).toThrow(/entry 0 lacks "accountId"/);
    const dup = JSON.stringify([config.environments[0], config.environments[0]]);
    expect(() => readValidatorConfig({ ...env, VALIDATION_ENVIRONMENTS: dup })).toThrow(/listed twice/);
    const halfRole = JSON.stringify([{ ...config.environments[0], externalId: undefined }, config.environments[1]]);
    expect(() => readValidatorConfig({ ...env, VALIDATION_ENVIRONMENTS: halfRole })).toThrow(/roleArn and externalId together/);
  });

  test("the handler answers a function URL GET through its own S3 client", async () => {
    const { handler } = loadHandler<{ handler: (e: unknown) => Promise<unknown> }>("../../lambdas/config-validator/index", env, (load) => {
      const sdk = load("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
      mockClient(sdk.S3Client).on(sdk.GetObjectCommand).resolves({ Body: { transformToString: async () => "{}" } as never });
    });
    await expect(handler({ requestContext: { http: { method: "GET" } } })).resolves.toMatchObject({ statusCode: 200, body: "{}" });
  });
});
