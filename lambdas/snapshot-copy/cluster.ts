/**
 * One cluster's run: start the copy of its newest automated snapshot (full run), record every copy
 * in the DR region in the ledger, expire old copies (full run), publish the cluster's metrics.
 *
 * Ledger items are built only from what RDS reports about a copy (never from the time of the run),
 * so an unchanged copy yields a byte-identical item: DynamoDB then emits no stream record and the
 * stream processor announces nothing twice. Each copy keeps one item (keyed by its source snapshot)
 * whose status moves `started` → `copied` or `failed` → `deleted`.
 *
 * An AWS call that throws is recorded in the summary's `errors` and the run goes on: one broken
 * cluster or copy must not stop the others. A copy that RDS reports as failed is not an error of
 * the run; it is recorded and counted.
 */
import { CopyDBClusterSnapshotCommand, DeleteDBClusterSnapshotCommand, type DBClusterSnapshot, type RDSClient } from "@aws-sdk/client-rds";
import type { Clock } from "../shared/clock";
import { ledgerItems, type LedgerWriter, type SnapshotStatus } from "../shared/ledger";
import { errorFields, type Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";
import type { CopiedCluster, SnapshotCopyConfig } from "./config";
import {
  copyArn,
  copyIdentifier,
  describeAllSnapshots,
  findSnapshot,
  isAwsError,
  newestAvailableSource,
  SOURCE_SNAPSHOT_TAG,
  toCopy,
  type SnapshotCopy,
} from "./snapshots";

export type RunAction = "copy" | "check";

export interface ClusterDeps {
  readonly config: SnapshotCopyConfig;
  /** RDS in SOURCE_REGION, where the clusters and their automated snapshots are. */
  readonly source: RDSClient;
  /** RDS in TARGET_REGION: copies are requested, listed and deleted there. */
  readonly target: RDSClient;
  readonly ledger: LedgerWriter;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
}

export interface DatabaseSummary {
  readonly database: string;
  readonly clusterIdentifier: string;
  /** Copies this run started (a copy another run started first counts too). */
  readonly started: number;
  /** Copies in the DR region that are available, after expiry. */
  readonly copied: number;
  /** Copies still being created. */
  readonly inProgress: number;
  /** Copies RDS reports as failed (or incompatible), after expiry. */
  readonly failed: number;
  /** Copies this run deleted. */
  readonly deleted: number;
  /** AWS calls that threw, as `<step>: <error name>: <message>`; empty when the cluster went through. */
  readonly errors: readonly string[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export async function processCluster(cluster: CopiedCluster, action: RunAction, deps: ClusterDeps): Promise<DatabaseSummary> {
  const log = deps.log.child({ database: cluster.name, clusterIdentifier: cluster.clusterIdentifier });
  const run = { ...deps, log, cluster, record: recorder(cluster, deps) };
  const errors: string[] = [];
  const fail = (step: string, err: unknown): void => {
    const { errorName, errorMessage } = errorFields(err);
    errors.push(`${step}: ${errorName}: ${errorMessage}`);
    log.error(`snapshot copy step "${step}" failed`, { step, errorName, errorMessage });
  };

  let started = 0;
  if (action === "copy") {
    try {
      started = (await startCopy(run)) ? 1 : 0;
    } catch (err) {
      fail("copy", err);
    }
  }

  let copies: SnapshotCopy[];
  try {
    copies = await recordProgress(run);
  } catch (err) {
    // Without the list of copies there is nothing to expire or measure; the missing age metric alarms.
    fail("progress", err);
    return { database: cluster.name, clusterIdentifier: cluster.clusterIdentifier, started, copied: 0, inProgress: 0, failed: 0, deleted: 0, errors };
  }

  const newest = newestAvailableCopy(copies);
  const deleted = action === "copy" ? await expireCopies(copies, newest, run, fail) : new Set<string>();
  const remaining = copies.filter((copy) => !deleted.has(copy.identifier) && copy.state !== "deleting");
  const failed = remaining.filter((copy) => copy.state === "failed").length;

  const dimensions = { Database: cluster.name };
  if (newest !== undefined) {
    const ageHours = Math.round(((deps.clock.now() - newest.createdAt.getTime()) / HOUR_MS) * 100) / 100;
    deps.metrics.put("SnapshotCopyAgeHours", ageHours, "None", dimensions);
  }
  deps.metrics.put("SnapshotCopiesFailed", failed, "Count", dimensions);

  return {
    database: cluster.name,
    clusterIdentifier: cluster.clusterIdentifier,
    started,
    copied: remaining.filter((copy) => copy.state === "copied").length,
    inProgress: remaining.filter((copy) => copy.state === "started").length,
    failed,
    deleted: deleted.size,
    errors,
  };
}

interface ClusterRun extends ClusterDeps {
  readonly cluster: CopiedCluster;
  readonly record: (copy: SnapshotCopy, status: SnapshotStatus) => Promise<void>;
}

/**
 * Starts the copy of the newest available automated snapshot unless that copy exists. True when a
 * copy was started, by this run or (DBClusterSnapshotAlreadyExistsFault) by a concurrent one.
 */
async function startCopy(run: ClusterRun): Promise<boolean> {
  const { cluster, config, log } = run;
  const automated = await describeAllSnapshots(run.source, { DBClusterIdentifier: cluster.clusterIdentifier, SnapshotType: "automated" });
  const source = newestAvailableSource(automated);
  if (source === undefined) {
    log.warn("no available automated snapshot; nothing to copy for this cluster", { automatedSnapshots: automated.length });
    return false;
  }
  const targetIdentifier = copyIdentifier(cluster.clusterIdentifier, source.createdAt);
  const existing = await findSnapshot(run.target, targetIdentifier);
  if (existing !== undefined) {
    log.info("newest snapshot already copied or being copied", { sourceSnapshot: source.identifier, copy: targetIdentifier, status: existing.Status });
    return false;
  }
  let reported: DBClusterSnapshot | undefined;
  try {
    const response = await run.target.send(
      // No `SourceRegion`: SDK v3's CopyDBClusterSnapshot input has no such member (it is a
      // client-side option of SDK v2, boto3 and the CLI) and would be dropped by the serializer.
      // The region comes from the ARN instead: @aws-sdk/middleware-sdk-rds
      // (crossRegionPresignedUrlMiddleware, on this command) sees that the region of
      // SourceDBClusterSnapshotIdentifier differs from this client's and adds a PreSignedUrl signed
      // for that region, with DestinationRegion and KmsKeyId. RDS needs that URL only in GovCloud.
      new CopyDBClusterSnapshotCommand({
        SourceDBClusterSnapshotIdentifier: source.arn,
        TargetDBClusterSnapshotIdentifier: targetIdentifier,
        KmsKeyId: config.targetKmsKeyId,
        CopyTags: true,
        Tags: [{ Key: SOURCE_SNAPSHOT_TAG, Value: source.identifier }],
      }),
    );
    reported = response.DBClusterSnapshot;
  } catch (err) {
    if (isAwsError(err, "DBClusterSnapshotAlreadyExistsFault")) {
      // That run recorded it; the progress step records it again from what RDS reports.
      log.info("a concurrent run started this copy first", { sourceSnapshot: source.identifier, copy: targetIdentifier });
      return true;
    }
    throw err;
  }
  // What RDS reported, completed with what the progress step will read from DescribeDBClusterSnapshots,
  // so that both steps write the same item.
  const copy = toCopy(cluster.clusterIdentifier, {
    ...reported,
    DBClusterSnapshotIdentifier: targetIdentifier,
    DBClusterSnapshotArn: reported?.DBClusterSnapshotArn ?? copyArn(source.arn, config.targetRegion, targetIdentifier),
    SourceDBClusterSnapshotArn: reported?.SourceDBClusterSnapshotArn ?? source.arn,
    Status: reported?.Status ?? "copying",
  });
  if (copy !== undefined) await run.record(copy, "started");
  log.info("copy started", { sourceSnapshot: source.identifier, sourceCreatedAt: source.createdAt.toISOString(), copy: targetIdentifier, targetRegion: config.targetRegion });
  return true;
}

/** Lists this cluster's copies in the DR region and writes one ledger item per copy. */
async function recordProgress(run: ClusterRun): Promise<SnapshotCopy[]> {
  const { cluster } = run;
  const manual = await describeAllSnapshots(run.target, { DBClusterIdentifier: cluster.clusterIdentifier, SnapshotType: "manual" });
  const copies = manual.map((snapshot) => toCopy(cluster.clusterIdentifier, snapshot)).filter((copy): copy is SnapshotCopy => copy !== undefined);
  for (const copy of copies) {
    if (copy.state !== "deleting") await run.record(copy, copy.state);
  }
  run.log.info("copies recorded", { copies: copies.map(({ identifier, status }) => ({ identifier, status })) });
  return copies;
}

/**
 * Deletes available or failed copies created before the retention cutoff. Never touches `keep`
 * (the newest available copy: if the source stops producing snapshots, the last good copy must
 * survive) nor a copy that is still being created or already being deleted.
 */
async function expireCopies(copies: readonly SnapshotCopy[], keep: SnapshotCopy | undefined, run: ClusterRun, fail: (step: string, err: unknown) => void): Promise<Set<string>> {
  const cutoff = run.clock.now() - run.config.retentionDays * DAY_MS;
  const deleted = new Set<string>();
  for (const copy of copies) {
    if (copy === keep || (copy.state !== "copied" && copy.state !== "failed") || copy.createdAt.getTime() >= cutoff) continue;
    try {
      await deleteCopy(run.target, copy.identifier);
      await run.record(copy, "deleted");
      deleted.add(copy.identifier);
      run.log.info("expired copy deleted", { copy: copy.identifier, status: copy.status, createdAt: copy.createdAt.toISOString(), retentionDays: run.config.retentionDays });
    } catch (err) {
      fail(`expire ${copy.identifier}`, err);
    }
  }
  return deleted;
}

async function deleteCopy(target: RDSClient, identifier: string): Promise<void> {
  try {
    await target.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: identifier }));
  } catch (err) {
    // Gone between the listing and now (deleted by hand): the outcome this step wanted.
    if (!isAwsError(err, "DBClusterSnapshotNotFoundFault")) throw err;
  }
}

function newestAvailableCopy(copies: readonly SnapshotCopy[]): SnapshotCopy | undefined {
  let newest: SnapshotCopy | undefined;
  for (const copy of copies) {
    if (copy.state === "copied" && (newest === undefined || copy.createdAt.getTime() > newest.createdAt.getTime())) newest = copy;
  }
  return newest;
}

/** Writes a copy's ledger item, skipping an item identical to one this run already wrote. */
function recorder(cluster: CopiedCluster, deps: ClusterDeps): (copy: SnapshotCopy, status: SnapshotStatus) => Promise<void> {
  const written = new Set<string>();
  const { config } = deps;
  return async (copy, status) => {
    const item = ledgerItems.snapshot({
      environment: config.environment,
      database: cluster.name,
      snapshotId: copy.sourceSnapshotId,
      sourceRegion: config.sourceRegion,
      targetRegion: config.targetRegion,
      targetSnapshotArn: copy.arn,
      status,
      error: status === "failed" ? copy.status : undefined,
      occurredAt: copy.createdAt.toISOString(),
      originRegion: config.sourceRegion,
    });
    const serialized = JSON.stringify(item);
    if (written.has(serialized)) return;
    await deps.ledger.put(item);
    written.add(serialized);
  };
}
