import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { READ_ONLY_ACTIONS } from "../artifacts/artifact-bucket";
import { configParameterArns } from "../config-mirror/parameters";
import { policyDocument, type PolicyStatement } from "../iam/policy";
import { crossAccountTrust } from "./trust-map";

/** One environment whose validator and monitor may assume the agent role. */
export interface AgentCaller {
  readonly environment: string;
  /** The caller's validator and monitor function roles. */
  readonly roleArns: readonly string[];
  readonly externalId: string;
}

/** An artifacts bucket the agent may read, and how its objects are encrypted. */
export interface ReadableBucket {
  readonly bucketName: string;
  /** Region and account of the bucket's key, and its alias, when its objects are SSE-KMS. */
  readonly kmsKey?: { readonly region: string; readonly accountId: string; readonly alias: string };
}

export interface AgentRoleProps {
  readonly roleName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly callers: readonly AgentCaller[];
  readonly ledgerTableArn: string;
  /** This environment's artifacts bucket and the other environments' (whose policies let this role read). */
  readonly buckets: readonly ReadableBucket[];
}

/**
 * The replication agent of an environment: the one role other environments' validator and monitor
 * functions assume (each caller environment with its own external ID) to look into this environment.
 * Read-only: the configuration hierarchy (no decryption: SecureStrings are compared by presence and
 * type only), the ledger (Query, GetItem, DescribeTable) and artifacts buckets.
 */
export class AgentRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: AgentRoleProps) {
    super(scope, id);
    const statements: PolicyStatement[] = [
      { sid: "ReadConfiguration", actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"], resources: configParameterArns(props.region, props.accountId, props.environment) },
      { sid: "ReadLedger", actions: ["dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:GetItem"], resources: [props.ledgerTableArn] },
      { sid: "ListArtifacts", actions: READ_ONLY_ACTIONS.bucket, resources: props.buckets.map((b) => `arn:aws:s3:::${b.bucketName}`) },
      { sid: "ReadArtifacts", actions: READ_ONLY_ACTIONS.objects, resources: props.buckets.map((b) => `arn:aws:s3:::${b.bucketName}/*`) },
    ];
    const keys = props.buckets.flatMap((b) => (b.kmsKey ? [b.kmsKey] : []));
    if (keys.length > 0) {
      // Keys of other accounts are known only by alias here: match them by the alias they carry.
      statements.push({
        sid: "DecryptArtifactsThroughS3",
        actions: ["kms:Decrypt"],
        resources: [...new Set(keys.map((k) => `arn:aws:kms:${k.region}:${k.accountId}:key/*`))],
        conditions: {
          "ForAnyValue:StringEquals": { "kms:ResourceAliases": [...new Set(keys.map((k) => k.alias))] },
          StringEquals: { "kms:ViaService": [`s3.${props.region}.amazonaws.com`] },
        },
      });
    }
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: `Read-only look into ${props.environment} for the other environments' validators and monitors`,
      maxSessionDuration: 3600,
      assumeRolePolicy: policyDocument(props.callers.map((caller) => crossAccountTrust(`From${pascal(caller.environment)}`, caller.roleArns, caller.externalId))),
    });
    new IamRolePolicy(this, "policy", { name: "read-only", role: this.role.name, policy: policyDocument(statements) });
  }

  get arn(): string {
    return this.role.arn;
  }
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/[^A-Za-z0-9]/g, "");
}
