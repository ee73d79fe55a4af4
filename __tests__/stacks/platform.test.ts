import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { platform, synthJson } from "../helpers/platform";
import { parseJsonAttribute } from "../../src/json-attribute";

describe("stacks", () => {
  test("one stack per environment and region, plus the state bootstrap and one bootstrap per account, named for what they hold", () => {
    const { app } = platform();
    const names = app.node.children.filter((c) => c instanceof TerraformStack).map((s) => s.node.id);
    expect(names.sort()).toEqual([
      "bootstrap-dev",
      "bootstrap-prod",
      "bootstrap-staging",
      "dev-eu-west-1",
      "dev-us-east-1",
      "prod-eu-west-1",
      "prod-us-east-1",
      "staging-eu-west-1",
      "staging-us-east-1",
      "state-bootstrap",
    ]);
  });

  test("the next environment and the DR region deploy before the stacks that depend on them", () => {
    const { stacks } = platform();
    const environmentDependencies = (name: string) =>
      stacks.get(name)!.dependencies.map((d) => d.node.id).filter((id) => !id.includes("bootstrap")).sort();
    expect(environmentDependencies("dev-us-east-1")).toEqual(["dev-eu-west-1", "staging-us-east-1"]);
    expect(environmentDependencies("dev-eu-west-1")).toEqual(["staging-eu-west-1"]);
    expect(environmentDependencies("prod-us-east-1")).toEqual(["prod-eu-west-1"]);
    expect(environmentDependencies("prod-eu-west-1")).toEqual([]);
  });

  test("every environment stack waits for the state stack and the bootstraps of the accounts it deploys into", () => {
    const { stacks } = platform();
    const bootstrapDependencies = (name: string) =>
      stacks.get(name)!.dependencies.map((d) => d.node.id).filter((id) => id.includes("bootstrap")).sort();
    expect(bootstrapDependencies("dev-us-east-1")).toEqual(["bootstrap-dev", "bootstrap-staging", "state-bootstrap"]);
    expect(bootstrapDependencies("prod-eu-west-1")).toEqual(["bootstrap-prod", "state-bootstrap"]);
    for (const stack of stacks.values()) expect(stack.dependencies.map((d) => d.node.id)).toContain("state-bootstrap");
  });

  test("the synthesized manifest records the bootstrap group as dependencies, for the deploy command's order", () => {
    const { app } = platform();
    app.synth();
    const manifest = JSON.parse(readFileSync(path.join(app.outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks["bootstrap-staging"].dependencies).toEqual(["state-bootstrap"]);
    expect(manifest.stacks["staging-us-east-1"].dependencies).toEqual(expect.arrayContaining(["state-bootstrap", "bootstrap-staging", "bootstrap-prod"]));
    expect(manifest.stacks["state-bootstrap"].dependencies).toEqual([]);
  });
});

describe("providers", () => {
  test("the default provider assumes the environment's deployment role in the stack's region, with default tags", () => {
    const { stacks } = platform();
    const json = synthJson(stacks.get("staging-eu-west-1")!);
    const defaultProvider = json.provider.aws.find((p: any) => !p.alias);
    expect(defaultProvider).toEqual({
      region: "eu-west-1",
      allowed_account_ids: ["222222222222"],
      assume_role: [{ role_arn: "arn:aws:iam::222222222222:role/PlatformDeployment", session_name: "cdktf-staging-eu-west-1" }],
      default_tags: [{ tags: { CostCenter: "platform", Owner: "platform-team", Project: "replica", Environment: "staging", ManagedBy: "cdktf" } }],
    });
  });

  test("aliased providers reach the environment's other region and the next environment's account", () => {
    const { stacks } = platform();
    const json = synthJson(stacks.get("dev-us-east-1")!);
    const byAlias = Object.fromEntries(json.provider.aws.filter((p: any) => p.alias).map((p: any) => [p.alias, p]));
    expect(byAlias.other_region).toMatchObject({ region: "eu-west-1", allowed_account_ids: ["111111111111"] });
    expect(byAlias.next).toMatchObject({
      region: "us-east-1",
      allowed_account_ids: ["222222222222"],
      assume_role: [{ role_arn: "arn:aws:iam::222222222222:role/PlatformDeployment" }],
      default_tags: [{ tags: expect.objectContaining({ Environment: "staging" }) }],
    });
  });

  test("the last environment of the promotion order has no provider for a next one", () => {
    const { stacks } = platform();
    const providers = stacks.get("prod-us-east-1")!.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider);
    expect(providers.map((p) => p.alias ?? "default").sort()).toEqual(["default", "other_region"]);
  });

  test("an environment's own deployment role name overrides the platform's", () => {
    const { stacks } = platform((raw) => {
      raw.environments[2].deploymentRoleName = "ProdDeployer";
    });
    const json = synthJson(stacks.get("prod-us-east-1")!);
    expect(json.provider.aws[0].assume_role[0].role_arn).toBe("arn:aws:iam::333333333333:role/ProdDeployer");
  });
});

describe("remote state", () => {
  test("each environment stack keeps state under its own key in S3, encrypted with the state key, locked by an S3 lock file, through the state role", () => {
    const { stacks } = platform();
    const json = synthJson(stacks.get("dev-us-east-1")!);
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "replica-tfstate-333333333333",
        key: "replica/dev-us-east-1/terraform.tfstate",
        region: "us-east-1",
        encrypt: true,
        kms_key_id: "arn:aws:kms:us-east-1:333333333333:alias/replica-tfstate",
        use_lockfile: true,
        assume_role: { role_arn: "arn:aws:iam::333333333333:role/replica-terraform-state", session_name: "cdktf-dev-us-east-1" },
      },
    });
  });

  test("the backends' key is the one the state stack creates, by its alias", () => {
    const { app, stacks } = platform((raw) => {
      raw.project = "acme";
      raw.stateBackend = { accountId: "444444444444", region: "eu-west-1" };
    });
    const stateStack = app.node.children.find((c) => c.node.id === "state-bootstrap") as TerraformStack;
    const alias = Object.values(synthJson(stateStack).resource.aws_kms_alias)[0] as any;
    expect(alias.name).toBe("alias/acme-tfstate");
    expect(synthJson(stacks.get("dev-us-east-1")!).terraform.backend.s3.kms_key_id).toBe(`arn:aws:kms:eu-west-1:444444444444:${alias.name}`);
  });

  test("state keys never collide between stacks", () => {
    const { stacks } = platform();
    const keys = [...stacks.values()].map((s) => synthJson(s).terraform.backend.s3.key);
    expect(new Set(keys).size).toBe(6);
  });

  test("with a Terraform Cloud organization each stack uses its own named workspace", () => {
    const { stacks } = platform((raw) => {
      raw.terraformCloud = { organization: "acme" };
    });
    const json = synthJson(stacks.get("staging-us-east-1")!);
    expect(json.terraform.backend).toBeUndefined();
    expect(json.terraform.cloud).toEqual({ organization: "acme", hostname: "app.terraform.io", workspaces: { name: "replica-staging-us-east-1" } });
  });
});

