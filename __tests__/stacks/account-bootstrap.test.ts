import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { TerraformStack, Testing } from "cdktf";
import { MANAGED_POLICY_MAX_CHARS, packIntoPolicies } from "../../src/bootstrap/account-bootstrap-stack";
import { boundaryActions } from "../../src/bootstrap/permissions-boundary";
import { platform, resourcesOf, synthJson } from "../helpers/platform";
import { parseJsonAttribute } from "../../src/json-attribute";

// The built-in example with every feature that adds a role or an action turned on, so the boundary
// test sees every permission any configuration can synthesize.
function everyFeature(raw: any) {
  for (const environment of raw.environments) {
    environment.disasterRecovery = true;
    environment.configMirror = { deletePolicy: "delete" };
    environment.databases[0].enhancedMonitoringInterval = 60;
    environment.databases[0].performanceInsights = true;
  }
}

function stacksOf(app: ReturnType<typeof platform>["app"]) {
  return app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
}

function bootstrapJson(name: string, edit?: (raw: any) => void) {
  const { app } = platform(edit);
  const stack = stacksOf(app).find((s) => s.node.id === name);
  if (!stack) throw new Error(`no stack ${name}; stacks: ${stacksOf(app).map((s) => s.node.id).join(", ")}`);
  return synthJson(stack);
}

const deploymentRole = (json: any) => Object.values(resourcesOf(json, "aws_iam_role")).find((r: any) => r.name === "PlatformDeployment") as any;
const deploymentPolicies = (json: any) =>
  Object.values(resourcesOf(json, "aws_iam_policy"))
    .filter((p: any) => p.name.startsWith("PlatformDeployment-"))
    .map((p: any) => parseJsonAttribute(p.policy));
const allowStatements = (json: any) => deploymentPolicies(json).flatMap((p: any) => p.Statement).filter((s: any) => s.Effect === "Allow");
const guard = (json: any) => parseJsonAttribute((Object.values(resourcesOf(json, "aws_iam_role_policy"))[0] as any).policy).Statement;

describe("one bootstrap stack per account", () => {
  test("each distinct account gets bootstrap-<env>; environments sharing an account share one, named for all of them", () => {
    // GIVEN staging moved into dev's account
    const { app } = platform((raw) => {
      raw.environments[1].accountId = "111111111111";
      raw.environments[1].network.cidrs = { "us-east-1": "10.20.0.0/16", "eu-west-1": "10.21.0.0/16" };
      // A multi-account ledger and staging's own secret need an account of their own.
      raw.ledgerGlobalTable.enabled = false;
      delete raw.appConfig;
    });
    // THEN
    const names = stacksOf(app).map((s) => s.node.id).filter((n) => n.startsWith("bootstrap-"));
    expect(names.sort()).toEqual(["bootstrap-dev-staging", "bootstrap-prod"]);
  });

  test("an administrator applies it with the account's own credentials: no role to assume, any other account refused", () => {
    const json = bootstrapJson("bootstrap-staging");
    expect(json.provider.aws).toEqual([
      expect.objectContaining({ region: "us-east-1", allowed_account_ids: ["222222222222"] }),
    ]);
    expect(json.provider.aws[0].assume_role).toBeUndefined();
  });

  test("it keeps local state outside cdktf.out/ until bootstrapped, then S3 through the state role", () => {
    expect(bootstrapJson("bootstrap-dev").terraform.backend).toEqual({ local: { path: "../../../terraform-state/bootstrap-dev.tfstate" } });
    const migrated = bootstrapJson("bootstrap-dev", (raw) => {
      raw.stateBackend.bootstrapped = true;
    });
    expect(migrated.terraform.backend.s3).toMatchObject({
      key: "replica/bootstrap-dev/terraform.tfstate",
      kms_key_id: "arn:aws:kms:us-east-1:333333333333:alias/replica-tfstate",
      use_lockfile: true,
      assume_role: { role_arn: "arn:aws:iam::333333333333:role/replica-terraform-state" },
    });
  });

  test("it creates each deployment role name the account's environments use", () => {
    const json = bootstrapJson("bootstrap-prod", (raw) => {
      raw.environments[2].deploymentRoleName = "ProdDeployer";
    });
    expect(Object.values(resourcesOf(json, "aws_iam_role")).map((r: any) => r.name)).toEqual(["ProdDeployer"]);
  });
});

