import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { TerraformOutput, Token } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../config/types";
import { policyDocument, type PolicyStatement } from "../iam/policy";
import { permissionsBoundaryName, policyArn, roleArn } from "../naming";
import { configureBootstrapBackend } from "../stacks/backend";
import { accountProvider } from "../stacks/providers";
import { platformTags } from "../stacks/tags";
import type { AccountEnvironments } from "./accounts";
import { DEPLOYMENT_PERMISSIONS, PROTECTED_POLICY_ACTIONS, PROTECTED_ROLE_ACTIONS, type DeploymentContext } from "./deployment-permissions";
import { permissionsBoundaryDocument } from "./permissions-boundary";
import { trustRoles } from "./trust";
import { PlatformStack } from "../stacks/platform-stack";

/** IAM's limit on a managed policy document, in characters without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

export interface AccountBootstrapStackProps {
  readonly platform: PlatformConfig;
  readonly account: AccountEnvironments;
}

/**
 * The equivalent of `cdk bootstrap` for one account: what must exist before an environment stack can
 * run there. An administrator applies it once with the account's own credentials (the provider assumes
 * no role, and `allowed_account_ids` refuses any other account's credentials).
 *
 * It creates the permissions boundary every platform role carries and, for each deployment role name
 * of the account's environments, the role the environment stacks' providers assume: trusted by the
 * configured `deployers` only, allowed the actions of `deployment-permissions.ts`, and kept from
 * loosening its own limits by an explicit deny.
 *
 * @example
 * new AccountBootstrapStack(app, { platform, account: { accountId, environments: [dev], stackName: "bootstrap-dev" } });
 */
export class AccountBootstrapStack extends PlatformStack {
  /** ARN of the account's permissions boundary (deterministic, so environment stacks can name it). */
  readonly boundaryArn: string;

  constructor(scope: Construct, props: AccountBootstrapStackProps) {
    const { platform, account } = props;
    super(scope, account.stackName);
    configureBootstrapBackend(this, { stackName: account.stackName, s3: platform.stateBackend, project: platform.project, assumeStateRole: true });
    const environmentTag = account.environments.length === 1 ? account.environments[0].name : "shared";
    accountProvider(this, "aws", {
      accountId: account.accountId,
      region: platform.primaryRegion,
      tags: platformTags(platform.project, environmentTag, platform.tags),
    });

    const boundaryName = permissionsBoundaryName(platform.project);
    this.boundaryArn = policyArn(account.accountId, boundaryName);
    const boundary = new IamPolicy(this, "permissions-boundary", {
      name: boundaryName,
      description: `Most that any ${platform.project} role may do; every role the deployment role creates carries it`,
      policy: permissionsBoundaryDocument(),
    });

    const context: DeploymentContext = { accountId: account.accountId, project: platform.project, boundaryArn: this.boundaryArn };
    const roleNames = [...new Set(account.environments.map((e) => e.deploymentRoleName))];
    for (const roleName of roleNames) {
      const role = new IamRole(this, `deployment-role-${roleName}`, {
        name: roleName,
        description: `Terraform deploys the ${platform.project} environment stacks with this role`,
        assumeRolePolicy: policyDocument([trustRoles(platform.deployers)]),
      });
      const chunks = packIntoPolicies(DEPLOYMENT_PERMISSIONS.map((group) => ({ name: group.name, statements: group.statements(context) })));
      const policyNames = chunks.map((_, i) => `${roleName}-permissions-${i + 1}`);
      chunks.forEach((chunk, i) => {
        const policy = new IamPolicy(this, `deployment-policy-${roleName}-${i + 1}`, {
          name: policyNames[i],
          description: `${roleName}: ${chunk.groups.join(", ")}`,
          policy: chunk.document,
        });
        new IamRolePolicyAttachment(this, `deployment-policy-attachment-${roleName}-${i + 1}`, { role: role.name, policyArn: policy.arn });
      });
      new IamRolePolicy(this, `deployment-guard-${roleName}`, {
        name: "bootstrap-guard",
        role: role.name,
        policy: policyDocument(guardStatements(platform, account.accountId, roleNames, [boundaryName, ...policyNames])),
      });
      new TerraformOutput(this, `deployment_role_arn_${roleName.replace(/[^A-Za-z0-9_]/g, "_")}`, {
        value: role.arn,
        description: `Role the environment stacks of ${account.environments.map((e) => e.name).join(", ")} assume`,
      });
    }
    new TerraformOutput(this, "permissions_boundary_arn", { value: boundary.arn, description: "Permissions boundary of every platform role in this account" });
  }
}