describe("environment key and alarm topic", () => {
  test("the environment key rotates, has an alias, and grants kms:* to the account root only", () => {
    const { stacks } = platform();
    const json = synthJson(stacks.get("dev-us-east-1")!);
    const keys = Object.values(json.resource.aws_kms_key) as any[];
    const key = keys.find((k) => k.description === "replica dev data in us-east-1");
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7 });
    const statements = parseJsonAttribute(key.policy).Statement;
    const wildcard = statements.filter((s: any) => s.Action.includes("kms:*"));
    expect(wildcard).toEqual([expect.objectContaining({ Principal: { AWS: ["arn:aws:iam::111111111111:root"] } })]);
    expect(Object.values(json.resource.aws_kms_alias)).toContainEqual(expect.objectContaining({ name: "alias/replica-dev" }));
  });

  test("production keys are protected from destroy and wait 30 days before deletion", () => {
    const { stacks } = platform();
    const json = synthJson(stacks.get("prod-us-east-1")!);
    const key = (Object.values(json.resource.aws_kms_key) as any[]).find((k) => k.description === "replica prod data in us-east-1");
    expect(key).toMatchObject({ deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
  });

  test("the alarm topic is encrypted with the environment key and subscribes the configured addresses", () => {
    const { stacks } = platform();
    const stack = stacks.get("staging-us-east-1")!;
    expect(Object.values(synthJson(stack).resource.aws_sns_topic_subscription)).toEqual([
      expect.objectContaining({ protocol: "email", endpoint: "platform-alerts@example.com" }),
    ]);
    const topics = Object.values(synthJson(stack).resource.aws_sns_topic) as any[];
    expect(topics).toContainEqual(expect.objectContaining({ name: "replica-staging-alarms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\.key_/) }));
  });
});
