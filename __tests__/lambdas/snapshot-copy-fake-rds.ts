/**
 * A fake of one RDS region for the snapshot-copy tests, mocked at the client (aws-sdk-client-mock):
 * DB cluster snapshots and DB snapshots, listed the way RDS filters them (by DB identifier and
 * snapshot type, two per page so every listing crosses a page), copied (status `copying`/`pending`,
 * created "now"), created (`creating`) and deleted (`deleting`), with RDS's faults for a name that
 * exists or a snapshot that does not.
 */
import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DBSnapshotAlreadyExistsFault,
  DBSnapshotNotFoundFault,
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
import type { AwsStub } from "aws-sdk-client-mock";

export const ACCOUNT = "111111111111";
export const PAGE = 2;

type RdsMock = AwsStub<any, any, any>;

export interface FakeRegion {
  readonly clusters: DBClusterSnapshot[];
  readonly instances: DBSnapshot[];
  /** Accounts each snapshot is shared with (its `restore` attribute). */
  readonly shared: Record<string, string[]>;
}

function page<T>(items: T[], marker: string | undefined): { items: T[]; marker?: string } {
  const start = Number(marker ?? "0");
  const end = start + PAGE;
  return { items: items.slice(start, end), marker: end < items.length ? String(end) : undefined };
}

