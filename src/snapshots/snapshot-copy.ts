import { Construct } from "constructs";
import type { LambdaConfig } from "../config/types";
import type { PolicyStatement } from "../iam/policy";
import { BundledFunction } from "../lambda-packaging/bundled-function";
import { namePrefix } from "../../lambdas/snapshot-copy/names";
import { OWNER_TAG } from "../../lambdas/snapshot-copy/snapshots";
import { jsonAttribute } from "../json-attribute";

/** How often the function records copy progress and publishes the age of the newest copies. */
export const SNAPSHOT_CHECK_SCHEDULE = "rate(1 hour)";

/** A database whose snapshots are copied: an Aurora DB cluster or a plain DB instance. */
export interface CopiedSource {
  /** Short name: ledger subject and the alarms' `Database` dimension. */
  readonly name: string;
  readonly kind: "cluster" | "instance";
  /** DB cluster or DB instance identifier in the function's region. */
  readonly identifier: string;
  /** `automated`: copy the newest automated snapshot. `manual`: take a manual snapshot first, copy it in a later run. */
  readonly mode: "automated" | "manual";
  /** The source's own customer-managed key, when it is not the environment key: the role may make RDS grants on it. @default the environment key */
  readonly kmsKeyArn?: string;
}

/** A region the copies are kept in. */
export interface SnapshotDestination {
  readonly region: string;
  /** Customer-managed key in `region` that encrypts the copies. */
  readonly kmsKeyArn: string;
}

/** A copy into another account: share the newest copy in `region` with `accountId`, copy it there through `roleArn`. */
export interface SnapshotAccountCopy {
  readonly accountId: string;
  /** One of the destinations. */
  readonly region: string;
  readonly roleArn: string;
  readonly externalId: string;
  /** The target account's key (or alias) ARN in `region`. */
  readonly kmsKeyArn: string;
}

export interface SnapshotCopyProps {
  readonly functionName: string;
  readonly environment: string;
  readonly accountId: string;
  /** The databases' region, where the function runs. */
  readonly region: string;
  /** The environment key: the function's logs and variables, and the databases' storage (so their snapshots). */
  readonly kmsKeyArn: string;
  readonly sources: readonly CopiedSource[];
  readonly destinations: readonly SnapshotDestination[];
  readonly retentionDays: number;
  /** Schedule of the copy runs: manual snapshots are taken at most once per half period. */
  readonly schedule: string;
  readonly ledgerTableName: string;
  readonly ledgerTableArn: string;
  readonly metricsNamespace: string;
  readonly defaults: LambdaConfig;
  /** @default none */
  readonly accountCopy?: SnapshotAccountCopy;
}

/**
 * The snapshot-copy function (`lambdas/snapshot-copy`): copies each database's newest automated
 * snapshot (or, in manual mode, a manual snapshot it takes first) into every destination region
 * under that region's key, at most five copies in flight per region, records progress in the ledger,
 * and deletes its own copies older than the retention period (never the newest one). Its role
 * reaches only the configured databases, their snapshots and the snapshot names it makes, and may
 * delete only snapshots that carry its owner tag.
 *
 * @example
 * new SnapshotCopy(stack, "snapshot-copy", { functionName: "replica-dev-snapshot-copy", sources: [{ name: "legacy", kind: "instance", identifier: "legacy-mysql", mode: "manual" }], destinations: [{ region: "eu-west-1", kmsKeyArn }], ... });
 */
export class SnapshotCopy extends Construct {
  readonly function: BundledFunction;

  constructor(scope: Construct, id: string, props: SnapshotCopyProps) {
    super(scope, id);
    const regions = props.destinations.map((d) => d.region).join(", ");
    this.function = new BundledFunction(this, "function", {
      handler: "snapshot-copy",
      functionName: props.functionName,
      description: `Copies the ${props.environment} database snapshots to ${regions} and expires old copies`,
      accountId: props.accountId,
      region: props.region,
      kmsKeyArn: props.kmsKeyArn,
      memoryMb: props.defaults.memoryMb,
      logRetentionDays: props.defaults.logRetentionDays,
      // Runs are short (RDS snapshots and copies asynchronously; nothing waits). When the platform
      // reserves concurrency at all, one at a time keeps the in-flight count exact. Without it,
      // overlapping runs find each other's copies by their deterministic names.
      timeoutSeconds: 300,
      reservedConcurrency: props.defaults.reservedConcurrency === undefined ? undefined : 1,
      environment: {
        ENVIRONMENT: props.environment,
        SOURCE_REGION: props.region,
        SOURCES: jsonAttribute(props.sources.map(({ name, kind, identifier, mode }) => ({ name, kind, identifier, mode }))),
        DESTINATIONS: jsonAttribute(props.destinations.map((d) => ({ region: d.region, kmsKeyId: d.kmsKeyArn }))),
        RETENTION_DAYS: String(props.retentionDays),
        MANUAL_SNAPSHOT_INTERVAL_HOURS: String(manualSnapshotIntervalHours(props.schedule)),
        SNAPSHOT_OWNER: props.functionName,
        LEDGER_TABLE_NAME: props.ledgerTableName,
        METRICS_NAMESPACE: props.metricsNamespace,
        ...(props.accountCopy
          ? { ACCOUNT_COPY: jsonAttribute({ accountId: props.accountCopy.accountId, region: props.accountCopy.region, roleArn: props.accountCopy.roleArn, externalId: props.accountCopy.externalId, kmsKeyId: props.accountCopy.kmsKeyArn }) }
          : {}),
      },
      statements: snapshotCopyStatements(props),
    });
  }
}

