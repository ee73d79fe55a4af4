import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { configParameterArns } from "../config-mirror/parameters";
import { policyDocument, type PolicyStatement } from "../iam/policy";
import { VALIDATION_REPORT_PREFIX } from "../monitoring/status-endpoint";
import { crossAccountTrust } from "./trust-map";

/** One environment whose validator and monitor may assume the agent role. */
export interface AgentCaller {
  readonly environment: string;
  /** The caller's validator and monitor function roles. */
  readonly roleArns: readonly string[];
  readonly externalId: string;
}

export interface AgentRoleProps {
  readonly roleName: string;
  readonly environment: string;
  readonly accountId: string;
  readonly region: string;
  readonly callers: readonly AgentCaller[];
  readonly ledgerTableArn: string;
  /** The environment key of this region: it encrypts the ledger (and the artifacts under SSE-KMS). */
  readonly kmsKeyArn: string;
  /** This environment's artifacts bucket, and whether its objects are SSE-KMS with `kmsKeyArn`. */
  readonly artifactsBucket: { readonly bucketName: string; readonly kms: boolean };
}

/**
 * The replication agent of an environment: the one role other environments' validator and monitor
 * functions assume (each caller environment with its own external ID) to look into this environment,
 * and only this one (no other environment's bucket or key admits it). Read-only: the configuration
 * hierarchy (no decryption: SecureStrings are compared by presence and type only), the ledger
 * (Query, GetItem, DescribeTable, decrypted through DynamoDB) and, of the artifacts, the validator's
 * reports only.
 */
export class AgentRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: AgentRoleProps) {
    super(scope, id);
    const bucket = props.artifactsBucket.bucketName;
    const statements: PolicyStatement[] = [
      { sid: "ReadConfiguration", actions: ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"], resources: configParameterArns(props.region, props.accountId, props.environment) },
      { sid: "ReadLedger", actions: ["dynamodb:DescribeTable", "dynamodb:Query", "dynamodb:GetItem"], resources: [props.ledgerTableArn] },
      // The ledger is encrypted with the environment key: reading items needs kms:Decrypt, through DynamoDB only.
      {
        sid: "DecryptLedgerThroughDynamoDB",
        actions: ["kms:Decrypt"],
        resources: [props.kmsKeyArn],
        conditions: { StringEquals: { "kms:ViaService": [`dynamodb.${props.region}.amazonaws.com`] } },
      },
      { sid: "ReadValidationReports", actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${bucket}/${VALIDATION_REPORT_PREFIX}*`] },
    ];
    if (props.artifactsBucket.kms) {
      statements.push({
        sid: "DecryptValidationReportsThroughS3",
        actions: ["kms:Decrypt"],
        resources: [props.kmsKeyArn],
        conditions: { StringEquals: { "kms:ViaService": [`s3.${props.region}.amazonaws.com`] } },
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
