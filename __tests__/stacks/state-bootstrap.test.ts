import { TerraformStack } from "cdktf";
import * as path from "node:path";
import { platform, resourcesOf, synthJson } from "../helpers/platform";
import { parseJsonAttribute } from "../../src/json-attribute";

function bootstrap(edit?: (raw: any) => void) {
  const { app } = platform(edit);
  const stack = app.node.children.find((c) => c instanceof TerraformStack && c.node.id === "state-bootstrap") as TerraformStack;
  return synthJson(stack);
}

test("before the switch, the state stack keeps its own state in a local file outside the generated cdktf.out/", () => {
  const backend = bootstrap().terraform.backend;
  expect(Object.keys(backend)).toEqual(["local"]);
  // Terraform runs in cdktf.out/stacks/<stack>/ and resolves the path from there.
  const stateFile = path.resolve("cdktf.out/stacks/state-bootstrap", backend.local.path);
  expect(stateFile).toBe(path.resolve("terraform-state/state-bootstrap.tfstate"));
  expect(path.relative(path.resolve("cdktf.out"), stateFile).startsWith("..")).toBe(true);
});

test("once bootstrapped, the state stack keeps its state in its own bucket, with the caller's (state account) credentials", () => {
  const json = bootstrap((raw) => {
    raw.stateBackend.bootstrapped = true;
  });
  expect(json.terraform.backend).toEqual({
    s3: {
      bucket: "replica-tfstate-333333333333",
      key: "replica/state-bootstrap/terraform.tfstate",
      region: "us-east-1",
      encrypt: true,
      kms_key_id: "arn:aws:kms:us-east-1:333333333333:alias/replica-tfstate",
      use_lockfile: true,
    },
  });
});

test("the state stack is applied with the state account's own credentials: no role to assume, other accounts refused", () => {
  const provider = bootstrap().provider.aws[0];
  expect(provider.assume_role).toBeUndefined();
  expect(provider.allowed_account_ids).toEqual(["333333333333"]);
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
  const policy = parseJsonAttribute((Object.values(resourcesOf(json, "aws_s3_bucket_policy"))[0] as any).policy);
  expect(policy.Statement).toContainEqual(expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
});

test("state is locked with S3 lock files: no DynamoDB lock table", () => {
  expect(resourcesOf(bootstrap(), "aws_dynamodb_table")).toEqual({});
});

test("the principals that run terraform init (the deployers) and the deployment roles may assume the state role, nobody else", () => {
  const json = bootstrap((raw) => {
    raw.deployers = ["arn:aws:iam::444444444444:role/ci-deploy"];
  });
  // The stack also holds the state-change forwarder role (docs/replication-fabric.md, "Stack updated").
  const role = Object.values(resourcesOf(json, "aws_iam_role")).find((r: any) => r.name === "replica-terraform-state") as any;
  expect(role.name).toBe("replica-terraform-state");
  expect(parseJsonAttribute(role.assume_role_policy).Statement).toEqual([
    {
      Sid: "TrustNamedRoles",
      Effect: "Allow",
      Action: ["sts:AssumeRole"],
      Principal: { AWS: ["arn:aws:iam::444444444444:root", "arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"] },
      Condition: {
        ArnLike: {
          "aws:PrincipalArn": [
            "arn:aws:iam::444444444444:role/ci-deploy",
            "arn:aws:iam::111111111111:role/PlatformDeployment",
            "arn:aws:iam::222222222222:role/PlatformDeployment",
            "arn:aws:iam::333333333333:role/PlatformDeployment",
          ],
        },
      },
    },
  ]);
});

test("the state role reaches only the state objects and their lock files, and the state key", () => {
  const json = bootstrap();
  const policy = parseJsonAttribute((Object.values(resourcesOf(json, "aws_iam_role_policy")).find((p: any) => p.name === "terraform-state") as any).policy);
  expect(policy.Statement.map((s: any) => [s.Sid, s.Action, s.Resource])).toEqual([
    ["ListState", ["s3:ListBucket"], [expect.stringContaining("aws_s3_bucket.")]],
    ["ReadWriteStateAndLocks", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [expect.stringMatching(/\.arn\}\/replica\/\*$/)]],
    ["EncryptState", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], [expect.stringContaining("aws_kms_key.")]],
  ]);
  // The lock file of every stack's state (`<key>.tflock`) is an object the role may put and delete.
  const objects = new RegExp(`^${policy.Statement[1].Resource[0].replace(/^\$\{[^}]+\}/, "BUCKET").replace(/\*/g, ".*")}$`);
  expect("BUCKET/replica/dev-us-east-1/terraform.tfstate.tflock").toMatch(objects);
  expect("BUCKET/replica/bootstrap-dev/terraform.tfstate.tflock").toMatch(objects);
});

test("the state location follows the configuration", () => {
  const json = bootstrap((raw) => {
    raw.stateBackend = { accountId: "444444444444", region: "eu-west-1", bucket: "acme-state", roleName: "acme-state" };
  });
  expect(json.provider.aws[0]).toMatchObject({ region: "eu-west-1", allowed_account_ids: ["444444444444"] });
  expect(Object.values(resourcesOf(json, "aws_s3_bucket"))[0]).toMatchObject({ bucket: "acme-state" });
});
