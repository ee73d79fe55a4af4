import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { App, LocalBackend, TerraformStack, Testing } from "cdktf";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";
import { PlatformStack, StackCheckError } from "../../src/stacks/platform-stack";
import { synthesize } from "../../src/synth/synthesize";
import { exampleRaw } from "../helpers/config";
import { fileTree } from "../helpers/file-tree";

function stack(app: App, id: string): PlatformStack {
  const s = new PlatformStack(app, id);
  new LocalBackend(s, { path: `${id}.tfstate` });
  new AwsProvider(s, "aws", { region: "us-east-1" });
  return s;
}

function synthError(app: App): StackCheckError {
  try {
    app.synth();
  } catch (error) {
    if (error instanceof StackCheckError) return error;
    throw error;
  }
  throw new Error("synth succeeded");
}

describe("references between stacks", () => {
  test("a reference to another stack's resource fails synth, naming the argument, the address and the stack that declares it", () => {
    // GIVEN a value of stack a's bucket used in stack b (cdktf would add a remote-state lookup for it)
    const app = Testing.app();
    const bucket = new S3Bucket(stack(app, "a"), "bucket", { bucket: "artifacts" });
    new SsmParameter(stack(app, "b"), "bucket-arn", { name: "/x/bucket-arn", type: "String", value: `arn=${bucket.arn}` });
    // WHEN / THEN
    const error = synthError(app);
    expect(error.stack).toBe("b");
    expect(error.problems).toEqual([
      "resource.aws_ssm_parameter.bucket-arn.value: refers to aws_s3_bucket.bucket, which stack a declares; pass the value through an SSM parameter or an output instead",
    ]);
    expect(error.message).toMatch(/^Stack b is not written: 1 problem\n {2}- resource\.aws_ssm_parameter/);
    expect(existsSync(path.join(app.outdir, "stacks", "b", "cdk.tf.json"))).toBe(false);
  });

  test("a reference inside a list is named by its place in the list", () => {
    const app = Testing.app();
    const bucket = new S3Bucket(stack(app, "a"), "bucket", { bucket: "artifacts" });
    new IamRole(stack(app, "b"), "role", { assumeRolePolicy: "{}", managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", bucket.arn] });
    expect(synthError(app).problems).toEqual([
      "resource.aws_iam_role.role.managed_policy_arns[1]: refers to aws_s3_bucket.bucket, which stack a declares; pass the value through an SSM parameter or an output instead",
    ]);
  });

  test("references inside a stack, and text that only looks like another stack's address, pass", () => {
    const app = Testing.app();
    new S3Bucket(stack(app, "a"), "bucket", { bucket: "artifacts" });
    const b = stack(app, "b");
    const own = new S3Bucket(b, "own", { bucket: "own" });
    new SsmParameter(b, "own-arn", { name: "/x/own-arn", type: "String", value: own.arn });
    new SsmParameter(b, "note", { name: "/x/note", type: "String", value: "copied from aws_s3_bucket.bucket" });
    expect(() => app.synth()).not.toThrow();
    expect(existsSync(path.join(app.outdir, "stacks", "b", "cdk.tf.json"))).toBe(true);
  });

  test("an address the stack declares through an override is its own, even where another stack has an element of that address", () => {
    // GIVEN stack a's bucket, and stack b declaring a bucket and an ephemeral value of its own by overrides only
    const app = Testing.app();
    new S3Bucket(stack(app, "a"), "bucket", { bucket: "artifacts" });
    const b = stack(app, "b");
    b.addOverride("resource.aws_s3_bucket.bucket", { bucket: "b-own" });
    b.addOverride("ephemeral.aws_secretsmanager_random_password.pw", { password_length: 32 });
    new SsmParameter(b, "own-arn", { name: "/x/own-arn", type: "String", value: "${aws_s3_bucket.bucket.arn}" });
    new SsmParameter(b, "pw-length", { name: "/x/pw", type: "String", value: "${length(ephemeral.aws_secretsmanager_random_password.pw.random_password)}" });
    // WHEN / THEN b's references are to its own declarations
    expect(() => app.synth()).not.toThrow();
    expect(existsSync(path.join(app.outdir, "stacks", "b", "cdk.tf.json"))).toBe(true);
  });
});

test("the built-in example synthesizes byte for byte as with cdktf's own preparation pass", () => {
  // GIVEN two apps of the built-in example, the second prepared the way plain cdktf stacks are
  // (which resolves every token once more and adds remote-state lookups for cross-stack references)
  const scratch = mkdtempSync(path.join(tmpdir(), "platform-stack-"));
  const synthOnce = (out: string, fullPreparation: boolean) => {
    const app = new App({ outdir: path.join(scratch, out) });
    const stacks = buildPlatform(app, validateConfig(exampleRaw()));
    if (fullPreparation) for (const s of app.node.children) if (s instanceof TerraformStack) TerraformStack.prototype.prepareStack.call(s);
    synthesize(app);
    return { files: fileTree(path.join(scratch, out)), stacks: stacks.size };
  };
  try {
    const skipped = synthOnce("skipped", false);
    const prepared = synthOnce("prepared", true);
    // THEN the outputs are the same files with the same bytes
    expect(skipped.stacks).toBeGreaterThan(5);
    expect(Object.keys(skipped.files).sort()).toEqual(Object.keys(prepared.files).sort());
    for (const [file, bytes] of Object.entries(prepared.files)) expect([file, skipped.files[file]]).toEqual([file, bytes]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 120_000);
