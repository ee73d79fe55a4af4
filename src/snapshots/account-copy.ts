import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { EnvironmentConfig, PlatformConfig } from "../config/types";
import { crossAccountTrust, fabricNames } from "../cross-account/trust-map";
import { policyDocument, type PolicyStatement } from "../iam/policy";
import { kmsAliasArn, ResourceNames, roleArn } from "../naming";
import { namePrefix } from "../../lambdas/snapshot-copy/names";
import { OWNER_TAG } from "../../lambdas/snapshot-copy/snapshots";
import type { CopiedSource } from "./snapshot-copy";

/**
 * Copies into another environment's account (`environments[].snapshotAccountCopy`). Both ends are
 * computed here from the configuration, the platform's cross-account pattern: the source
 * environment's snapshot-copy function shares its newest copy in the DR region and assumes the
 * receiver role that the TARGET environment's stack creates in its own account; that role copies
 * the shared snapshot there under the target's DR-region key.
 */

/** Role in `target`'s account that `source`'s snapshot-copy function assumes. */
export function snapshotReceiverRoleName(project: string, target: string, source: string): string {
  return `${project}-${target}-snapshots-from-${source}`;
}

/** External ID the source function presents to the receiver role (not a secret: the confused-deputy guard). */
export function snapshotReceiverExternalId(project: string, source: string, target: string): string {
  return `${project}-${source}-snapshots-to-${target}`;
}

/** Everything the source side needs about its account copy, or `undefined` when it has none. */
export function accountCopyOf(platform: PlatformConfig, source: EnvironmentConfig): { target: EnvironmentConfig; region: string; roleArn: string; externalId: string; kmsKeyArn: string } | undefined {
  const wanted = source.snapshotAccountCopy;
  if (wanted === undefined) return undefined;
  const target = platform.environments.find((e) => e.name === wanted.environment)!;
  const region = platform.drRegion;
  return {
    target,
    region,
    roleArn: roleArn(target.accountId, snapshotReceiverRoleName(platform.project, target.name, source.name)),
    externalId: snapshotReceiverExternalId(platform.project, source.name, target.name),
    // By alias: the copy is requested in the target account, where the alias resolves to its DR key.
    kmsKeyArn: kmsAliasArn(region, target.accountId, new ResourceNames(platform.project, target.name, target.accountId, region).keyAlias),
  };
}

/** The sources of `environment`'s snapshot copies, named as the data tier names the clusters. */
export function sourcesOf(platform: PlatformConfig, environment: EnvironmentConfig): CopiedSource[] {
  const names = new ResourceNames(platform.project, environment.name, environment.accountId, platform.primaryRegion);
  return [
    ...environment.databases.map((d): CopiedSource => ({ name: d.name, kind: "cluster", identifier: names.environmentScoped(d.name), mode: "automated" })),
    ...environment.snapshotInstances.map((i): CopiedSource => ({ name: i.name, kind: "instance", identifier: i.instanceIdentifier, mode: i.mode, kmsKeyArn: i.kmsKeyArn })),
  ];
}

export interface SnapshotReceiverRoleProps {
  readonly project: string;
  /** The environment whose stack creates the role (the target). */
  readonly target: EnvironmentConfig;
  /** The environment whose copies it receives. */
  readonly source: EnvironmentConfig;
  readonly sources: readonly CopiedSource[];
  /** Where the shared copies are, and the copies are made. */
  readonly region: string;
  /** The target's key in `region`, which encrypts the copies. */
  readonly kmsKeyArn: string;
}

/**
 * The role in the target account that copies the source environment's shared snapshots: trusted only
 * by the source's snapshot-copy function role presenting the external ID; may copy only the source's
 * `<id>-copy-*` snapshots into the same names in its own account and region, list them, tag them, and
 * delete only those that carry the source function's owner tag.
 */
export class SnapshotReceiverRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: SnapshotReceiverRoleProps) {
    super(scope, id);
    const sourceFunction = fabricNames(props.project, props.source.name).snapshotCopyFunction;
    this.role = new IamRole(this, "role", {
      name: snapshotReceiverRoleName(props.project, props.target.name, props.source.name),
      description: `Copies the ${props.source.name} snapshots shared with ${props.target.name} in ${props.region}`,
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument([
        crossAccountTrust("SourceSnapshotCopyFunction", [roleArn(props.source.accountId, sourceFunction)], snapshotReceiverExternalId(props.project, props.source.name, props.target.name)),
      ]),
    });
    new IamRolePolicy(this, "policy", { name: "receive-snapshots", role: this.role.name, policy: policyDocument(snapshotReceiverStatements(props, sourceFunction)) });
  }

  get arn(): string {
    return this.role.arn;
  }
}

const KIND = {
  cluster: { label: "Cluster", db: "cluster", snapshot: "cluster-snapshot", noun: "DBClusterSnapshot", tagKey: "rds:cluster-snapshot-tag" },
  instance: { label: "Instance", db: "db", snapshot: "snapshot", noun: "DBSnapshot", tagKey: "rds:snapshot-tag" },
} as const;

/** The receiver role's permissions, exported for the policy tests. */
export function snapshotReceiverStatements(props: SnapshotReceiverRoleProps, owner: string): PolicyStatement[] {
  const { region } = props;
  const arn = (account: string, resource: string) => `arn:aws:rds:${region}:${account}:${resource}`;
  const statements: PolicyStatement[] = [];
  for (const kind of ["cluster", "instance"] as const) {
    const sources = props.sources.filter((s) => s.kind === kind);
    if (sources.length === 0) continue;
    const k = KIND[kind];
    const copies = (account: string) => sources.map((s) => arn(account, `${k.snapshot}:${namePrefix(s.identifier, "copy")}*`));
    const own = copies(props.target.accountId);
    statements.push({ sid: `Find${k.label}Copies`, actions: [`rds:Describe${k.noun}s`], resources: [...sources.map((s) => arn(props.target.accountId, `${k.db}:${s.identifier}`)), ...own] });
    // The shared snapshot is authorized in the source account, the copy in this one.
    statements.push({ sid: `Copy${k.label}Snapshots`, actions: [`rds:Copy${k.noun}`], resources: [...copies(props.source.accountId), ...own] });
    statements.push({ sid: `Tag${k.label}Copies`, actions: ["rds:AddTagsToResource"], resources: own });
    statements.push({ sid: `Expire${k.label}Copies`, actions: [`rds:Delete${k.noun}`], resources: own, conditions: { StringEquals: { [`${k.tagKey}/${OWNER_TAG}`]: owner } } });
  }
  // RDS decrypts the shared copy (the source's key, whose ARN another account's stack creates: any key
  // of that account and region, used only through RDS; the key's own policy names this role) and
  // encrypts the new copy (this account's key) through grants made for the caller.
  const sourceKeys = `arn:aws:kms:${region}:${props.source.accountId}:key/*`;
  const viaRds = { StringEquals: { "kms:ViaService": [`rds.${region}.amazonaws.com`] } };
  statements.push({ sid: "DescribeSnapshotKeys", actions: ["kms:DescribeKey"], resources: [props.kmsKeyArn, sourceKeys], conditions: viaRds });
  statements.push({ sid: "GrantSnapshotKeysToRds", actions: ["kms:CreateGrant"], resources: [props.kmsKeyArn, sourceKeys], conditions: { ...viaRds, Bool: { "kms:GrantIsForAWSResource": true } } });
  return statements;
}