/** What differs between the two kinds of source in IAM: actions, ARN resource types, the tag condition key. */
const KIND = {
  cluster: { label: "Cluster", db: "cluster", snapshot: "cluster-snapshot", noun: "DBClusterSnapshot", create: "rds:CreateDBClusterSnapshot", tagKey: "rds:cluster-snapshot-tag" },
  instance: { label: "Instance", db: "db", snapshot: "snapshot", noun: "DBSnapshot", create: "rds:CreateDBSnapshot", tagKey: "rds:snapshot-tag" },
} as const;

/** The function's permissions, exported for the policy tests: one group of statements per kind of source in use. */
export function snapshotCopyStatements(props: SnapshotCopyProps): PolicyStatement[] {
  const rds = (region: string, resource: string) => `arn:aws:rds:${region}:${props.accountId}:${resource}`;
  const destinations = props.destinations.map((d) => d.region);
  const statements: PolicyStatement[] = [];
  for (const kind of ["cluster", "instance"] as const) {
    const sources = props.sources.filter((s) => s.kind === kind);
    if (sources.length === 0) continue;
    const k = KIND[kind];
    const snapshot = (region: string, name: string) => rds(region, `${k.snapshot}:${name}`);
    // Automated snapshots are named rds:<id>-<yyyy-mm-dd-hh-mm>; the function's own names come from names.ts.
    const automated = sources.filter((s) => s.mode === "automated").map((s) => snapshot(props.region, `rds:${s.identifier}-*`));
    const manual = sources.filter((s) => s.mode === "manual");
    const ownSnapshots = manual.map((s) => snapshot(props.region, `${namePrefix(s.identifier, "snap")}*`));
    const copies = destinations.flatMap((region) => sources.map((s) => snapshot(region, `${namePrefix(s.identifier, "copy")}*`)));
    const databases = (regions: readonly string[]) => regions.flatMap((region) => sources.map((s) => rds(region, `${k.db}:${s.identifier}`)));
    // Copies keep their source's DB identifier, so listing them is authorized against that name in each destination.
    statements.push({ sid: `Find${k.label}Snapshots`, actions: [`rds:Describe${k.noun}s`], resources: [...databases([props.region, ...destinations]), ...automated, ...ownSnapshots, ...copies] });
    // The copy is requested in the destination and authorized against the source snapshot as well.
    statements.push({ sid: `Copy${k.label}Snapshots`, actions: [`rds:Copy${k.noun}`], resources: [...automated, ...ownSnapshots, ...copies] });
    if (manual.length > 0) {
      statements.push({ sid: `Take${k.label}Snapshots`, actions: [k.create], resources: [...manual.map((s) => rds(props.region, `${k.db}:${s.identifier}`)), ...ownSnapshots] });
    }
    statements.push({ sid: `Tag${k.label}Snapshots`, actions: ["rds:AddTagsToResource"], resources: [...ownSnapshots, ...copies] });
    // Only what this function tagged as its own: a snapshot someone named like ours by hand stays.
    if (props.accountCopy) {
      // Sharing sets the copy's `restore` attribute; only the copies in the account copy's region.
      const shared = sources.map((s) => snapshot(props.accountCopy!.region, `${namePrefix(s.identifier, "copy")}*`));
      statements.push({ sid: `Share${k.label}Copies`, actions: [`rds:Modify${k.noun}Attribute`], resources: shared });
    }
    statements.push({
      sid: `Expire${k.label}Snapshots`,
      actions: [`rds:Delete${k.noun}`],
      resources: [...ownSnapshots, ...copies],
      conditions: { StringEquals: { [`${k.tagKey}/${OWNER_TAG}`]: props.functionName } },
    });
  }
  const sourceKeys = props.sources.map((s) => s.kmsKeyArn).filter((arn): arn is string => arn !== undefined);
  const keys = [...new Set([props.kmsKeyArn, ...sourceKeys, ...props.destinations.map((d) => d.kmsKeyArn)])];
  // RDS decrypts the source snapshot and encrypts the copy through grants made for the caller
  // (a source under the AWS managed aws/rds key needs none: its key policy allows RDS in the account).
  statements.push({ sid: "DescribeSnapshotKeys", actions: ["kms:DescribeKey"], resources: keys });
  statements.push({ sid: "GrantSnapshotKeysToRds", actions: ["kms:CreateGrant"], resources: keys, conditions: { Bool: { "kms:GrantIsForAWSResource": true } } });
  statements.push({ sid: "RecordInLedger", actions: ["dynamodb:PutItem"], resources: [props.ledgerTableArn] });
  if (props.accountCopy) statements.push({ sid: "AssumeSnapshotReceiver", actions: ["sts:AssumeRole"], resources: [props.accountCopy.roleArn] });
  return statements;
}

/** Hours between manual snapshots: half the copy schedule's period, so a redelivered or overlapping run takes none. */
export function manualSnapshotIntervalHours(schedule: string): number {
  return Math.max(1, Math.floor(schedulePeriodHours(schedule) / 2));
}

/**
 * Hours after which the newest copy is overdue, by default. Ages count from the source snapshot's
 * creation. Automated snapshots come once a day: just before a copy run the newest copy can be a
 * day plus one schedule period old, and a cross-region copy of a large database takes hours more.
 * A manual snapshot is taken by one run and copied by the next: two periods plus the copy.
 */
export function maxCopyAgeHours(schedule: string, mode: CopiedSource["mode"] = "automated"): number {
  const period = schedulePeriodHours(schedule);
  return Math.ceil((mode === "manual" ? 2 * period : 24 + period) + 6);
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
