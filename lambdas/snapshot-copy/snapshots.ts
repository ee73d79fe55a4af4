/**
 * Aurora cluster snapshots as the copy function sees them: paginated listing, the copies' naming
 * scheme, and a normalized view of one copy in the DR region.
 *
 * A copy is named after its SOURCE snapshot's creation time (`<cluster>-copy-<YYYYMMDD>-<HHmm>`,
 * UTC), never after the time of the run, so every run that looks at the same source snapshot asks
 * for the same copy and RDS itself refuses a second one.
 */
import { DescribeDBClusterSnapshotsCommand, type DBClusterSnapshot, type DescribeDBClusterSnapshotsCommandInput, type RDSClient } from "@aws-sdk/client-rds";

/** RDS's limit for a DB cluster snapshot identifier. */
export const MAX_SNAPSHOT_IDENTIFIER_LENGTH = 63;
const COPY_INFIX = "-copy-";
/** Characters `copyIdentifier` appends to the cluster identifier (`-copy-YYYYMMDD-HHmm`). */
export const COPY_SUFFIX_LENGTH = COPY_INFIX.length + "YYYYMMDD-HHmm".length;
/** Tag put on every copy; lets a person (and this function, as a fallback) find the source snapshot. */
export const SOURCE_SNAPSHOT_TAG = "replica:source-snapshot";

/** The identifier of the copy of a snapshot created at `sourceCreateTime`: `<cluster>-copy-<YYYYMMDD>-<HHmm>` in UTC. */
export function copyIdentifier(clusterIdentifier: string, sourceCreateTime: Date): string {
  const iso = sourceCreateTime.toISOString();
  return `${clusterIdentifier}${COPY_INFIX}${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}`;
}

/**
 * The source time (to the minute) encoded in a copy identifier of `clusterIdentifier`, or
 * `undefined` when `identifier` is not exactly such a copy: manual snapshots with other names, or
 * `<cluster>-copy-<anything else>`, are never treated as copies (so never deleted).
 */
export function copyTime(clusterIdentifier: string, identifier: string): Date | undefined {
  const prefix = `${clusterIdentifier}${COPY_INFIX}`;
  if (!identifier.startsWith(prefix)) return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})$/.exec(identifier.slice(prefix.length));
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute));
  // Date.UTC rolls 20241340 over into 2025; only a round trip proves the digits were a real time.
  return copyIdentifier(clusterIdentifier, time) === identifier ? time : undefined;
}

/** Every snapshot matching `filter`, following `Marker` through all pages. */
export async function describeAllSnapshots(client: RDSClient, filter: Omit<DescribeDBClusterSnapshotsCommandInput, "Marker">): Promise<DBClusterSnapshot[]> {
  const snapshots: DBClusterSnapshot[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(new DescribeDBClusterSnapshotsCommand(marker === undefined ? filter : { ...filter, Marker: marker }));
    snapshots.push(...(page.DBClusterSnapshots ?? []));
    marker = page.Marker === "" ? undefined : page.Marker;
  } while (marker !== undefined);
  return snapshots;
}

/** The snapshot named `identifier` in the client's region, or `undefined` if there is none. */
export async function findSnapshot(client: RDSClient, identifier: string): Promise<DBClusterSnapshot | undefined> {
  try {
    const response = await client.send(new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }));
    return response.DBClusterSnapshots?.[0];
  } catch (err) {
    if (isAwsError(err, "DBClusterSnapshotNotFoundFault")) return undefined;
    throw err;
  }
}

/** A source snapshot that can be copied. */
export interface SourceSnapshot {
  readonly identifier: string;
  readonly arn: string;
  readonly createdAt: Date;
}

