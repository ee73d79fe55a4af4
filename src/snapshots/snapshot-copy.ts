import { Construct } from "constructs";
import type { LambdaConfig } from "../config/types";
import type { PolicyStatement } from "../iam/policy";
import { BundledFunction } from "../lambda-packaging/bundled-function";

/** How often the function records copy progress and publishes the age of the newest copy. */
export const SNAPSHOT_CHECK_SCHEDULE = "rate(1 hour)";

/** A cluster whose snapshots are copied: its configured short name and its DB cluster identifier. */
export interface CopiedCluster {
  readonly name: string;
  readonly clusterIdentifier: string;
}

export interface SnapshotCopyProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  /** The clusters' region, where the function runs. */
  readonly region: string;
  /** The DR region, where the copies are kept. */
  readonly targetRegion: string;
  /** The environment key: the function's logs and variables, and the clusters' storage (so their snapshots). */
  readonly kmsKeyArn: string;
  /** The environment key in the DR region, which encrypts the copies. */
  readonly targetKmsKeyArn: string;
  readonly clusters: readonly CopiedCluster[];
  readonly retentionDays: number;
  readonly ledgerTableName: string;
  readonly ledgerTableArn: string;
  readonly metricsNamespace: string;
  readonly defaults: LambdaConfig;
}

/** The identifier pattern of a cluster's copies (`lambdas/snapshot-copy` names them `<cluster>-copy-<time>`). */
export function copyIdentifierPattern(clusterIdentifier: string): string {
  return `${clusterIdentifier}-copy-*`;
}

/**
 * The snapshot-copy function (`lambdas/snapshot-copy`): copies each cluster's newest automated
 * snapshot into the DR region under the DR key, records progress in the ledger, and deletes copies
 * older than the retention period (never the newest one). Its role reaches only the environment's
 * clusters, their automated snapshots and the copies' own identifiers.
 */
export class SnapshotCopy extends Construct {
  readonly function: BundledFunction;

  constructor(scope: Construct, id: string, props: SnapshotCopyProps) {
    super(scope, id);
    this.function = new BundledFunction(this, "function", {
      handler: "snapshot-copy",
      functionName: props.functionName,
      description: `Copies the ${props.environment} Aurora snapshots to ${props.targetRegion} and expires old copies`,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      // Runs are short (RDS copies asynchronously); when the platform reserves concurrency at all
      // (lambda.reservedConcurrency), one at a time keeps the ledger's order simple. Without it, runs
      // rarely overlap (hourly and daily schedules) and copy names are deterministic, so a
      // concurrent run finds the copy and starts nothing.
      timeoutSeconds: 120,
      reservedConcurrency: props.defaults.reservedConcurrency === undefined ? undefined : 1,
      environment: {
        ENVIRONMENT: props.environment,
        SOURCE_REGION: props.region,
        TARGET_REGION: props.targetRegion,
        TARGET_KMS_KEY_ID: props.targetKmsKeyArn,
        CLUSTERS: JSON.stringify(props.clusters.map(({ name, clusterIdentifier }) => ({ name, clusterIdentifier }))),
        RETENTION_DAYS: String(props.retentionDays),
        LEDGER_TABLE_NAME: props.ledgerTableName,
        METRICS_NAMESPACE: props.metricsNamespace,
      },
      statements: snapshotCopyStatements(props),
    });
  }
}

/** The function's permissions, exported for the policy tests. */
export function snapshotCopyStatements(props: SnapshotCopyProps): PolicyStatement[] {
  const rds = (region: string, resource: string) => `arn:aws:rds:${region}:${props.accountId}:${resource}`;
  const ids = props.clusters.map((c) => c.clusterIdentifier);
  // Automated cluster snapshots are named rds:<cluster>-<yyyy-mm-dd-hh-mm>.
  const automated = ids.map((id) => rds(props.region, `cluster-snapshot:rds:${id}-*`));
  const copies = ids.map((id) => rds(props.targetRegion, `cluster-snapshot:${copyIdentifierPattern(id)}`));
  return [
    {
      sid: "FindSnapshotsAndCopies",
      actions: ["rds:DescribeDBClusterSnapshots"],
      resources: [...ids.map((id) => rds(props.region, `cluster:${id}`)), ...automated, ...ids.map((id) => rds(props.targetRegion, `cluster:${id}`)), ...copies],
    },
    // The copy is requested in the DR region and authorized against the source snapshot as well.
    { sid: "CopyAutomatedSnapshots", actions: ["rds:CopyDBClusterSnapshot"], resources: [...automated, ...copies] },
    { sid: "TagCopies", actions: ["rds:AddTagsToResource"], resources: copies },
    { sid: "ExpireCopies", actions: ["rds:DeleteDBClusterSnapshot"], resources: copies },
    // RDS decrypts the source snapshot and encrypts the copy through grants made for the caller.
    { sid: "DescribeSnapshotKeys", actions: ["kms:DescribeKey"], resources: [props.kmsKeyArn, props.targetKmsKeyArn] },
    {
      sid: "GrantSnapshotKeysToRds",
      actions: ["kms:CreateGrant"],
      resources: [props.kmsKeyArn, props.targetKmsKeyArn],
      conditions: { Bool: { "kms:GrantIsForAWSResource": true } },
    },
    { sid: "RecordInLedger", actions: ["dynamodb:PutItem"], resources: [props.ledgerTableArn] },
  ];
}

/**
 * Hours after which the newest copy is overdue. Ages count from the source snapshot's creation, and
 * RDS takes automated snapshots once a day: just before a copy run the newest copy can be a day
 * plus one schedule period old, and a cross-region copy of a large cluster can take hours more.
 */
export function maxCopyAgeHours(schedule: string): number {
  return Math.ceil(24 + schedulePeriodHours(schedule) + 6);
}

const RATE_UNIT_HOURS: Readonly<Record<string, number>> = { minute: 1 / 60, minutes: 1 / 60, hour: 1, hours: 1, day: 24, days: 24 };

/**
 * The longest gap between two runs of an EventBridge schedule, in hours, erring long: a cron that
 * names days of the month counts as monthly, one that names days of the week as weekly, any other
 * as daily (more frequent runs cannot copy a newer snapshot than the day's automated one).
 */
export function schedulePeriodHours(schedule: string): number {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(schedule);
  if (rate) return Number(rate[1]) * RATE_UNIT_HOURS[rate[2]!]!;
  const fields = /^cron\((.+)\)$/.exec(schedule)?.[1]?.trim().split(/\s+/) ?? [];
  const restricted = (field: string | undefined) => field !== undefined && field !== "*" && field !== "?";
  if (restricted(fields[2])) return 31 * 24;
  if (restricted(fields[4])) return 7 * 24;
  return 24;
}
