/**
 * The RDS calls the function makes, for both kinds of source: Aurora DB clusters (DB cluster
 * snapshots) and plain DB instances (DB snapshots). Each kind has its own commands, fields, faults
 * and ARN resource type; the rest of the function sees one normalized `RdsSnapshot`.
 */
import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  type DBClusterSnapshot,
  type DBSnapshot,
  type RDSClient,
  type Tag,
} from "@aws-sdk/client-rds";

export type SourceKind = "cluster" | "instance";
export type SnapshotType = "automated" | "manual";

/** One snapshot of either kind, with what the function needs. */
export interface RdsSnapshot {
  readonly identifier: string;
  readonly arn?: string;
  /** The DB cluster or DB instance the snapshot is of (copies keep their source's). */
  readonly sourceIdentifier?: string;
  /** RDS's status text: `creating`, `copying`, `pending`, `available`, `failed`, `deleting`, ... */
  readonly status: string;
  readonly createdAt?: Date;
  /** For a copy: the ARN of the snapshot it was copied from, when RDS reports it. */
  readonly copiedFromArn?: string;
  /** The KMS key that encrypts the snapshot, as RDS reports it (a key ARN). */
  readonly kmsKeyId?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface CopyRequest {
  readonly sourceArn: string;
  readonly targetIdentifier: string;
  readonly kmsKeyId: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface SnapshotApi {
  readonly kind: SourceKind;
  /** The ARN resource type of this kind's snapshots: `cluster-snapshot` or `snapshot`. */
  readonly arnResource: "cluster-snapshot" | "snapshot";
  /** Every snapshot of `sourceIdentifier` of that type in the client's region, through all pages. */
  list(client: RDSClient, sourceIdentifier: string, type: SnapshotType): Promise<RdsSnapshot[]>;
  /** Starts a copy in the client's region; resolves to what RDS reported, `undefined` if it already exists. */
  copy(client: RDSClient, request: CopyRequest): Promise<RdsSnapshot | undefined>;
  /** Starts a manual snapshot; resolves to what RDS reported, `undefined` if one of that name already exists. */
  create(client: RDSClient, sourceIdentifier: string, identifier: string, tags: Readonly<Record<string, string>>): Promise<RdsSnapshot | undefined>;
  /** Deletes a snapshot; one already gone is not an error. */
  remove(client: RDSClient, identifier: string): Promise<void>;
  /** Lets `accountId` copy (restore) the manual snapshot; sharing it again is harmless. */
  share(client: RDSClient, identifier: string, accountId: string): Promise<void>;
}

/** True for an SDK service exception of that name (checked by name: bundles may hold two copies of the error classes). */
export function isAwsError(err: unknown, name: string): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === name;
}

const toTags = (tags: Readonly<Record<string, string>>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const fromTags = (list: readonly Tag[] | undefined): Record<string, string> =>
  Object.fromEntries((list ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ""]));

/** Returns `undefined` instead of throwing when the call fails with `fault`. */
async function unless<T>(fault: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (isAwsError(err, fault)) return undefined;
    throw err;
  }
}

/** Follows `Marker` through every page: an empty or absent marker ends the listing. */
async function allPages<T>(page: (marker: string | undefined) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const next = await page(marker);
    all.push(...next.items);
    marker = next.marker === "" ? undefined : next.marker;
  } while (marker !== undefined);
  return all;
}

function fromCluster(s: DBClusterSnapshot): RdsSnapshot | undefined {
  if (s.DBClusterSnapshotIdentifier === undefined) return undefined;
  return {
    identifier: s.DBClusterSnapshotIdentifier,
    arn: s.DBClusterSnapshotArn,
    sourceIdentifier: s.DBClusterIdentifier,
    status: s.Status ?? "unknown",
    createdAt: s.SnapshotCreateTime,
    copiedFromArn: s.SourceDBClusterSnapshotArn,
    kmsKeyId: s.KmsKeyId,
    tags: fromTags(s.TagList),
  };
}