describe("the deployment role", () => {
  test("trusts only the configured deployers: their accounts as principals, narrowed by ArnLike on the principal ARN", () => {
    const json = bootstrapJson("bootstrap-dev", (raw) => {
      raw.deployers = [
        "arn:aws:iam::444444444444:role/github-actions-deploy",
        "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAdmin_*",
      ];
    });
    expect(parseJsonAttribute(deploymentRole(json).assume_role_policy).Statement).toEqual([
      {
        Sid: "TrustNamedRoles",
        Effect: "Allow",
        Action: ["sts:AssumeRole"],
        Principal: { AWS: ["arn:aws:iam::444444444444:root", "arn:aws:iam::111111111111:root"] },
        Condition: {
          ArnLike: {
            "aws:PrincipalArn": [
              "arn:aws:iam::444444444444:role/github-actions-deploy",
              "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_PlatformAdmin_*",
            ],
          },
        },
      },
    ]);
  });

  test("is allowed no wildcard action, not even a service prefix wildcard", () => {
    const actions = allowStatements(bootstrapJson("bootstrap-dev")).flatMap((s: any) => s.Action);
    expect(actions.length).toBeGreaterThan(200);
    expect(actions.filter((a: string) => a.includes("*"))).toEqual([]);
  });

  test("covers every service the platform's stacks create resources in", () => {
    const services = new Set(allowStatements(bootstrapJson("bootstrap-dev")).flatMap((s: any) => s.Action.map((a: string) => a.split(":")[0])));
    expect([...services].sort()).toEqual([
      "autoscaling", "cloudformation", "cloudfront", "cloudtrail", "cloudwatch", "dynamodb", "ec2", "elasticloadbalancing", "events", "iam", "kms",
      "lambda", "logs", "rds", "s3", "secretsmanager", "sns", "sqs", "ssm", "wafv2",
    ]);
  });

  test("reaches IAM only for roles and policies with the project's prefix, and S3 only for the project's buckets", () => {
    const statements = allowStatements(bootstrapJson("bootstrap-staging"));
    const resourcesFor = (service: string) => [...new Set(statements.filter((s: any) => s.Action.some((a: string) => a.startsWith(`${service}:`))).flatMap((s: any) => s.Resource))];
    expect(resourcesFor("iam").sort()).toEqual([
      "arn:aws:iam::222222222222:instance-profile/replica-*",
      "arn:aws:iam::222222222222:policy/replica-*",
      "arn:aws:iam::222222222222:role/aws-service-role/*",
      "arn:aws:iam::222222222222:role/replica-*",
    ]);
    expect(resourcesFor("s3")).toEqual(["arn:aws:s3:::replica-*"]);
    const serviceLinked = statements.find((s: any) => s.Action.includes("iam:CreateServiceLinkedRole"));
    expect(serviceLinked.Condition).toEqual({
      StringEquals: { "iam:AWSServiceName": ["rds.amazonaws.com", "replication.dynamodb.amazonaws.com", "autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"] },
    });
  });

  test("may create a role, or set a role's boundary, only with the account's permissions boundary", () => {
    const statements = allowStatements(bootstrapJson("bootstrap-staging"));
    const boundaryArn = "arn:aws:iam::222222222222:policy/replica-permissions-boundary";
    for (const action of ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]) {
      const granting = statements.filter((s: any) => s.Action.includes(action));
      expect(granting).toEqual([expect.objectContaining({ Condition: { StringEquals: { "iam:PermissionsBoundary": boundaryArn } } })]);
    }
  });

  test("can neither remove a boundary, nor change itself, the boundary, its own policies or the state role", () => {
    const statements = guard(bootstrapJson("bootstrap-prod"));
    expect(statements.every((s: any) => s.Effect === "Deny")).toBe(true);
    const denied = (action: string, resource: string) => statements.some((s: any) => s.Action.includes(action) && s.Resource.includes(resource));
    expect(denied("iam:DeleteRolePermissionsBoundary", "arn:aws:iam::333333333333:role/*")).toBe(true);
    expect(denied("iam:PutRolePolicy", "arn:aws:iam::333333333333:role/PlatformDeployment")).toBe(true);
    expect(denied("iam:UpdateAssumeRolePolicy", "arn:aws:iam::333333333333:role/replica-terraform-state")).toBe(true);
    expect(denied("iam:CreatePolicyVersion", "arn:aws:iam::333333333333:policy/replica-permissions-boundary")).toBe(true);
    expect(denied("iam:CreatePolicyVersion", "arn:aws:iam::333333333333:policy/PlatformDeployment-permissions-1")).toBe(true);
    expect(denied("s3:PutBucketPolicy", "arn:aws:s3:::replica-tfstate-333333333333")).toBe(true);
  });

  test("its managed policies fit IAM's limits: at most 6,144 characters each, at most 10 per role", () => {
    const json = bootstrapJson("bootstrap-dev");
    const policies = Object.values(resourcesOf(json, "aws_iam_policy")) as any[];
    for (const policy of policies) expect(policy.policy.replace(/\s/g, "").length).toBeLessThanOrEqual(6144);
    const attachments = Object.values(resourcesOf(json, "aws_iam_role_policy_attachment"));
    expect(attachments.length).toBeGreaterThan(0);
    expect(attachments.length).toBeLessThanOrEqual(10);
  });
});

