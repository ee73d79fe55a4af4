import { existsSync } from "node:fs";
import { join } from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { LocalBackend, TerraformStack, Testing } from "cdktf";
import { policyDocument } from "../../src/iam/policy";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";
import { PlatformKey } from "../../src/keys/platform-key";
import { checkStack } from "../../src/policy-checks/policy-checks";
import { PlatformStack, StackCheckError } from "../../src/stacks/platform-stack";
import { SecureBucket } from "../../src/storage/secure-bucket";

const TAGS = { Project: "replica", Environment: "dev", ManagedBy: "cdktf" };
const KEY = "arn:aws:kms:us-east-1:111111111111:key/test";

/** A stack with a tagging provider; `build` adds the resources under test. */
function stackWith(build: (stack: TerraformStack) => void, tags: Record<string, string> = TAGS) {
  const stack = new TerraformStack(Testing.app(), "checked");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags }] });
  build(stack);
  return stack;
}

/** Rules broken by the stack, as `rule address` lines. */
const broken = (stack: TerraformStack) => checkStack(stack, Object.keys(TAGS)).map((v) => `${v.rule} ${v.resource.address}`);

describe("compliant building blocks", () => {
  test("a SecureBucket, a PlatformKey and encrypted resources break no rule", () => {
    const stack = stackWith((s) => {
      const key = new PlatformKey(s, "key", { description: "k", alias: "alias/k", accountId: "111111111111", region: "us-east-1", deletionProtection: false });
      new SecureBucket(s, "bucket", { bucketName: "replica-dev-artifacts", kmsKeyArn: key.arn });
      new CloudwatchLogGroup(s, "logs", { name: "l", retentionInDays: 30, kmsKeyId: key.arn });
      new SnsTopic(s, "topic", { name: "t", kmsMasterKeyId: key.arn });
    });
    expect(broken(stack)).toEqual([]);
  });
});