/**
 * Explicit denies that hold whatever the allow statements say: the deployment role cannot change the
 * roles and policies the bootstrap owns (itself, the boundary, the state role), remove the boundary
 * from any role, or reconfigure the state bucket.
 */
function guardStatements(platform: PlatformConfig, accountId: string, roleNames: readonly string[], policyNames: readonly string[]): PolicyStatement[] {
  const state = platform.stateBackend;
  const s3Writes = DEPLOYMENT_PERMISSIONS.find((g) => g.name === "s3")!
    .statements({ accountId, project: platform.project, boundaryArn: "" })
    .flatMap((s) => s.actions)
    .filter((action) => !/^s3:(Get|List)/.test(action));
  return [
    {
      sid: "ProtectBootstrapRoles",
      effect: "Deny",
      actions: PROTECTED_ROLE_ACTIONS,
      resources: [...roleNames.map((name) => roleArn(accountId, name)), roleArn(state.accountId, state.roleName)],
    },
    { sid: "ProtectBootstrapPolicies", effect: "Deny", actions: PROTECTED_POLICY_ACTIONS, resources: policyNames.map((name) => policyArn(accountId, name)) },
    { sid: "KeepPermissionsBoundary", effect: "Deny", actions: ["iam:DeleteRolePermissionsBoundary"], resources: [`arn:aws:iam::${accountId}:role/*`] },
    { sid: "ProtectStateBucket", effect: "Deny", actions: s3Writes, resources: [`arn:aws:s3:::${state.bucket}`] },
  ];
}

interface PolicyChunk {
  readonly groups: string[];
  readonly document: string;
}

/**
 * Packs the permission groups, in order, into as few managed policies as fit IAM's size limit (a role
 * holds at most 10 managed policies; the bootstrap test checks both limits).
 */
export function packIntoPolicies(groups: readonly { name: string; statements: readonly PolicyStatement[] }[]): PolicyChunk[] {
  const chunks: { groups: string[]; statements: PolicyStatement[] }[] = [];
  // A document with a reference in it is a token until synth, whose length says nothing of its size.
  const plainDocument = (chunk: { readonly groups: readonly string[]; readonly statements: readonly PolicyStatement[] }) => {
    const document = policyDocument(chunk.statements);
    if (Token.isUnresolved(document)) throw new Error(`deployment permissions are packed by their size, so they must not hold references (${chunk.groups.join(", ")})`);
    return document;
  };
  const sid = (group: string, s: PolicyStatement, i: number) => ({ ...s, sid: s.sid ?? `${group[0].toUpperCase()}${group.slice(1)}${i === 0 ? "" : i + 1}` });
  for (const group of groups) {
    const statements = group.statements.map((s, i) => sid(group.name, s, i));
    const last = chunks[chunks.length - 1];
    if (last && plainDocument({ groups: [...last.groups, group.name], statements: [...last.statements, ...statements] }).length <= MANAGED_POLICY_MAX_CHARS) {
      last.groups.push(group.name);
      last.statements.push(...statements);
    } else {
      chunks.push({ groups: [group.name], statements });
    }
  }
  return chunks.map((c) => ({ groups: c.groups, document: plainDocument(c) }));
}
