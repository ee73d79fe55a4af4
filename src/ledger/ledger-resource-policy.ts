import { DynamodbResourcePolicy } from "@cdktf/provider-aws/lib/dynamodb-resource-policy";
import { Construct } from "constructs";
import { policyDocument } from "../iam/policy";
import { globalTableStatements, type GlobalTableMember } from "./replication-policy";

export interface LedgerResourcePolicyProps {
  /** The source table (its ARN may be a token). */
  readonly tableArn: string;
  readonly accountId: string;
  /** Every member of the global table with its deterministic ARN, the source included. */
  readonly members: readonly GlobalTableMember[];
}

/**
 * The resource policy of the multi-account ledger's source table: the replication service may
 * replicate between the members only, and only the replica accounts may join.
 */
export class LedgerResourcePolicy extends Construct {
  readonly policy: DynamodbResourcePolicy;

  constructor(scope: Construct, id: string, props: LedgerResourcePolicyProps) {
    super(scope, id);
    const self = props.members.find((m) => m.accountId === props.accountId);
    if (!self) throw new Error(`account ${props.accountId} is not a member of the global table`);
    this.policy = new DynamodbResourcePolicy(this, "policy", {
      resourceArn: props.tableArn,
      policy: policyDocument(globalTableStatements({ accountId: props.accountId, tableArn: self.tableArn }, props.members, { isSource: true })),
    });
  }
}
