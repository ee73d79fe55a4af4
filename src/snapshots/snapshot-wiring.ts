import type { LedgerTable } from "../ledger/ledger-table";
import type { DatabaseEndpoint } from "../stacks/data-tier";
import type { EnvironmentStack } from "../stacks/environment-stack";
import { snapshotDestinationKeys } from "./destination-keys";
import { maxCopyAgeHours, SnapshotCopy, type CopiedSource } from "./snapshot-copy";

/** One age alarm: the newest copy of `database` in `region` must be younger than `maxAgeHours`. */
export interface SnapshotCopyAlarm {
  readonly database: string;
  readonly region: string;
  readonly maxAgeHours: number;
}

export interface SnapshotCopyWiringProps {
  readonly functionName: string;
  readonly accountId: string;
  readonly region: string;
  readonly kmsKeyArn: string;
  readonly defaults: EnvironmentStack["functionDefaults"];
  readonly databases: readonly DatabaseEndpoint[];
  readonly drKeyArn: string;
  readonly ledger: Pick<LedgerTable, "name" | "arn">;
  readonly metricsNamespace: string;
}

/**
 * The environment's snapshot copies, from the configuration: its Aurora clusters (automated
 * snapshots) and its `snapshotInstances`, into every `snapshots.destinations` region. Nothing when
 * the environment has neither.
 */
export function addSnapshotCopy(stack: EnvironmentStack, props: SnapshotCopyWiringProps): { construct: SnapshotCopy; alarms: { copies: SnapshotCopyAlarm[] } } | undefined {
  const { platform, environment } = stack;
  const sources: CopiedSource[] = [
    ...props.databases.map((d): CopiedSource => ({ name: d.name, kind: "cluster", identifier: d.clusterIdentifier, mode: "automated" })),
    ...environment.snapshotInstances.map((i): CopiedSource => ({ name: i.name, kind: "instance", identifier: i.instanceIdentifier, mode: i.mode, kmsKeyArn: i.kmsKeyArn })),
  ];
  if (sources.length === 0) return undefined;
  const { schedule, retentionDays, destinations } = platform.snapshots;
  const keys = snapshotDestinationKeys(stack, destinations.map((d) => d.region), props.drKeyArn);
  const construct = new SnapshotCopy(stack, "snapshot-copy", {
    functionName: props.functionName,
    environment: environment.name,
    accountId: props.accountId,
    region: props.region,
    kmsKeyArn: props.kmsKeyArn,
    sources,
    destinations: destinations.map((d) => ({ region: d.region, kmsKeyArn: keys[d.region]! })),
    retentionDays,
    schedule,
    ledgerTableName: props.ledger.name,
    ledgerTableArn: props.ledger.arn,
    metricsNamespace: props.metricsNamespace,
    defaults: props.defaults,
  });
  const copies = destinations.flatMap((d) => sources.map((s) => ({ database: s.name, region: d.region, maxAgeHours: d.maxCopyAgeHours ?? maxCopyAgeHours(schedule, s.mode) })));
  return { construct, alarms: { copies } };
}
