/**
 * The function's own snapshots as it sees them: which snapshots it made (its name pattern AND its
 * owner tag: a snapshot someone named like ours by hand is never touched), their state, and the
 * source snapshot a copy was made from (the ledger key).
 */
import { nameTime, type NameRole } from "./names";
import type { RdsSnapshot } from "./rds-api";

/** Tag put on every copy; lets a person (and this function, as a fallback) find the source snapshot. */
export const SOURCE_SNAPSHOT_TAG = "replica:source-snapshot";
/** Tag whose value (the function's name) marks the snapshots this function made: only those are counted, expired or copied. */
export const OWNER_TAG = "replica:created-by";

/** What a snapshot's RDS status means here; `deleting` snapshots are on their way out and not recorded again. */
export type CopyState = "copied" | "failed" | "started" | "deleting";

export function copyState(status: string): CopyState {
  const s = status.toLowerCase();
  if (s === "available") return "copied";
  if (s === "failed" || s.startsWith("incompatible")) return "failed";
  if (s === "deleting") return "deleting";
  return "started";
}

/** One snapshot this function made (a copy, or a manual snapshot in the source region). */
export interface OwnSnapshot {
  readonly identifier: string;
  readonly arn?: string;
  readonly status: string;
  readonly state: CopyState;
  /** `SnapshotCreateTime`; while RDS does not report one yet, the time in the name. */
  readonly createdAt: Date;
  /** The source snapshot identifier (see `sourceSnapshotId`); for a manual snapshot, its own identifier. */
  readonly sourceSnapshotId: string;
  /** The key that encrypts it, when RDS reports one. */
  readonly kmsKeyId?: string;
}

/** The snapshot as one of ours, or `undefined` when it is not named like ours or lacks our owner tag. */
export function ownSnapshot(sourceIdentifier: string, role: NameRole, owner: string, snapshot: RdsSnapshot): OwnSnapshot | undefined {
  const encoded = nameTime(sourceIdentifier, role, snapshot.identifier);
  if (encoded === undefined || snapshot.tags[OWNER_TAG] !== owner) return undefined;
  return {
    identifier: snapshot.identifier,
    arn: snapshot.arn,
    status: snapshot.status,
    state: copyState(snapshot.status),
    createdAt: snapshot.createdAt ?? encoded,
    sourceSnapshotId: role === "snap" ? snapshot.identifier : sourceSnapshotId(snapshot),
    ...(snapshot.kmsKeyId === undefined ? {} : { kmsKeyId: snapshot.kmsKeyId }),
  };
}

/**
 * The identifier of the snapshot a copy was made from: the resource part of its source ARN (an
 * automated snapshot's keeps its `rds:` prefix, `rds:orders-2024-05-01-03-10`), which is also what
 * the copy step knows and what the `replica:source-snapshot` tag holds, so every step keys the same
 * ledger item. Without the ARN, the tag; without both, the copy's own identifier.
 */
export function sourceSnapshotId(snapshot: RdsSnapshot): string {
  const arn = snapshot.copiedFromArn;
  const match = arn === undefined ? null : /:(?:cluster-snapshot|snapshot):(.+)$/.exec(arn);
  if (match !== null) return match[1]!;
  const tagged = snapshot.tags[SOURCE_SNAPSHOT_TAG];
  return tagged !== undefined && tagged !== "" ? tagged : snapshot.identifier;
}

/** A source snapshot that can be copied. */
export interface SourceSnapshot {
  readonly identifier: string;
  readonly arn: string;
  readonly createdAt: Date;
}

/** The newest available snapshot; snapshots lacking an ARN or a creation time cannot be copied and are ignored. */
export function newestAvailable(snapshots: readonly RdsSnapshot[]): SourceSnapshot | undefined {
  let newest: SourceSnapshot | undefined;
  for (const s of snapshots) {
    if (s.status !== "available" || s.arn === undefined || s.createdAt === undefined) continue;
    if (newest === undefined || s.createdAt.getTime() > newest.createdAt.getTime()) newest = { identifier: s.identifier, arn: s.arn, createdAt: s.createdAt };
  }
  return newest;
}

/** The newest of our snapshots that RDS reports available: expiry never deletes it. */
export function newestCopied(snapshots: readonly OwnSnapshot[]): OwnSnapshot | undefined {
  let newest: OwnSnapshot | undefined;
  for (const s of snapshots) {
    if (s.state === "copied" && (newest === undefined || s.createdAt.getTime() > newest.createdAt.getTime())) newest = s;
  }
  return newest;
}

/** The ARN a copy named `identifier` gets in `region`, in the source snapshot's partition and account. */
export function copyArn(sourceArn: string, region: string, resource: string, identifier: string): string {
  const [, partition, , , account] = sourceArn.split(":");
  return `arn:${partition ?? "aws"}:rds:${region}:${account ?? ""}:${resource}:${identifier}`;
}