/** Serves every snapshot command the function uses from `state`, like RDS in `region` at time `now()`. */
export function fakeRegion(mock: RdsMock, region: string, now: () => number, state: Partial<FakeRegion> = {}, account = ACCOUNT): FakeRegion {
  const s: FakeRegion = { clusters: state.clusters ?? [], instances: state.instances ?? [], shared: {} };
  const arn = (resource: string, id: string) => `arn:aws:rds:${region}:${account}:${resource}:${id}`;
  const typed = (type: string | undefined, actual: string | undefined) => type === undefined || type === actual;

  mock.on(DescribeDBClusterSnapshotsCommand).callsFake((input) => {
    const found = s.clusters.filter((c) => c.DBClusterIdentifier === input.DBClusterIdentifier && typed(input.SnapshotType, c.SnapshotType));
    const { items, marker } = page(found, input.Marker);
    return { DBClusterSnapshots: items, Marker: marker };
  });
  mock.on(DescribeDBSnapshotsCommand).callsFake((input) => {
    const found = s.instances.filter((c) => c.DBInstanceIdentifier === input.DBInstanceIdentifier && typed(input.SnapshotType, c.SnapshotType));
    const { items, marker } = page(found, input.Marker);
    return { DBSnapshots: items, Marker: marker };
  });
  mock.on(CopyDBClusterSnapshotCommand).callsFake((input) => {
    const id = input.TargetDBClusterSnapshotIdentifier!;
    if (s.clusters.some((c) => c.DBClusterSnapshotIdentifier === id)) throw new DBClusterSnapshotAlreadyExistsFault({ message: `${id} already exists`, $metadata: {} });
    const source = input.SourceDBClusterSnapshotIdentifier!;
    const created: DBClusterSnapshot = {
      DBClusterSnapshotIdentifier: id,
      DBClusterSnapshotArn: arn("cluster-snapshot", id),
      DBClusterIdentifier: id.slice(0, id.lastIndexOf("-copy-")),
      SnapshotType: "manual",
      Status: "copying",
      SnapshotCreateTime: new Date(now()),
      SourceDBClusterSnapshotArn: source,
      TagList: input.Tags as Tag[],
    };
    s.clusters.push(created);
    return { DBClusterSnapshot: created };
  });
  mock.on(CopyDBSnapshotCommand).callsFake((input) => {
    const id = input.TargetDBSnapshotIdentifier!;
    if (s.instances.some((c) => c.DBSnapshotIdentifier === id)) throw new DBSnapshotAlreadyExistsFault({ message: `${id} already exists`, $metadata: {} });
    const created: DBSnapshot = {
      DBSnapshotIdentifier: id,
      DBSnapshotArn: arn("snapshot", id),
      DBInstanceIdentifier: instanceOf(input.SourceDBSnapshotIdentifier!),
      SnapshotType: "manual",
      Status: "pending",
      SnapshotCreateTime: new Date(now()),
      SourceDBSnapshotIdentifier: input.SourceDBSnapshotIdentifier,
      TagList: input.Tags as Tag[],
    };
    s.instances.push(created);
    return { DBSnapshot: created };
  });
  mock.on(CreateDBSnapshotCommand).callsFake((input) => {
    const id = input.DBSnapshotIdentifier!;
    if (s.instances.some((c) => c.DBSnapshotIdentifier === id)) throw new DBSnapshotAlreadyExistsFault({ message: `${id} already exists`, $metadata: {} });
    const created: DBSnapshot = { DBSnapshotIdentifier: id, DBSnapshotArn: arn("snapshot", id), DBInstanceIdentifier: input.DBInstanceIdentifier, SnapshotType: "manual", Status: "creating", TagList: input.Tags as Tag[] };
    s.instances.push(created);
    return { DBSnapshot: created };
  });
  mock.on(CreateDBClusterSnapshotCommand).callsFake((input) => {
    const id = input.DBClusterSnapshotIdentifier!;
    if (s.clusters.some((c) => c.DBClusterSnapshotIdentifier === id)) throw new DBClusterSnapshotAlreadyExistsFault({ message: `${id} already exists`, $metadata: {} });
    const created: DBClusterSnapshot = { DBClusterSnapshotIdentifier: id, DBClusterSnapshotArn: arn("cluster-snapshot", id), DBClusterIdentifier: input.DBClusterIdentifier, SnapshotType: "manual", Status: "creating", TagList: input.Tags as Tag[] };
    s.clusters.push(created);
    return { DBClusterSnapshot: created };
  });
  mock.on(DeleteDBClusterSnapshotCommand).callsFake((input) => {
    const found = s.clusters.find((c) => c.DBClusterSnapshotIdentifier === input.DBClusterSnapshotIdentifier);
    if (found === undefined) throw new DBClusterSnapshotNotFoundFault({ message: "not found", $metadata: {} });
    found.Status = "deleting";
    return { DBClusterSnapshot: found };
  });
  mock.on(DeleteDBSnapshotCommand).callsFake((input) => {
    const found = s.instances.find((c) => c.DBSnapshotIdentifier === input.DBSnapshotIdentifier);
    if (found === undefined) throw new DBSnapshotNotFoundFault({ message: "not found", $metadata: {} });
    found.Status = "deleting";
    return { DBSnapshot: found };
  });
  const share = (id: string | undefined, exists: boolean, attribute: string | undefined, accounts: string[] | undefined, notFound: () => Error) => {
    if (!exists) throw notFound();
    if (attribute !== "restore") throw new Error(`unexpected attribute ${attribute}`);
    s.shared[id!] = [...new Set([...(s.shared[id!] ?? []), ...(accounts ?? [])])];
  };
  mock.on(ModifyDBClusterSnapshotAttributeCommand).callsFake((input) => {
    const id = input.DBClusterSnapshotIdentifier;
    share(id, s.clusters.some((c) => c.DBClusterSnapshotIdentifier === id), input.AttributeName, input.ValuesToAdd, () => new DBClusterSnapshotNotFoundFault({ message: "not found", $metadata: {} }));
    return {};
  });
  mock.on(ModifyDBSnapshotAttributeCommand).callsFake((input) => {
    const id = input.DBSnapshotIdentifier;
    share(id, s.instances.some((c) => c.DBSnapshotIdentifier === id), input.AttributeName, input.ValuesToAdd, () => new DBSnapshotNotFoundFault({ message: "not found", $metadata: {} }));
    return {};
  });
  return s;
}

/** The DB instance a DB snapshot ARN belongs to, from the fixtures' naming (`rds:<instance>-<date>`, `<instance>-snap-...` or `<instance>-copy-...`). */
function instanceOf(snapshotArn: string): string {
  const id = snapshotArn.slice(snapshotArn.indexOf(":snapshot:") + ":snapshot:".length).replace(/^rds:/, "");
  const own = Math.max(id.lastIndexOf("-snap-"), id.lastIndexOf("-copy-"));
  return own >= 0 ? id.slice(0, own) : id.replace(/-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$/, "");
}

export type { RDSClient };
