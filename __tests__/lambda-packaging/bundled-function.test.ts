import { parseJsonAttribute } from "../../src/json-attribute";
import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformStack, Testing } from "cdktf";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { clearBundleCache } from "../../src/lambda-packaging/bundle";
import { BundledFunction, type BundledFunctionProps } from "../../src/lambda-packaging/bundled-function";

const HANDLER = "stream-processor";

function synthFunction(overrides: Partial<BundledFunctionProps> = {}) {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "functions");
  // Without an explicit backend cdktf writes a local backend with an absolute path; real stacks set one.
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  new ArchiveProvider(stack, "archive");
  new BundledFunction(stack, "processor", {
    handler: HANDLER,
    functionName: "replica-dev-stream-processor",
    description: "Turns ledger changes into events",
    accountId: "111111111111",
    region: "us-east-1",
    kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/test",
    statements: [{ sid: "ReadStream", actions: ["dynamodb:GetRecords"], resources: ["arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/*"] }],
    environment: { LEDGER_TABLE_NAME: "ledger" },
    ...overrides,
  });
  app.synth();
  const stackDir = path.join(app.outdir, "stacks", "functions");
  const json = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  const only = (type: string) => Object.values(json.resource?.[type] ?? json.data?.[type] ?? {})[0] as any;
  return { stackDir, json, only };
}

describe("packaging", () => {
  test("the handler is bundled into the stack folder as one minified CommonJS file with a source map", () => {
    const { stackDir, only } = synthFunction();
    const archive = only("archive_file");
    const bundleDir = path.join(stackDir, archive.source_dir.replace("${path.module}/", ""));
    expect(readdirSync(bundleDir).sort()).toEqual(["index.js", "index.js.map"]);
    const code = readFileSync(path.join(bundleDir, "index.js"), "utf8");
    expect(code).toMatch(/module\.exports/);
    expect(code.split("\n").length).toBeLessThan(10);
    expect(code).toMatch(/sourceMappingURL=index\.js\.map/);
    // The map locates the handler's own sources for stack traces, without carrying their text.
    const map = JSON.parse(readFileSync(path.join(bundleDir, "index.js.map"), "utf8"));
    expect(map.sources).toEqual(expect.arrayContaining([expect.stringMatching(/lambdas\/stream-processor\/index\.ts$/)]));
    expect(map.mappings.length).toBeGreaterThan(100);
    expect(map.sourcesContent).toBeUndefined();
  });

  test("the AWS SDK v3 is left to the Lambda runtime", () => {
    const { stackDir, only } = synthFunction();
    const code = readFileSync(path.join(stackDir, only("archive_file").source_dir.replace("${path.module}/", ""), "index.js"), "utf8");
    expect(code).toMatch(/require\("@aws-sdk\/client-eventbridge"\)/);
  });

  test("the archive provider zips it inside the stack folder, with paths relative to the folder only", () => {
    const { json, only } = synthFunction();
    expect(only("archive_file")).toMatchObject({
      type: "zip",
      source_dir: expect.stringMatching(/^\$\{path\.module\}\/assets\/processor_bundle_[A-F0-9]+\/[A-F0-9]+$/),
      output_path: "${path.module}/assets/replica-dev-stream-processor.zip",
    });
    expect(JSON.stringify(json)).not.toContain(process.cwd());
  });

  test("source_code_hash comes from the archive, so only changed code redeploys", () => {
    const { only } = synthFunction();
    expect(only("aws_lambda_function")).toMatchObject({
      filename: expect.stringMatching(/^\$\{data\.archive_file\.processor_archive_[A-F0-9]+\.output_path\}$/),
      source_code_hash: expect.stringMatching(/^\$\{data\.archive_file\.processor_archive_[A-F0-9]+\.output_base64sha256\}$/),
    });
  });

  test("bundling is deterministic: rebuilt unchanged code yields the same asset, so a second synth plans no change", () => {
    const first = synthFunction().only("archive_file").source_dir;
    clearBundleCache();
    const second = synthFunction().only("archive_file").source_dir;
    expect(second).toBe(first);
  });

  test("a handler that does not exist fails synth with the path it expected", () => {
    expect(() => synthFunction({ handler: "no-such-handler" })).toThrow(/No Lambda handler "no-such-handler": expected lambdas\/no-such-handler\/index\.ts/);
  });
});

