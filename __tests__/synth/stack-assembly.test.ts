import { readFileSync } from "node:fs";
import * as path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Lazy, LocalBackend, TerraformLocal, TerraformOutput, TerraformStack, Testing, type App } from "cdktf";
import { PlatformStack } from "../../src/stacks/platform-stack";
import { platform } from "../helpers/platform";

/** What cdktf's own toTerraform gives for the stack (its merge, then its second resolution of everything). */
const cdktfDocument = (stack: TerraformStack) => TerraformStack.prototype.toTerraform.call(stack);

/** The examples as they ship: the built-in one and every file under examples/. */
const fromExample = (file: string) => (raw: any) => {
  for (const key of Object.keys(raw)) delete raw[key];
  Object.assign(raw, JSON.parse(readFileSync(path.join(__dirname, "../../examples", file), "utf8")));
};
const configurations: [string, (raw: any) => void][] = [
  ["the built-in example", () => {}],
  ["examples/four-environments.json", fromExample("four-environments.json")],
  ["examples/two-environments.json", fromExample("two-environments.json")],
];

describe.each(configurations)("%s", (_label, edit) => {
  test("every stack's document is cdktf's, key for key and in the same order", () => {
    const { app } = platform(edit);
    const stacks = app.node.children.filter((c): c is PlatformStack => c instanceof PlatformStack);
    expect(stacks.length).toBeGreaterThan(5);
    for (const stack of stacks) {
      const ours = stack.toTerraform();
      const theirs = cdktfDocument(stack);
      expect([stack.node.id, JSON.stringify(ours, null, 2)]).toEqual([stack.node.id, JSON.stringify(theirs, null, 2)]);
      // JSON text hides `undefined` members; the checks that read the document would see them.
      expect(ours).toStrictEqual(theirs);
    }
  }, 120_000);
});

describe("stack-level overrides, which are the only values left with tokens after the elements resolve", () => {
  function scratchStack(): { app: App; stack: PlatformStack; bucket: S3Bucket; group: SecurityGroup } {
    const app = Testing.app();
    const stack = new PlatformStack(app, "scratch");
    new LocalBackend(stack, { path: "scratch.tfstate" });
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const bucket = new S3Bucket(stack, "bucket", { bucket: "artifacts" });
    const group = new SecurityGroup(stack, "group", { name: "g", egress: [{ fromPort: 443, toPort: 443, protocol: "tcp", cidrBlocks: ["10.0.0.0/8"] }] });
    new TerraformOutput(stack, "bucket-arn", { value: bucket.arn });
    return { app, stack, bucket, group };
  }

  test.each<[string, (s: ReturnType<typeof scratchStack>) => void]>([
    ["a string holding a reference", ({ stack, bucket }) => stack.addOverride("locals.bucket", `arn=${bucket.arn}`)],
    ["an object whose strings hold references, beside a plain value", ({ stack, bucket }) => {
      stack.addOverride("ephemeral.aws_secretsmanager_secret_version.x", { secret_id: bucket.id, version_stage: "AWSCURRENT" });
      stack.addOverride("terraform.required_version", ">= 1.11.0");
    }],
    ["a token object in place of an attribute", ({ stack }) => stack.addOverride("resource.aws_s3_bucket.bucket.tags", Lazy.anyValue({ produce: () => ({ a: "1" }) }))],
    ["an object merged into a resource that has the key already", ({ stack }) => stack.addOverride("resource.aws_s3_bucket.bucket", { force_destroy: true, bucket: "other" })],
    ["an array appended to the array already there", ({ stack }) => stack.addOverride("resource.aws_security_group.group.egress", [{ from_port: 80, to_port: 80, protocol: "tcp" }])],
    ["a value that resolves to nothing, which removes the key", ({ stack }) => stack.addOverride("resource.aws_s3_bucket.bucket.bucket", Lazy.anyValue({ produce: () => undefined }))],
    ["undefined itself", ({ stack }) => stack.addOverride("resource.aws_s3_bucket.bucket.bucket", undefined)],
    ["a key that is a token", ({ stack, bucket }) => stack.addOverride("locals", { [Lazy.stringValue({ produce: () => "named" })]: bucket.bucket })],
  ])("%s lands as cdktf lands it", (_label, override) => {
    const scratch = scratchStack();
    override(scratch);
    const ours = scratch.stack.toTerraform();
    expect(JSON.stringify(ours, null, 2)).toBe(JSON.stringify(cdktfDocument(scratch.stack), null, 2));
    expect(ours).toStrictEqual(cdktfDocument(scratch.stack));
    expect(ours["//"].metadata.overrides.stack.length).toBeGreaterThan(0);
  });

  test("an override inside a value that is also the code's own object changes the document, not the object", () => {
    // GIVEN one object as the expression of two locals (a local writes its expression as it is), and overrides into one
    const { stack } = scratchStack();
    const shared = { settings: { retries: 3 }, names: ["a"] };
    new TerraformLocal(stack, "first", shared);
    new TerraformLocal(stack, "second", shared);
    stack.addOverride("locals.first.settings.timeout", 30);
    stack.addOverride("locals.first.names", ["b"]);
    // WHEN the stack is synthesized, twice
    const ours = stack.toTerraform();
    stack.toTerraform();
    // THEN only the overridden local has the overrides, and the object is as the code left it
    expect(ours.locals.first).toEqual({ settings: { retries: 3, timeout: 30 }, names: ["a", "b"] });
    expect(ours.locals.second).toEqual({ settings: { retries: 3 }, names: ["a"] });
    expect(shared).toEqual({ settings: { retries: 3 }, names: ["a"] });
    expect(ours).toStrictEqual(cdktfDocument(stack));
  });

  test("without overrides, outputs and the backend's metadata are cdktf's", () => {
    const { stack } = scratchStack();
    const ours = stack.toTerraform();
    expect(ours["//"]).toEqual({ metadata: expect.objectContaining({ backend: "local", stackName: "scratch" }), outputs: { scratch: { "bucket-arn": "bucket-arn" } } });
    expect(ours).toStrictEqual(cdktfDocument(stack));
  });
});
