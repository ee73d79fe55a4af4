import { TerraformOutput } from "cdktf";
import type { EnvironmentConfig } from "../config/types";
import { fabricNames } from "../cross-account/trust-map";
import { GlobalLedgerReplica } from "../ledger/global-ledger-replica";
import { ledgerMembers, ledgerReplicaEnvironments, ledgerSourceEnvironment, ledgerTableArn, ledgerTableName } from "../ledger/global-ledger";
import { LedgerResourcePolicy } from "../ledger/ledger-resource-policy";
import { LedgerTable } from "../ledger/ledger-table";
import { ledgerStreamMapping } from "../ledger/stream-mapping";
import { kmsAliasArn, ResourceNames } from "../naming";
import type { EnvironmentStack } from "./environment-stack";
import { accountProvider } from "./providers";
import { platformTags } from "./tags";

/** What the rest of the fabric needs to know of an environment's ledger. */
export interface EnvironmentLedger {
  readonly name: string;
  readonly arn: string;
  /** The stream, where this stack creates the table; a multi-account replica's is mapped by the source stack. */
  readonly streamArn?: string;
  /** Whether the ledger is a member of the multi-account global table. */
  readonly global: boolean;
  /** Regions the ledger's writes replicate into, for the latency alarms (`ReceivingRegion`). */
  readonly receivingRegions: readonly { readonly region: string; readonly label: string }[];
}

/**
 * The ledger of one environment's primary-region stack.
 *
 * Without `ledgerGlobalTable`: its own table, replicated into the DR region.
 *
 * With it: the first environment's stack creates the source table, its resource policy, and every
 * other environment's replica (a CloudFormation stack in that account, through a provider that
 * assumes its deployment role) with that environment's stream-processor mapping. The source's stack
 * is the one that deploys last (the promotion order deploys from the last environment to the
 * first), so when it runs every replica account is ready and the source exists before the
 * replicas that are created from it; the replica environments' own stacks only name their replica.
 */
export function addLedger(stack: EnvironmentStack, drKeyArn: string): EnvironmentLedger {
  const { platform, environment } = stack;
  if (!platform.ledgerGlobalTable.enabled) {
    const table = new LedgerTable(stack, "ledger", {
      tableName: fabricNames(platform.project, environment.name).ledgerTable,
      kmsKeyArn: stack.key.arn,
      replica: { region: platform.drRegion, kmsKeyArn: drKeyArn },
      deletionProtection: environment.deletionProtection,
    });
    return { name: table.name, arn: table.arn, streamArn: table.streamArn, global: false, receivingRegions: [{ region: platform.drRegion, label: platform.drRegion }] };
  }

  const name = ledgerTableName(platform, environment.name);
  const receivingRegions = receivingRegionsOf(stack);
  const source = ledgerSourceEnvironment(platform);
  if (environment.name !== source.name) {
    return { name, arn: ledgerTableArn(platform, environment), global: true, receivingRegions };
  }

  const members = ledgerMembers(platform).map((m) => ({ accountId: m.environment.accountId, tableArn: m.tableArn }));
  const table = new LedgerTable(stack, "ledger", { tableName: name, kmsKeyArn: stack.key.arn, deletionProtection: environment.deletionProtection });
  const policy = new LedgerResourcePolicy(stack, "ledger-policy", { tableArn: table.arn, accountId: environment.accountId, members });
  for (const replicaEnvironment of ledgerReplicaEnvironments(platform)) {
    addReplica(stack, replicaEnvironment, { name, sourceArn: table.arn, members, dependsOn: policy });
  }
  return { name, arn: table.arn, streamArn: table.streamArn, global: true, receivingRegions };
}

/** One replica in another environment's account, and the mapping of that environment's stream processor on it. */
function addReplica(
  stack: EnvironmentStack,
  replicaEnvironment: EnvironmentConfig,
  table: { name: string; sourceArn: string; members: { accountId: string; tableArn: string }[]; dependsOn: LedgerResourcePolicy },
): void {
  const { platform } = stack;
  const region = platform.primaryRegion;
  const names = new ResourceNames(platform.project, replicaEnvironment.name, replicaEnvironment.accountId, region);
  const provider = accountProvider(stack, `aws-ledger-${replicaEnvironment.name}`, {
    accountId: replicaEnvironment.accountId,
    roleName: replicaEnvironment.deploymentRoleName,
    region,
    tags: platformTags(platform.project, replicaEnvironment.name, platform.tags),
    sessionName: `cdktf-${stack.node.id}`,
    alias: `ledger_${replicaEnvironment.name}`,
  });
  const replica = new GlobalLedgerReplica(stack, `ledger-replica-${replicaEnvironment.name}`, {
    stackName: names.environmentScoped("ledger-replica"),
    tableName: table.name,
    sourceTableArn: table.sourceArn,
    accountId: replicaEnvironment.accountId,
    region,
    kmsKeyId: kmsAliasArn(region, replicaEnvironment.accountId, names.keyAlias),
    members: table.members,
    deletionProtection: replicaEnvironment.deletionProtection,
    provider,
    // The replica joins only once the source's policy admits its account.
    dependsOn: [table.dependsOn.policy],
  });
  const functionName = fabricNames(platform.project, replicaEnvironment.name).streamProcessorFunction;
  ledgerStreamMapping(stack, `ledger-replica-${replicaEnvironment.name}-mapping`, {
    provider,
    functionArn: `arn:aws:lambda:${region}:${replicaEnvironment.accountId}:function:${functionName}`,
    streamArn: replica.streamArn,
    deadLetterQueueArn: `arn:aws:sqs:${region}:${replicaEnvironment.accountId}:${functionName}-dlq`,
    environment: replicaEnvironment.name,
  });
  new TerraformOutput(stack, `ledger_replica_stream_arn_${replicaEnvironment.name}`, {
    value: replica.streamArn,
    description: `Stream of ${replicaEnvironment.name}'s replica of the ledger, consumed by its stream processor`,
  });
}

/** The other members' Regions, each labelled with the environments there. */
function receivingRegionsOf(stack: EnvironmentStack): { region: string; label: string }[] {
  const others = ledgerMembers(stack.platform).filter((m) => m.environment.name !== stack.environment.name);
  // Every member's replica is in the primary region of its account.
  const region = stack.platform.primaryRegion;
  return others.length === 0 ? [] : [{ region, label: `${region} (${others.map((m) => m.environment.name).join(", ")})` }];
}
