import { TerraformStack } from "cdktf";
import { platform, resourcesOf, synthJson } from "../helpers/platform";

function bootstrap(edit?: (raw: any) => void) {
  const { app } = platform(edit);
  const stack = app.node.children.find((c) => c instanceof TerraformStack && c.node.id === "state-bootstrap") as TerraformStack;
  return synthJson(stack);
}

test("the bootstrap stack keeps its own state locally", () => {
  expect(bootstrap().terraform.backend).toEqual({ local: { path: "terraform.state-bootstrap.tfstate" } });
});

test("the state bucket is versioned, KMS-encrypted, private, TLS-only and protected from destroy", () => {
  const json = bootstrap();
  expect(Object.values(resourcesOf(json, "aws_s3_bucket"))).toEqual([
    expect.objectContaining({ bucket: "replica-tfstate-333333333333", lifecycle: { prevent_destroy: true } }),
  ]);
  expect(Object.values(resourcesOf(json, "aws_s3_bucket_versioning"))[0]).toMatchObject({ versioning_configuration: { status: "Enabled" } });
  expect(Object.values(resourcesOf(json, "aws_s3_bucket_server_side_encryption_configuration"))[0]).toMatchObject({
    rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringContaining("aws_kms_key.") }, bucket_key_enabled: true }],
  });
  expect(Object.values(resourcesOf(json, "aws_s3_bucket_public_access_block"))[0]).toMatchObject({
    block_public_acls: true,
    block_public_policy: true,
    ignore_public_acls: true,
    restrict_public_buckets: true,
  });
  const policy = JSON.parse((Object.values(resourcesOf(json, "aws_s3_bucket_policy"))[0] as any).policy);
  expect(policy.Statement).toContainEqual(expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
});

test("the lock table is encrypted with the state key and has point-in-time recovery", () => {
  const json = bootstrap();
  expect(Object.values(resourcesOf(json, "aws_dynamodb_table"))).toEqual([
    expect.objectContaining({
      name: "replica-tfstate-locks",
      hash_key: "LockID",
      billing_mode: "PAY_PER_REQUEST",
      server_side_encryption: { enabled: true, kms_key_arn: expect.stringContaining("aws_kms_key.") },
      point_in_time_recovery: { enabled: true },
      deletion_protection_enabled: true,
    }),
  ]);
});

test("only the environments' deployment roles may assume the state role", () => {
  const json = bootstrap();
  const role = Object.values(resourcesOf(json, "aws_iam_role"))[0] as any;
  expect(role.name).toBe("replica-terraform-state");
  expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
    {
      Effect: "Allow",
      Action: ["sts:AssumeRole"],
      Principal: { AWS: ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
      Condition: {
        ArnEquals: {
          "aws:PrincipalArn": [
            "arn:aws:iam::111111111111:role/PlatformDeployment",
            "arn:aws:iam::222222222222:role/PlatformDeployment",
            "arn:aws:iam::333333333333:role/PlatformDeployment",
          ],
        },
      },
    },
  ]);
});

test("the state role reaches only the state objects, the lock table and the state key", () => {
  const json = bootstrap();
  const policy = JSON.parse((Object.values(resourcesOf(json, "aws_iam_role_policy"))[0] as any).policy);
  expect(policy.Statement.map((s: any) => [s.Sid, s.Action, s.Resource])).toEqual([
    ["ListState", ["s3:ListBucket"], [expect.stringContaining("aws_s3_bucket.")]],
    ["ReadWriteState", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [expect.stringMatching(/\.arn\}\/replica\/\*$/)]],
    ["Lock", ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"], [expect.stringContaining("aws_dynamodb_table.")]],
    ["EncryptState", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], [expect.stringContaining("aws_kms_key.")]],
  ]);
});

test("the state location follows the configuration", () => {
  const json = bootstrap((raw) => {
    raw.stateBackend = { accountId: "444444444444", region: "eu-west-1", bucket: "acme-state", lockTable: "acme-locks", roleName: "acme-state" };
  });
  expect(json.provider.aws[0]).toMatchObject({ region: "eu-west-1", allowed_account_ids: ["444444444444"] });
  expect(Object.values(resourcesOf(json, "aws_s3_bucket"))[0]).toMatchObject({ bucket: "acme-state" });
});