describe("the permissions boundary", () => {
  test("is a managed policy of the bootstrap stack, named with the project's prefix", () => {
    const json = bootstrapJson("bootstrap-dev");
    const boundary = Object.values(resourcesOf(json, "aws_iam_policy")).find((p: any) => p.name === "replica-permissions-boundary") as any;
    expect(boundary).toBeDefined();
    expect(parseJsonAttribute(boundary.policy).Statement.flatMap((s: any) => s.Action).filter((a: string) => a.includes("*") || a.startsWith("iam:"))).toEqual([]);
  });

  test("every aws_iam_role of every environment stack carries its account's boundary", () => {
    const { stacks } = platform(everyFeature);
    let roles = 0;
    for (const stack of stacks.values()) {
      const boundaryArn = `arn:aws:iam::${stack.environment.accountId}:policy/replica-permissions-boundary`;
      for (const role of Object.values(resourcesOf(synthJson(stack), "aws_iam_role")) as any[]) {
        expect({ stack: stack.node.id, role: role.name, boundary: role.permissions_boundary }).toEqual({ stack: stack.node.id, role: role.name, boundary: boundaryArn });
        roles++;
      }
    }
    expect(roles).toBeGreaterThan(30);
  });

  test("a role made through the next environment's provider carries the next account's boundary", () => {
    // GIVEN a role that dev-us-east-1 creates in staging's account
    const { stacks } = platform();
    const dev = stacks.get("dev-us-east-1")!;
    new IamRole(dev, "role-in-next-account", { provider: dev.nextProvider, name: "replica-staging-probe", assumeRolePolicy: "{}" });
    // THEN
    const role = Object.values(resourcesOf(synthJson(dev), "aws_iam_role")).find((r: any) => r.name === "replica-staging-probe") as any;
    expect(role.permissions_boundary).toBe("arn:aws:iam::222222222222:policy/replica-permissions-boundary");
  });

  test("allows every action that any role policy of any environment stack grants, so the bounded roles still work", () => {
    const { stacks } = platform(everyFeature);
    const allowed = new Set(boundaryActions());
    const missing = new Set<string>();
    for (const stack of stacks.values()) {
      const json = synthJson(stack);
      const policies = [...Object.values(resourcesOf(json, "aws_iam_role_policy")), ...Object.values(resourcesOf(json, "aws_iam_policy"))] as any[];
      for (const policy of policies) {
        for (const statement of parseJsonAttribute(policy.policy).Statement) {
          if (statement.Effect !== "Allow") continue;
          for (const action of [].concat(statement.Action)) if (!allowed.has(action)) missing.add(`${stack.node.id}: ${action}`);
        }
      }
      // AWS managed policies attached to platform roles must be known to the boundary too.
      for (const attachment of Object.values(resourcesOf(json, "aws_iam_role_policy_attachment")) as any[]) {
        expect(attachment.policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe("packing the deployment permissions into managed policies", () => {
  test("groups fill policies in order up to IAM's size limit, and each document is the groups' statements", () => {
    const statement = (n: number) => ({ actions: [`s3:GetObject`], resources: [`arn:aws:s3:::bucket-${"x".repeat(1000)}-${n}/*`] });
    const chunks = packIntoPolicies([1, 2, 3, 4, 5, 6, 7].map((n) => ({ name: `group${n}`, statements: [statement(n)] })));
    expect(chunks.map((c) => c.groups)).toEqual([["group1", "group2", "group3", "group4", "group5"], ["group6", "group7"]]);
    for (const chunk of chunks) expect(chunk.document.length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(JSON.parse(chunks[1]!.document).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(["Group6", "Group7"]);
  });

  test("a reference in a statement fails with the groups' names instead of packing by the token's length", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const role = new IamRole(stack, "r", { assumeRolePolicy: "{}" });
    const groups = [{ name: "plain", statements: [{ actions: ["s3:GetObject"], resources: ["*"] }] }, { name: "referencing", statements: [{ actions: ["iam:PassRole"], resources: [role.arn] }] }];
    expect(() => packIntoPolicies(groups)).toThrow("deployment permissions are packed by their size, so they must not hold references (plain, referencing)");
    expect(() => packIntoPolicies([groups[1]!])).toThrow("must not hold references (referencing)");
  });
});