function fromInstance(s: DBSnapshot): RdsSnapshot | undefined {
  if (s.DBSnapshotIdentifier === undefined) return undefined;
  return {
    identifier: s.DBSnapshotIdentifier,
    arn: s.DBSnapshotArn,
    sourceIdentifier: s.DBInstanceIdentifier,
    status: s.Status ?? "unknown",
    createdAt: s.SnapshotCreateTime,
    // RDS fills SourceDBSnapshotIdentifier with the source ARN for cross-region and cross-account copies.
    copiedFromArn: s.SourceDBSnapshotIdentifier,
    kmsKeyId: s.KmsKeyId,
    tags: fromTags(s.TagList),
  };
}

const defined = <T>(items: readonly (T | undefined)[]): T[] => items.filter((i): i is T => i !== undefined);

// No `SourceRegion` on either copy: SDK v3 has no such input member. @aws-sdk/middleware-sdk-rds sees
// that the region of the source ARN differs from the client's and adds the PreSignedUrl itself.
export const clusterApi: SnapshotApi = {
  kind: "cluster",
  arnResource: "cluster-snapshot",
  list: (client, id, type) =>
    allPages(async (Marker) => {
      const page = await client.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: id, SnapshotType: type, ...(Marker === undefined ? {} : { Marker }) }));
      return { items: defined((page.DBClusterSnapshots ?? []).map(fromCluster)), marker: page.Marker };
    }),
  copy: (client, r) =>
    unless("DBClusterSnapshotAlreadyExistsFault", async () => {
      const out = await client.send(
        new CopyDBClusterSnapshotCommand({ SourceDBClusterSnapshotIdentifier: r.sourceArn, TargetDBClusterSnapshotIdentifier: r.targetIdentifier, KmsKeyId: r.kmsKeyId, CopyTags: true, Tags: toTags(r.tags) }),
      );
      return out.DBClusterSnapshot === undefined ? { identifier: r.targetIdentifier, status: "copying", tags: r.tags } : fromCluster(out.DBClusterSnapshot);
    }),
  create: (client, id, identifier, tags) =>
    unless("DBClusterSnapshotAlreadyExistsFault", async () => {
      const out = await client.send(new CreateDBClusterSnapshotCommand({ DBClusterIdentifier: id, DBClusterSnapshotIdentifier: identifier, Tags: toTags(tags) }));
      return out.DBClusterSnapshot === undefined ? { identifier, status: "creating", tags } : fromCluster(out.DBClusterSnapshot);
    }),
  remove: async (client, identifier) => {
    await unless("DBClusterSnapshotNotFoundFault", () => client.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: identifier })));
  },
  share: async (client, identifier, accountId) => {
    await client.send(new ModifyDBClusterSnapshotAttributeCommand({ DBClusterSnapshotIdentifier: identifier, AttributeName: "restore", ValuesToAdd: [accountId] }));
  },
};

export const instanceApi: SnapshotApi = {
  kind: "instance",
  arnResource: "snapshot",
  list: (client, id, type) =>
    allPages(async (Marker) => {
      const page = await client.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: id, SnapshotType: type, ...(Marker === undefined ? {} : { Marker }) }));
      return { items: defined((page.DBSnapshots ?? []).map(fromInstance)), marker: page.Marker };
    }),
  copy: (client, r) =>
    unless("DBSnapshotAlreadyExistsFault", async () => {
      const out = await client.send(
        new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: r.sourceArn, TargetDBSnapshotIdentifier: r.targetIdentifier, KmsKeyId: r.kmsKeyId, CopyTags: true, Tags: toTags(r.tags) }),
      );
      return out.DBSnapshot === undefined ? { identifier: r.targetIdentifier, status: "pending", tags: r.tags } : fromInstance(out.DBSnapshot);
    }),
  create: (client, id, identifier, tags) =>
    unless("DBSnapshotAlreadyExistsFault", async () => {
      const out = await client.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: id, DBSnapshotIdentifier: identifier, Tags: toTags(tags) }));
      return out.DBSnapshot === undefined ? { identifier, status: "creating", tags } : fromInstance(out.DBSnapshot);
    }),
  remove: async (client, identifier) => {
    await unless("DBSnapshotNotFoundFault", () => client.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: identifier })));
  },
  share: async (client, identifier, accountId) => {
    await client.send(new ModifyDBSnapshotAttributeCommand({ DBSnapshotIdentifier: identifier, AttributeName: "restore", ValuesToAdd: [accountId] }));
  },
};

export function apiFor(kind: SourceKind): SnapshotApi {
  return kind === "cluster" ? clusterApi : instanceApi;
}