describe("each rule fires", () => {
  test("a bucket without encryption, versioning, public access block or TLS-only policy", () => {
    const stack = stackWith((s) => new S3Bucket(s, "plain", { bucket: "plain" }));
    expect(broken(stack)).toEqual([
      expect.stringMatching(/^bucket-encryption aws_s3_bucket\.plain$/),
      "bucket-versioning aws_s3_bucket.plain",
      "bucket-public-access-block aws_s3_bucket.plain",
      "bucket-tls-only aws_s3_bucket.plain",
    ]);
  });

  test("a KMS key without rotation", () => {
    const stack = stackWith((s) => new KmsKey(s, "norotate", { description: "k" }));
    expect(broken(stack)).toEqual(["kms-rotation aws_kms_key.norotate"]);
  });

  test("an IAM statement with a wildcard action, in an inline policy and in a trust policy", () => {
    const stack = stackWith((s) => {
      const role = new IamRole(s, "role", { name: "r", assumeRolePolicy: policyDocument([{ actions: ["sts:*"], principals: { Service: ["lambda.amazonaws.com"] } }]) });
      new IamRolePolicy(s, "policy", { role: role.name, policy: policyDocument([{ actions: ["s3:Get*"], resources: ["*"] }]) });
    });
    expect(broken(stack)).toEqual(["iam-wildcard-action aws_iam_role.role", "iam-wildcard-action aws_iam_role_policy.policy"]);
  });

  test("a Deny statement may use wildcards, and kms:* is allowed only for the account root in a key policy", () => {
    const stack = stackWith((s) => {
      new IamRolePolicy(s, "deny", { role: "r", policy: policyDocument([{ effect: "Deny", actions: ["s3:*"], resources: ["*"] }]) });
      new KmsKey(s, "root", { enableKeyRotation: true, policy: policyDocument([{ actions: ["kms:*"], principals: { AWS: ["arn:aws:iam::111111111111:root"] }, resources: ["*"] }]) });
      new KmsKey(s, "role", { enableKeyRotation: true, policy: policyDocument([{ actions: ["kms:*"], principals: { AWS: ["arn:aws:iam::111111111111:role/x"] }, resources: ["*"] }]) });
    });
    expect(broken(stack)).toEqual(["iam-wildcard-action aws_kms_key.role"]);
  });

  test("a policy the checks cannot read is a finding, not a policy without statements", () => {
    // GIVEN a wildcard grant hidden in a document that is not JSON, and a valid one beside it
    const stack = stackWith((s) => {
      new IamRolePolicy(s, "garbled", { role: "r", policy: '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}' });
      new IamRolePolicy(s, "valid", { role: "r", policy: policyDocument([{ actions: ["s3:GetObject"], resources: ["*"] }]) });
    });
    // THEN only the unreadable one is reported, by its address, with the parser's reason
    const violations = checkStack(stack, Object.keys(TAGS));
    expect(violations.map((v) => `${v.rule} ${v.resource.address}`)).toEqual(["policy-readable aws_iam_role_policy.garbled"]);
    expect(violations[0].message).toMatch(/cannot be read.*JSON/);
  });

  test("an unencrypted database cluster", () => {
    const stack = stackWith((s) => new RdsCluster(s, "db", { engine: "aurora-postgresql", manageMasterUserPassword: true, masterUsername: "u" }));
    expect(broken(stack)).toEqual(["database-encryption aws_rds_cluster.db"]);
  });

  test("a DynamoDB table without a customer-managed key", () => {
    const stack = stackWith((s) => new DynamodbTable(s, "table", { name: "t", hashKey: "pk", attribute: [{ name: "pk", type: "S" }], billingMode: "PAY_PER_REQUEST" }));
    expect(broken(stack)).toEqual(["table-encryption aws_dynamodb_table.table"]);
  });

  test("a log group without encryption or retention", () => {
    const stack = stackWith((s) => new CloudwatchLogGroup(s, "logs", { name: "l" }));
    expect(broken(stack)).toEqual(["log-group-encryption aws_cloudwatch_log_group.logs", "log-group-retention aws_cloudwatch_log_group.logs"]);
  });

  test("an unencrypted topic or queue", () => {
    const stack = stackWith((s) => {
      new SnsTopic(s, "topic", { name: "t" });
      new SqsQueue(s, "queue", { name: "q" });
    });
    expect(broken(stack)).toEqual(["topic-encryption aws_sns_topic.topic", "topic-encryption aws_sqs_queue.queue"]);
  });

  test("a taggable resource without the required tags, counting the provider's default tags", () => {
    const stack = stackWith((s) => new SnsTopic(s, "topic", { name: "t", kmsMasterKeyId: KEY, tags: { Environment: "dev" } }), { Project: "replica" });
    expect(checkStack(stack, Object.keys(TAGS)).map((v) => v.message)).toEqual(["resource lacks the required tags ManagedBy"]);
  });
});

test("a platform stack that enforces the policies is not written, and the error lists every broken rule by address", () => {
  const app = Testing.app();
  const stack = new PlatformStack(app, "checked");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
  new KmsKey(stack, "norotate", { description: "k" });
  new CloudwatchLogGroup(stack, "logs", { name: "l", retentionInDays: 30 });
  stack.enforcePolicies({ requiredTags: Object.keys(TAGS) });
  const error = (() => {
    try {
      app.synth();
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(StackCheckError);
  expect((error as StackCheckError).problems).toEqual([
    "[kms-rotation] aws_kms_key.norotate: KMS key does not rotate (enable_key_rotation)",
    expect.stringMatching(/^\[log-group-encryption\] aws_cloudwatch_log_group\.logs: /),
  ]);
  expect(existsSync(join(app.outdir, "stacks", "checked", "cdk.tf.json"))).toBe(false);
});

test("the checks read what the stack writes: an override that breaks a rule is caught", () => {
  const app = Testing.app();
  const stack = new PlatformStack(app, "checked");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
  new KmsKey(stack, "key", { description: "k", enableKeyRotation: true }).addOverride("enable_key_rotation", false);
  stack.enforcePolicies({ requiredTags: Object.keys(TAGS) });
  expect(() => app.synth()).toThrow(/\[kms-rotation\] aws_kms_key\.key/);
});

test("the platform runs the checks on every stack it builds", () => {
  // GIVEN the platform with one non-compliant resource added to one stack
  const app = Testing.app();
  const stacks = buildPlatform(app, validateConfig(EXAMPLE_CONFIG));
  new KmsKey(stacks.get("staging-eu-west-1")!, "norotate", { description: "k" });
  // WHEN / THEN
  expect(() => app.synth()).toThrow(/\[kms-rotation\] aws_kms_key\.norotate/);
});
