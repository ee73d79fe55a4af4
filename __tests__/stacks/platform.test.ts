import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { platform, synthJson } from "../helpers/platform";

describe("stacks", () => {
  test("one stack per environment and region, plus the state bootstrap, named for what they hold", () => {
    const { app } = platform();
    const names = app.node.children.filter((c) => c instanceof TerraformStack).map((s) => s.node.id);
    expect(names.sort()).toEqual([
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
    const dependencies = (name: string) => stacks.get(name)!.dependencies.map((d) => d.node.id).sort();
    expect(dependencies("dev-us-east-1")).toEqual(["dev-eu-west-1", "staging-us-east-1"]);
    expect(dependencies("dev-eu-west-1")).toEqual(["staging-eu-west-1"]);
    expect(dependencies("prod-us-east-1")).toEqual(["prod-eu-west-1"]);
    expect(dependencies("prod-eu-west-1")).toEqual([]);
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
  test("each environment stack keeps encrypted state under its own key in S3, locked in DynamoDB, through the state role", () => {
    const { stacks } = platform();
    const json = synthJson(stacks.get("dev-us-east-1")!);
    expect(json.terraform.backend).toEqual({
      s3: {
        bucket: "replica-tfstate-333333333333",
        key: "replica/dev-us-east-1/terraform.tfstate",
        region: "us-east-1",
        encrypt: true,
        dynamodb_table: "replica-tfstate-locks",
        assume_role: { role_arn: "arn:aws:iam::333333333333:role/replica-terraform-state", session_name: "cdktf-dev-us-east-1" },
      },
    });
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
    const statements = JSON.parse(key.policy).Statement;
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
