import { Annotations } from "cdktf";
import type { LedgerTable } from "../ledger/ledger-table";
import type { DatabaseEndpoint } from "../stacks/data-tier";
import type { EnvironmentStack } from "../stacks/environment-stack";
import { accountCopyOf, SnapshotReceiverRole, sourcesOf } from "./account-copy";
import { snapshotDestinationKeys } from "./destination-keys";
import { maxCopyAgeHours, schedulePeriodHours, SnapshotCopy, type CopiedSource } from "./snapshot-copy";

/** RDS's default quota of manual snapshots (copies included) per account and region. */
export const MANUAL_SNAPSHOT_QUOTA = 100;

/**
 * About how many manual snapshots the function keeps per region: per source, one per copy run
 * (manual mode) or one a day at most (automated snapshots are daily), for the retention period.
 */
export function keptSnapshotsPerRegion(sources: readonly CopiedSource[], schedule: string, retentionDays: number): { copies: number; manual: number } {
  const runsPerDay = 24 / schedulePeriodHours(schedule);
  const perSource = (mode: CopiedSource["mode"]) => Math.ceil(retentionDays * (mode === "manual" ? runsPerDay : Math.min(1, runsPerDay))) + 1;
  return {
    copies: sources.reduce((sum, s) => sum + perSource(s.mode), 0),
    manual: sources.filter((s) => s.mode === "manual").reduce((sum, s) => sum + perSource(s.mode), 0),
  };
}

/** One age alarm: the newest copy of `database` in `region` (of `accountId`, for an account copy) must be younger than `maxAgeHours`. */
export interface SnapshotCopyAlarm {
  readonly database: string;
  readonly region: string;
  readonly accountId?: string;
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
  addSnapshotReceivers(stack, props.drKeyArn);
  const sources: CopiedSource[] = [
    ...props.databases.map((d): CopiedSource => ({ name: d.name, kind: "cluster", identifier: d.clusterIdentifier, mode: "automated" })),
    ...environment.snapshotInstances.map((i): CopiedSource => ({ name: i.name, kind: "instance", identifier: i.instanceIdentifier, mode: i.mode, kmsKeyArn: i.kmsKeyArn })),
  ];
  if (sources.length === 0) return undefined;
  const { schedule, retentionDays, destinations } = platform.snapshots;
  const accountCopy = accountCopyOf(platform, environment);
  const keys = snapshotDestinationKeys(stack, destinations.map((d) => d.region), props.drKeyArn, accountCopy);
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
    accountCopy: accountCopy && { accountId: accountCopy.target.accountId, region: accountCopy.region, roleArn: accountCopy.roleArn, externalId: accountCopy.externalId, kmsKeyArn: accountCopy.kmsKeyArn },
  });
  // A soft problem: the quota can be raised, but until it is, copies and manual snapshots fail.
  const kept = keptSnapshotsPerRegion(sources, schedule, retentionDays);
  for (const [what, count] of [["copies in each destination region", kept.copies], [`manual snapshots in ${props.region}`, kept.manual]] as const) {
    if (count > MANUAL_SNAPSHOT_QUOTA) {
      Annotations.of(construct).addWarning(
        `Snapshot copies of ${environment.name} keep about ${count} ${what} (schedule ${schedule}, ${retentionDays} days' retention), more than RDS's default quota of ${MANUAL_SNAPSHOT_QUOTA} manual snapshots per region: raise the quota or shorten snapshots.retentionDays.`,
      );
    }
  }
  const copies = destinations.flatMap((d) => sources.map((s) => ({ database: s.name, region: d.region, maxAgeHours: d.maxCopyAgeHours ?? maxCopyAgeHours(schedule, s.mode) })));
  if (accountCopy) {
    const rpo = environment.snapshotAccountCopy!.maxCopyAgeHours;
    copies.push(...sources.map((s) => ({ database: s.name, region: accountCopy.region, accountId: accountCopy.target.accountId, maxAgeHours: rpo ?? maxCopyAgeHours(schedule, s.mode) })));
  }
  return { construct, alarms: { copies } };
}

/** The receiver roles other environments' account copies assume in this account, one per source environment. */
function addSnapshotReceivers(stack: EnvironmentStack, drKeyArn: string): void {
  const { platform, environment } = stack;
  for (const source of platform.environments) {
    if (source.snapshotAccountCopy?.environment !== environment.name) continue;
    new SnapshotReceiverRole(stack, `snapshot-receiver-${source.name}`, {
      project: platform.project,
      target: environment,
      source,
      sources: sourcesOf(platform, source),
      region: platform.drRegion,
      kmsKeyArn: drKeyArn,
    });
  }
}