/** The newest snapshot whose status is `available`; snapshots lacking an ARN or a creation time cannot be copied and are ignored. */
export function newestAvailableSource(snapshots: readonly DBClusterSnapshot[]): SourceSnapshot | undefined {
  let newest: SourceSnapshot | undefined;
  for (const s of snapshots) {
    if (s.Status !== "available" || s.DBClusterSnapshotIdentifier === undefined || s.DBClusterSnapshotArn === undefined || s.SnapshotCreateTime === undefined) continue;
    if (newest === undefined || s.SnapshotCreateTime.getTime() > newest.createdAt.getTime()) {
      newest = { identifier: s.DBClusterSnapshotIdentifier, arn: s.DBClusterSnapshotArn, createdAt: s.SnapshotCreateTime };
    }
  }
  return newest;
}

/** What a copy's RDS status means for the ledger; `deleting` copies are on their way out and not recorded again. */
export type CopyState = "copied" | "failed" | "started" | "deleting";

export function copyState(status: string): CopyState {
  const s = status.toLowerCase();
  if (s === "available") return "copied";
  if (s === "failed" || s.startsWith("incompatible")) return "failed";
  if (s === "deleting") return "deleting";
  return "started";
}

/** One copy in the DR region, with everything a ledger item needs. */
export interface SnapshotCopy {
  readonly identifier: string;
  readonly arn?: string;
  /** RDS's status text, e.g. `copying`, `available`, `failed`, `incompatible-restore`. */
  readonly status: string;
  readonly state: CopyState;
  /** The copy's `SnapshotCreateTime`; while RDS does not report one yet, the source time in its identifier. */
  readonly createdAt: Date;
  /** The source snapshot identifier (see `sourceSnapshotId`). */
  readonly sourceSnapshotId: string;
}

/** The normalized copy, or `undefined` when `snapshot` is not a copy of `clusterIdentifier` made by this function. */
export function toCopy(clusterIdentifier: string, snapshot: DBClusterSnapshot): SnapshotCopy | undefined {
  const identifier = snapshot.DBClusterSnapshotIdentifier;
  const encoded = identifier === undefined ? undefined : copyTime(clusterIdentifier, identifier);
  if (identifier === undefined || encoded === undefined) return undefined;
  const status = snapshot.Status ?? "unknown";
  return {
    identifier,
    arn: snapshot.DBClusterSnapshotArn,
    status,
    state: copyState(status),
    createdAt: snapshot.SnapshotCreateTime ?? encoded,
    sourceSnapshotId: sourceSnapshotId(snapshot, identifier),
  };
}

const SNAPSHOT_RESOURCE = ":cluster-snapshot:";

/**
 * The identifier of the snapshot a copy was made from: everything after `:cluster-snapshot:` in
 * its `SourceDBClusterSnapshotArn`. That is the source's full identifier, `rds:` prefix of an
 * automated snapshot included (`rds:orders-2024-05-01-03-10`), which is also what the copy step
 * knows and what the `replica:source-snapshot` tag holds, so every step keys the same ledger item.
 * Without the ARN, the tag; without both (a copy someone made by hand under our name), the copy's
 * own identifier.
 */
export function sourceSnapshotId(snapshot: DBClusterSnapshot, ownIdentifier: string): string {
  const arn = snapshot.SourceDBClusterSnapshotArn;
  const at = arn?.indexOf(SNAPSHOT_RESOURCE) ?? -1;
  if (arn !== undefined && at >= 0 && at + SNAPSHOT_RESOURCE.length < arn.length) return arn.slice(at + SNAPSHOT_RESOURCE.length);
  const tagged = snapshot.TagList?.find((tag) => tag.Key === SOURCE_SNAPSHOT_TAG)?.Value;
  return tagged !== undefined && tagged !== "" ? tagged : ownIdentifier;
}

/** The ARN a copy named `identifier` gets in `region`, in the source snapshot's partition and account. */
export function copyArn(sourceArn: string, region: string, identifier: string): string {
  const [, partition, , , account] = sourceArn.split(":");
  return `arn:${partition ?? "aws"}:rds:${region}:${account ?? ""}:cluster-snapshot:${identifier}`;
}

/** True for an SDK service exception of that name (checked by name: bundles may hold two copies of the error classes). */
export function isAwsError(err: unknown, name: string): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === name;
}
