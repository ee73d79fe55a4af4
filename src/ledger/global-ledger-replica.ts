import { CloudformationStack } from "@cdktf/provider-aws/lib/cloudformation-stack";
import type { ITerraformDependable, TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { LEDGER_KEYS, LEDGER_TTL_ATTRIBUTE } from "./ledger-schema";
import { policyObject } from "../iam/policy";
import { globalTableStatements, type GlobalTableMember } from "./replication-policy";
import { jsonAttribute } from "../json-attribute";

export interface GlobalLedgerReplicaProps {
  /** Name of the CloudFormation stack in the replica's account. */
  readonly stackName: string;
  /** The global table's name (the same in every account). */
  readonly tableName: string;
  /** ARN of the source table the replica is created from. */
  readonly sourceTableArn: string;
  /** The replica's account and region (the provider's). */
  readonly accountId: string;
  readonly region: string;
  /** The replica environment's own key, by alias ARN (resolved in the replica's account). */
  readonly kmsKeyId: string;
  /** Every member of the global table, this replica included. */
  readonly members: readonly GlobalTableMember[];
  /** DynamoDB deletion protection, `DeletionPolicy: Retain` and `prevent_destroy`. */
  readonly deletionProtection: boolean;
  /** A provider that works in the replica's account. */
  readonly provider: TerraformProvider;
  /** What must exist before the replica joins (the source's resource policy). */
  readonly dependsOn?: ITerraformDependable[];
}

/** Logical id of the replica inside the CloudFormation template, and the template's outputs. */
export const REPLICA_LOGICAL_ID = "LedgerReplica";

/**
 * One replica of the multi-account ledger, in another environment's account.
 *
 * The pinned AWS provider (6.25) cannot create a table from another account's table
 * (`GlobalTableSourceArn`; hashicorp/terraform-provider-aws#46877, PR #46393 open), CloudFormation's
 * `AWS::DynamoDB::GlobalTable` can, and `aws_cloudformation_stack` is a resource the provider does
 * have: the replica stays declarative, planned and destroyed by Terraform like everything else.
 *
 * The replica is encrypted with its own environment's key (SSE is not a synchronized setting),
 * keeps point-in-time recovery and deletion protection of its own, streams new and old images
 * (the stream view type is synchronized from the source; the environment's stream processor
 * reads it), and carries the resource policy every member needs.
 */
export class GlobalLedgerReplica extends Construct {
  readonly stack: CloudformationStack;

  constructor(scope: Construct, id: string, props: GlobalLedgerReplicaProps) {
    super(scope, id);
    const tableArn = `arn:aws:dynamodb:${props.region}:${props.accountId}:table/${props.tableName}`;
    const retain = props.deletionProtection ? "Retain" : "Delete";
    const template = {
      AWSTemplateFormatVersion: "2010-09-09",
      Description: `Replica of the multi-account replication ledger ${props.tableName}, created from ${props.sourceTableArn}`,
      Resources: {
        [REPLICA_LOGICAL_ID]: {
          Type: "AWS::DynamoDB::GlobalTable",
          DeletionPolicy: retain,
          UpdateReplacePolicy: retain,
          Properties: {
            TableName: props.tableName,
            GlobalTableSourceArn: props.sourceTableArn,
            // The schema is the source's (key schema is always synchronized); written out because
            // the resource requires it, and identical so that DynamoDB accepts it.
            AttributeDefinitions: [
              { AttributeName: LEDGER_KEYS.hashKey, AttributeType: "S" },
              { AttributeName: LEDGER_KEYS.rangeKey, AttributeType: "S" },
            ],
            KeySchema: [
              { AttributeName: LEDGER_KEYS.hashKey, KeyType: "HASH" },
              { AttributeName: LEDGER_KEYS.rangeKey, KeyType: "RANGE" },
            ],
            BillingMode: "PAY_PER_REQUEST",
            StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
            TimeToLiveSpecification: { AttributeName: LEDGER_TTL_ATTRIBUTE, Enabled: true },
            SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
            Replicas: [
              {
                Region: props.region,
                GlobalTableSettingsReplicationMode: "ENABLED",
                SSESpecification: { KMSMasterKeyId: props.kmsKeyId },
                PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
                DeletionProtectionEnabled: props.deletionProtection,
                ResourcePolicy: { PolicyDocument: policyObject(globalTableStatements({ accountId: props.accountId, tableArn }, props.members, { isSource: false })) },
              },
            ],
          },
        },
      },
      Outputs: {
        TableArn: { Value: { "Fn::GetAtt": [REPLICA_LOGICAL_ID, "Arn"] } },
        StreamArn: { Value: { "Fn::GetAtt": [REPLICA_LOGICAL_ID, "StreamArn"] } },
      },
    };
    this.stack = new CloudformationStack(this, "stack", {
      provider: props.provider,
      name: props.stackName,
      templateBody: jsonAttribute(template),
      // A failed create leaves nothing half-made behind to block the next apply.
      onFailure: "DELETE",
      timeoutInMinutes: 60,
      lifecycle: props.deletionProtection ? { preventDestroy: true } : undefined,
      dependsOn: props.dependsOn,
    });
  }

  get tableArn(): string {
    return this.stack.outputs.lookup("TableArn");
  }

  get streamArn(): string {
    return this.stack.outputs.lookup("StreamArn");
  }
}