describe("function settings", () => {
  test("arm64 on a current Node.js runtime, 256 MB, X-Ray, encrypted environment", () => {
    const { only } = synthFunction();
    expect(only("aws_lambda_function")).toMatchObject({
      function_name: "replica-dev-stream-processor",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      memory_size: 256,
      tracing_config: { mode: "Active" },
      kms_key_arn: "arn:aws:kms:us-east-1:111111111111:key/test",
      environment: { variables: { NODE_OPTIONS: "--enable-source-maps", LEDGER_TABLE_NAME: "ledger" } },
      logging_config: { log_format: "JSON", log_group: expect.stringContaining("aws_cloudwatch_log_group.") },
    });
  });

  test("reserves no concurrency unless asked: a new account's quota leaves no room for reservations", () => {
    const { only } = synthFunction();
    expect(only("aws_lambda_function")).not.toHaveProperty("reserved_concurrent_executions");
  });

  test("memory, timeout and concurrency can be set", () => {
    const { only } = synthFunction({ memoryMb: 512, timeoutSeconds: 300, reservedConcurrency: 1 });
    expect(only("aws_lambda_function")).toMatchObject({ memory_size: 512, timeout: 300, reserved_concurrent_executions: 1 });
  });

  test("its log group has retention and is encrypted with the environment key", () => {
    const { only } = synthFunction({ logRetentionDays: 90 });
    expect(only("aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/lambda/replica-dev-stream-processor",
      retention_in_days: 90,
      kms_key_id: "arn:aws:kms:us-east-1:111111111111:key/test",
    });
  });

  test("failed asynchronous invocations go to an encrypted dead-letter queue", () => {
    const { only } = synthFunction();
    expect(only("aws_sqs_queue")).toMatchObject({ name: "replica-dev-stream-processor-dlq", kms_master_key_id: "arn:aws:kms:us-east-1:111111111111:key/test" });
    expect(only("aws_lambda_function_event_invoke_config")).toMatchObject({
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: expect.stringContaining("aws_sqs_queue.") } },
    });
  });

  test("the role holds the caller's statements plus logging, tracing and dead letters, and nothing else", () => {
    const { only } = synthFunction();
    const statements = parseJsonAttribute(only("aws_iam_role_policy").policy).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(["WriteOwnLogs", "WriteTraces", "SendDeadLetters", "UseEnvironmentKey", "ReadStream"]);
    expect(statements.find((s: any) => s.Sid === "WriteOwnLogs").Resource).toEqual([
      "arn:aws:logs:us-east-1:111111111111:log-group:/aws/lambda/replica-dev-stream-processor:*",
    ]);
    expect(JSON.parse(only("aws_iam_role").assume_role_policy).Statement).toEqual([
      expect.objectContaining({ Principal: { Service: ["lambda.amazonaws.com"] }, Condition: { StringEquals: { "aws:SourceAccount": ["111111111111"] } } }),
    ]);
  });

  test("a function placed in a VPC gets its subnets, security groups and the network-interface permissions", () => {
    const { only } = synthFunction({ vpc: { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: ["sg-1"], endpoints: { require: () => [], admit: () => {} } } });
    expect(only("aws_lambda_function").vpc_config).toEqual({ subnet_ids: ["subnet-a", "subnet-b"], security_group_ids: ["sg-1"] });
    expect(parseJsonAttribute(only("aws_iam_role_policy").policy).Statement.map((s: any) => s.Sid)).toContain("ManageVpcNetworkInterfaces");
  });
});

test("the stack folder needs nothing outside itself", () => {
  const { stackDir, only } = synthFunction();
  const sourceDir = path.join(stackDir, only("archive_file").source_dir.replace("${path.module}/", ""));
  expect(existsSync(sourceDir)).toBe(true);
  expect(path.relative(stackDir, sourceDir).startsWith("..")).toBe(false);
});
