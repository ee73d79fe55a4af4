import type { PolicyStatement } from "../iam/policy";

/** The service principal that replicates multi-account global tables. */
export const DYNAMODB_REPLICATION_SERVICE = "replication.dynamodb.amazonaws.com";

/** What every replica (the source included) lets the replication service do, for the other members. */
export const REPLICATION_ACTIONS = ["dynamodb:ReadDataForReplication", "dynamodb:WriteDataForReplication", "dynamodb:ReplicateSettings"] as const;

export interface GlobalTableMember {
  readonly accountId: string;
  readonly tableArn: string;
}

/**
 * The resource-policy statements of one member of a multi-account global table. DynamoDB checks,
 * for each pair of replicas, that both grant the replication service; the grant is scoped with
 * `aws:SourceAccount` (the members' accounts) and `aws:SourceArn` (the members' table ARNs), so no
 * other table, and no other account's table of the same name, can replicate into it.
 *
 * The source also lets the replica accounts join (`dynamodb:AssociateTableReplica`): that is the
 * call a replica's CreateTable with `GlobalTableSourceArn` makes against the source.
 */
export function globalTableStatements(self: GlobalTableMember, members: readonly GlobalTableMember[], options: { readonly isSource: boolean }): PolicyStatement[] {
  const accounts = [...new Set(members.map((m) => m.accountId))];
  const statements: PolicyStatement[] = [
    {
      sid: "ReplicationBetweenMembers",
      actions: [...REPLICATION_ACTIONS],
      principals: { Service: [DYNAMODB_REPLICATION_SERVICE] },
      resources: [self.tableArn],
      conditions: { StringEquals: { "aws:SourceAccount": accounts, "aws:SourceArn": members.map((m) => m.tableArn) } },
    },
  ];
  const joiners = accounts.filter((account) => account !== self.accountId);
  if (options.isSource && joiners.length > 0) {
    statements.push({
      sid: "ReplicaAccountsJoin",
      actions: ["dynamodb:AssociateTableReplica"],
      principals: { AWS: joiners.map((account) => `arn:aws:iam::${account}:root`) },
      resources: [self.tableArn],
    });
  }
  return statements;
}
