import {
  CopyDBClusterSnapshotCommand,
  DBClusterSnapshotAlreadyExistsFault,
  DBClusterSnapshotNotFoundFault,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  RDSClient,
  SnapshotQuotaExceededFault,
  type CopyDBClusterSnapshotCommandInput,
  type DBClusterSnapshot,
  type DescribeDBClusterSnapshotsCommandInput,
} from "@aws-sdk/client-rds";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { MAX_CLUSTER_IDENTIFIER_LENGTH, readSnapshotCopyConfig, type SnapshotCopyConfig } from "../../lambdas/snapshot-copy/config";
import { handleSnapshotCopyEvent, SnapshotCopyRunError, type SnapshotCopyDeps } from "../../lambdas/snapshot-copy/handler-logic";
import { copyIdentifier } from "../../lambdas/snapshot-copy/snapshots";
import type { Clock } from "../../lambdas/shared/clock";
import { LedgerWriter, ledgerItems, type SnapshotStatus } from "../../lambdas/shared/ledger";
import { detailTypeFor } from "../../lambdas/stream-processor/announce";
import { capture, loadHandler } from "./helpers";

const ACCOUNT = "111111111111";
const SOURCE = "us-east-1";
const DR = "us-west-2";
const KMS = `arn:aws:kms:${DR}:${ACCOUNT}:key/0f7e1b2c-dr`;

const sourceRds = new RDSClient({ region: SOURCE });
const targetRds = new RDSClient({ region: DR });
const sourceMock = mockClient(sourceRds);
const targetMock = mockClient(targetRds);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: SOURCE }));
const docMock = mockClient(doc);

const config: SnapshotCopyConfig = {
  environment: "dev",
  sourceRegion: SOURCE,
  targetRegion: DR,
  targetKmsKeyId: KMS,
  clusters: [
    { name: "orders", clusterIdentifier: "orders-dev" },
    { name: "billing", clusterIdentifier: "billing-dev" },
  ],
  retentionDays: 7,
  ledgerTableName: "ledger-dev",
  metricsNamespace: "Test",
};
const onlyOrders = { clusters: [config.clusters[0]!] };

let captured: ReturnType<typeof capture>;
let now: number;
const clock: Clock = { now: () => now, sleep: async () => undefined };
const deps = (overrides: Partial<SnapshotCopyConfig> = {}): SnapshotCopyDeps => ({
  config: { ...config, ...overrides },
  source: sourceRds,
  target: targetRds,
  ledger: new LedgerWriter(doc, "ledger-dev"),
  log: captured.log,
  metrics: captured.metrics,
  clock,
});

const ledgerPuts = () => docMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, unknown>);
const copyInputs = () => targetMock.commandCalls(CopyDBClusterSnapshotCommand).map((c) => c.args[0].input);
const deleteInputs = () => targetMock.commandCalls(DeleteDBClusterSnapshotCommand).map((c) => c.args[0].input);
const describeInputs = (mock: typeof sourceMock) => mock.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input);
const logged = (message: string) => captured.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === message);

/** An automated snapshot in the source region, named the way RDS names them. */
function automated(cluster: string, iso: string, status = "available"): DBClusterSnapshot {
  const id = `rds:${cluster}-${iso.slice(0, 16).replace(/[T:]/g, "-")}`;
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: `arn:aws:rds:${SOURCE}:${ACCOUNT}:cluster-snapshot:${id}`,
    DBClusterIdentifier: cluster,
    SnapshotType: "automated",
    Status: status,
    SnapshotCreateTime: new Date(iso),
  };
}

/** A copy in the DR region of the automated snapshot taken at `sourceIso`, created at `createdIso`. */
function copy(cluster: string, sourceIso: string, status: string, createdIso = sourceIso): DBClusterSnapshot {
  const id = `${cluster}-copy-${sourceIso.slice(0, 10).replace(/-/g, "")}-${sourceIso.slice(11, 16).replace(":", "")}`;
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: `arn:aws:rds:${DR}:${ACCOUNT}:cluster-snapshot:${id}`,
    DBClusterIdentifier: cluster,
    SnapshotType: "manual",
    Status: status,
    SnapshotCreateTime: new Date(createdIso),
    SourceDBClusterSnapshotArn: automated(cluster, sourceIso).DBClusterSnapshotArn,
  };
}

const PAGE = 2;

/** Serves DescribeDBClusterSnapshots from `snapshots` the way RDS filters them, two per page. */
function serveSnapshots(mock: typeof sourceMock, snapshots: DBClusterSnapshot[]): void {
  mock.on(DescribeDBClusterSnapshotsCommand).callsFake((input: DescribeDBClusterSnapshotsCommandInput) => {
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      const found = snapshots.filter((s) => s.DBClusterSnapshotIdentifier === input.DBClusterSnapshotIdentifier);
      if (found.length === 0) throw new DBClusterSnapshotNotFoundFault({ message: `DBClusterSnapshot ${input.DBClusterSnapshotIdentifier} not found.`, $metadata: {} });
      return { DBClusterSnapshots: found };
    }
    const matching = snapshots.filter((s) => s.DBClusterIdentifier === input.DBClusterIdentifier && (input.SnapshotType === undefined || s.SnapshotType === input.SnapshotType));
    const start = Number(input.Marker ?? "0");
    const end = start + PAGE;
    return { DBClusterSnapshots: matching.slice(start, end), Marker: end < matching.length ? String(end) : undefined };
  });
}

/** The source region: its automated snapshots. */
function sourceRegion(snapshots: DBClusterSnapshot[]): void {
  serveSnapshots(sourceMock, snapshots);
}

/** The DR region: lists, copies (status `copying`, created "now") and deletes (status `deleting`) like RDS. */
function drRegion(snapshots: DBClusterSnapshot[]): DBClusterSnapshot[] {
  serveSnapshots(targetMock, snapshots);
  targetMock.on(CopyDBClusterSnapshotCommand).callsFake((input: CopyDBClusterSnapshotCommandInput) => {
    const id = input.TargetDBClusterSnapshotIdentifier!;
    if (snapshots.some((s) => s.DBClusterSnapshotIdentifier === id)) throw new DBClusterSnapshotAlreadyExistsFault({ message: `${id} already exists`, $metadata: {} });
    const created: DBClusterSnapshot = {
      DBClusterSnapshotIdentifier: id,
      DBClusterSnapshotArn: `arn:aws:rds:${DR}:${ACCOUNT}:cluster-snapshot:${id}`,
      DBClusterIdentifier: id.slice(0, id.indexOf("-copy-")),
      SnapshotType: "manual",
      Status: "copying",
      SnapshotCreateTime: new Date(now),
      SourceDBClusterSnapshotArn: input.SourceDBClusterSnapshotIdentifier,
      TagList: input.Tags,
    };
    snapshots.push(created);
    return { DBClusterSnapshot: created };
  });
  targetMock.on(DeleteDBClusterSnapshotCommand).callsFake((input: { DBClusterSnapshotIdentifier?: string }) => {
    const found = snapshots.find((s) => s.DBClusterSnapshotIdentifier === input.DBClusterSnapshotIdentifier);
    if (found === undefined) throw new DBClusterSnapshotNotFoundFault({ message: "not found", $metadata: {} });
    found.Status = "deleting";
    return { DBClusterSnapshot: found };
  });
  return snapshots;
}

beforeEach(() => {
  for (const m of [sourceMock, targetMock, docMock]) m.reset();
  docMock.on(PutCommand).resolves({});
  captured = capture();
  now = Date.parse("2024-05-10T06:00:00Z");
});

describe("snapshot copy: starting copies", () => {
  test("copies the newest available automated snapshot to the DR region under the DR key and records it as started", async () => {
    // GIVEN three automated snapshots (two pages), the newest still being created, and no copies yet
    sourceRegion([automated("orders-dev", "2024-05-08T03:10:42Z"), automated("orders-dev", "2024-05-09T03:11:05Z"), automated("orders-dev", "2024-05-10T03:12:00Z", "creating")]);
    drRegion([]);
    // WHEN the daily run happens
    const summary = await handleSnapshotCopyEvent({ action: "copy" }, deps(onlyOrders));
    // THEN every page of automated snapshots was read
    expect(describeInputs(sourceMock)).toEqual([
      { DBClusterIdentifier: "orders-dev", SnapshotType: "automated" },
      { DBClusterIdentifier: "orders-dev", SnapshotType: "automated", Marker: "2" },
    ]);
    // AND the copy was looked up by its identifier in the DR region, then requested there
    expect(describeInputs(targetMock)[0]).toEqual({ DBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0311" });
    expect(copyInputs()).toEqual([
      {
        SourceDBClusterSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster-snapshot:rds:orders-dev-2024-05-09-03-11`,
        TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0311",
        KmsKeyId: KMS,
        CopyTags: true,
        Tags: [{ Key: "replica:source-snapshot", Value: "rds:orders-dev-2024-05-09-03-11" }],
      },
    ]);
    // AND one `started` item keyed by the source snapshot was written
    expect(docMock.commandCalls(PutCommand).map((c) => c.args[0].input.TableName)).toEqual(["ledger-dev"]);
    expect(ledgerPuts()).toEqual([
      {
        pk: "SNAPSHOT#dev",
        sk: "orders#rds:orders-dev-2024-05-09-03-11#us-west-2",
        kind: "snapshot",
        environment: "dev",
        database: "orders",
        snapshotId: "rds:orders-dev-2024-05-09-03-11",
        sourceRegion: "us-east-1",
        targetRegion: "us-west-2",
        targetSnapshotArn: `arn:aws:rds:us-west-2:${ACCOUNT}:cluster-snapshot:orders-dev-copy-20240509-0311`,
        status: "started",
        occurredAt: "2024-05-10T06:00:00.000Z",
        originRegion: "us-east-1",
      },
    ]);
    expect(deleteInputs()).toEqual([]);
    expect(summary).toEqual({ action: "copy", databases: [{ database: "orders", clusterIdentifier: "orders-dev", started: 1, copied: 0, inProgress: 1, failed: 0, deleted: 0, errors: [] }] });
    // AND without an available copy there is no age yet (the alarm treats that as breaching)
    expect(captured.metricValues("SnapshotCopyAgeHours")).toEqual([]);
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "orders" })).toEqual([0]);
  });

  test("a second run while the copy is in progress starts nothing and writes a byte-identical item", async () => {
    // GIVEN a first run that started the copy
    sourceRegion([automated("orders-dev", "2024-05-09T03:11:05Z")]);
    drRegion([]);
    await handleSnapshotCopyEvent({ action: "copy" }, deps(onlyOrders));
    const first = ledgerPuts();
    docMock.resetHistory();
    // WHEN the run is repeated an hour later (a retry, or a manual run), and the hourly check runs
    now += 3_600_000;
    const second = await handleSnapshotCopyEvent({}, deps(onlyOrders));
    const secondPuts = ledgerPuts();
    docMock.resetHistory();
    await handleSnapshotCopyEvent({ action: "check" }, deps(onlyOrders));
    // THEN no second copy was requested and both runs wrote exactly the same item
    expect(copyInputs()).toHaveLength(1);
    expect(second.databases[0]).toMatchObject({ started: 0, inProgress: 1 });
    expect(JSON.stringify(secondPuts)).toBe(JSON.stringify(first));
    expect(JSON.stringify(ledgerPuts())).toBe(JSON.stringify(first));
    expect(logged("newest snapshot already copied or being copied")[0]).toMatchObject({ database: "orders", copy: "orders-dev-copy-20240509-0311", status: "copying" });
  });

  test("DBClusterSnapshotAlreadyExistsFault (a concurrent run got there first) counts as started, not as an error", async () => {
    // GIVEN a copy that does not exist at lookup time but is created by another run just before ours
    sourceRegion([automated("orders-dev", "2024-05-09T03:11:05Z")]);
    const dr = drRegion([]);
    targetMock.on(CopyDBClusterSnapshotCommand).callsFake(() => {
      dr.push(copy("orders-dev", "2024-05-09T03:11:05Z", "copying", "2024-05-10T05:59:58Z"));
      throw new DBClusterSnapshotAlreadyExistsFault({ message: "Cannot create the snapshot because a snapshot with the identifier orders-dev-copy-20240509-0311 already exists.", $metadata: {} });
    });
    // WHEN the run happens
    const summary = await handleSnapshotCopyEvent({ action: "copy" }, deps(onlyOrders));
    // THEN it succeeds, counts the copy as started and records what RDS reports about it
    expect(summary.databases[0]).toMatchObject({ started: 1, inProgress: 1, errors: [] });
    expect(ledgerPuts()).toEqual([expect.objectContaining({ status: "started", snapshotId: "rds:orders-dev-2024-05-09-03-11", occurredAt: "2024-05-10T05:59:58.000Z" })]);
  });
});

describe("snapshot copy: recording progress", () => {
  test("an available copy is recorded as copied and the age of the newest one is published", async () => {
    // GIVEN two available copies, the newer one created 26.75 hours ago
    drRegion([copy("orders-dev", "2024-05-08T03:10:00Z", "available", "2024-05-08T03:15:00Z"), copy("orders-dev", "2024-05-09T03:10:00Z", "available", "2024-05-09T03:15:00Z")]);
    // WHEN the hourly check runs
    const summary = await handleSnapshotCopyEvent({ action: "check" }, deps(onlyOrders));
    // THEN the copies were listed in the DR region, as manual snapshots of the cluster
    expect(describeInputs(targetMock)).toEqual([{ DBClusterIdentifier: "orders-dev", SnapshotType: "manual" }]);
    // AND each is a `copied` item whose time is the copy's creation time
    expect(ledgerPuts()).toEqual([
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-05-08-03-10#us-west-2", status: "copied", occurredAt: "2024-05-08T03:15:00.000Z" }),
      expect.objectContaining({
        sk: "orders#rds:orders-dev-2024-05-09-03-10#us-west-2",
        status: "copied",
        occurredAt: "2024-05-09T03:15:00.000Z",
        targetSnapshotArn: `arn:aws:rds:us-west-2:${ACCOUNT}:cluster-snapshot:orders-dev-copy-20240509-0310`,
      }),
    ]);
    expect(ledgerPuts()[0]).not.toHaveProperty("error");
    // AND the age is published per database with the Environment and Database dimensions
    expect(captured.metricValues("SnapshotCopyAgeHours", { Environment: "dev", Database: "orders" })).toEqual([26.75]);
    const age = captured.emf.find((record) => "SnapshotCopyAgeHours" in record) as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> } };
    expect(age._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "Test/Replication", Dimensions: [["Environment", "Database"]] });
    expect(summary.databases[0]).toMatchObject({ copied: 2, failed: 0 });
  });

  test("failed and incompatible copies are recorded as failed with RDS's status and counted, without failing the run", async () => {
    drRegion([copy("orders-dev", "2024-05-08T03:10:00Z", "failed"), copy("orders-dev", "2024-05-09T03:10:00Z", "incompatible-restore")]);
    const summary = await handleSnapshotCopyEvent({ action: "check" }, deps(onlyOrders));
    expect(ledgerPuts().map((item) => [item.status, item.error])).toEqual([
      ["failed", "failed"],
      ["failed", "incompatible-restore"],
    ]);
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "orders" })).toEqual([2]);
    expect(captured.metricValues("SnapshotCopyAgeHours")).toEqual([]);
    expect(summary.databases[0]).toMatchObject({ failed: 2, errors: [] });
  });

  test("only this function's copies are recorded; copies being deleted are not recorded again", async () => {
    // GIVEN a copy in progress, one being deleted, and manual snapshots that only look similar
    const other = (id: string): DBClusterSnapshot => ({ DBClusterSnapshotIdentifier: id, DBClusterIdentifier: "orders-dev", SnapshotType: "manual", Status: "available", SnapshotCreateTime: new Date("2024-01-01T00:00:00Z") });
    drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "copying"), copy("orders-dev", "2024-04-01T03:10:00Z", "deleting"), other("orders-dev-before-upgrade"), other("orders-dev-copy-by-hand"), other("orders-dev-copy-20241340-0000")]);
    // WHEN the check runs
    const summary = await handleSnapshotCopyEvent({ action: "check" }, deps(onlyOrders));
    // THEN only the copy in progress is recorded, as started
    expect(ledgerPuts().map((item) => [item.snapshotId, item.status])).toEqual([["rds:orders-dev-2024-05-09-03-10", "started"]]);
    expect(summary.databases[0]).toMatchObject({ inProgress: 1, copied: 0, failed: 0 });
  });

  test("without SourceDBClusterSnapshotArn the source snapshot id comes from the copy's tag, else its own identifier", async () => {
    const tagged = { ...copy("orders-dev", "2024-05-08T03:10:00Z", "available"), SourceDBClusterSnapshotArn: undefined, TagList: [{ Key: "replica:source-snapshot", Value: "rds:orders-dev-2024-05-08-03-10" }] };
    const bare = { ...copy("orders-dev", "2024-05-09T03:10:00Z", "available"), SourceDBClusterSnapshotArn: undefined };
    drRegion([tagged, bare]);
    await handleSnapshotCopyEvent({ action: "check" }, deps(onlyOrders));
    expect(ledgerPuts().map((item) => item.snapshotId)).toEqual(["rds:orders-dev-2024-05-08-03-10", "orders-dev-copy-20240509-0310"]);
  });
});

describe("snapshot copy: expiry", () => {
  test("deletes copies older than the retention period, keeps the newest available one and copies in progress, records deleted", async () => {
    // GIVEN a 7-day retention (cutoff 2024-05-03T06:00Z) and the newest automated snapshot already copied
    sourceRegion([automated("orders-dev", "2024-05-09T03:10:00Z")]);
    drRegion([
      copy("orders-dev", "2024-04-30T03:10:00Z", "available"),
      copy("orders-dev", "2024-05-01T03:10:00Z", "failed"),
      copy("orders-dev", "2024-04-29T03:10:00Z", "copying"),
      copy("orders-dev", "2024-05-05T03:10:00Z", "available"),
      copy("orders-dev", "2024-05-09T03:10:00Z", "available"),
      { DBClusterSnapshotIdentifier: "orders-dev-before-upgrade", DBClusterIdentifier: "orders-dev", SnapshotType: "manual", Status: "available", SnapshotCreateTime: new Date("2024-01-01T00:00:00Z") },
    ]);
    // WHEN the daily run happens
    const summary = await handleSnapshotCopyEvent({ action: "copy" }, deps(onlyOrders));
    // THEN exactly the old available and old failed copies were deleted
    expect(copyInputs()).toEqual([]);
    expect(deleteInputs()).toEqual([{ DBClusterSnapshotIdentifier: "orders-dev-copy-20240430-0310" }, { DBClusterSnapshotIdentifier: "orders-dev-copy-20240501-0310" }]);
    // AND each deletion is a `deleted` item on the copy's own ledger key
    const deleted = ledgerPuts().filter((item) => item.status === "deleted");
    expect(deleted).toEqual([
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-04-30-03-10#us-west-2", occurredAt: "2024-04-30T03:10:00.000Z" }),
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-05-01-03-10#us-west-2", occurredAt: "2024-05-01T03:10:00.000Z" }),
    ]);
    expect(deleted[1]).not.toHaveProperty("error");
    // AND what remains is counted
    expect(summary.databases[0]).toEqual({ database: "orders", clusterIdentifier: "orders-dev", started: 0, copied: 2, inProgress: 1, failed: 0, deleted: 2, errors: [] });
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "orders" })).toEqual([0]);
  });

  test("when the source stops producing snapshots, the newest available copy survives its retention", async () => {
    // GIVEN no automated snapshot and three available copies, all past the retention period
    sourceRegion([]);
    drRegion([copy("orders-dev", "2024-04-01T03:10:00Z", "available"), copy("orders-dev", "2024-04-03T03:10:00Z", "available"), copy("orders-dev", "2024-04-02T03:10:00Z", "available")]);
    // WHEN the daily run happens
    await handleSnapshotCopyEvent({ action: "copy" }, deps(onlyOrders));
    // THEN the two older copies go and the newest stays; its age keeps growing
    expect(deleteInputs()).toEqual([{ DBClusterSnapshotIdentifier: "orders-dev-copy-20240401-0310" }, { DBClusterSnapshotIdentifier: "orders-dev-copy-20240402-0310" }]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([890.83]);
  });

  test("the hourly check never copies or deletes", async () => {
    // GIVEN an automated snapshot not yet copied and copies past their retention
    sourceRegion([automated("orders-dev", "2024-05-10T03:10:00Z")]);
    drRegion([copy("orders-dev", "2024-04-01T03:10:00Z", "available"), copy("orders-dev", "2024-04-02T03:10:00Z", "failed"), copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    // WHEN the check runs
    const summary = await handleSnapshotCopyEvent({ action: "check" }, deps(onlyOrders));
    // THEN the source region is not even read, nothing is copied or deleted, progress and metrics are recorded
    expect(sourceMock.calls()).toHaveLength(0);
    expect(copyInputs()).toEqual([]);
    expect(deleteInputs()).toEqual([]);
    expect(ledgerPuts().map((item) => item.status)).toEqual(["copied", "failed", "copied"]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([26.83]);
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "orders" })).toEqual([1]);
    expect(summary).toEqual({ action: "check", databases: [{ database: "orders", clusterIdentifier: "orders-dev", started: 0, copied: 2, inProgress: 0, failed: 1, deleted: 0, errors: [] }] });
  });
});

describe("snapshot copy: several clusters", () => {
  test("a cluster without an available automated snapshot is skipped while the others are copied", async () => {
    sourceRegion([automated("orders-dev", "2024-05-10T03:10:00Z", "creating"), automated("billing-dev", "2024-05-10T04:20:00Z")]);
    drRegion([]);
    const summary = await handleSnapshotCopyEvent({ action: "copy" }, deps());
    expect(copyInputs().map((input) => input.TargetDBClusterSnapshotIdentifier)).toEqual(["billing-dev-copy-20240510-0420"]);
    expect(logged("no available automated snapshot; nothing to copy for this cluster")).toEqual([expect.objectContaining({ level: "warn", database: "orders", automatedSnapshots: 1 })]);
    expect(summary.databases.map((d) => [d.database, d.started, d.errors])).toEqual([
      ["orders", 0, []],
      ["billing", 1, []],
    ]);
  });

  test("a throwing CopyDBClusterSnapshot for one cluster does not stop the other; the invocation then fails naming it", async () => {
    // GIVEN both clusters have a snapshot to copy, and RDS refuses the orders copy
    sourceRegion([automated("orders-dev", "2024-05-10T03:10:00Z"), automated("billing-dev", "2024-05-10T04:20:00Z")]);
    const dr = drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    targetMock.on(CopyDBClusterSnapshotCommand, { TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240510-0310" }).rejects(
      new SnapshotQuotaExceededFault({ message: "Cannot create more than 100 manual snapshots", $metadata: {} }),
    );
    // WHEN the daily run happens
    const error: unknown = await handleSnapshotCopyEvent({ action: "copy" }, deps()).catch((e: unknown) => e);
    // THEN the invocation fails, naming orders and the reason only
    expect(error).toBeInstanceOf(SnapshotCopyRunError);
    expect((error as Error).message).toBe(
      "Snapshot copy run failed for 1 of 2 database(s): orders (orders-dev): copy: SnapshotQuotaExceededFault: Cannot create more than 100 manual snapshots",
    );
    // AND billing was still copied and recorded, and orders' existing copy was still recorded and measured
    expect(copyInputs().map((input) => input.TargetDBClusterSnapshotIdentifier)).toEqual(["orders-dev-copy-20240510-0310", "billing-dev-copy-20240510-0420"]);
    expect(dr.map((s) => s.DBClusterSnapshotIdentifier)).toContain("billing-dev-copy-20240510-0420");
    expect(ledgerPuts().map((item) => [item.database, item.status])).toEqual([
      ["orders", "copied"],
      ["billing", "started"],
    ]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([26.83]);
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "billing" })).toEqual([0]);
    expect((error as SnapshotCopyRunError).summary.databases.map((d) => d.started)).toEqual([0, 1]);
    expect(logged("snapshot copy run finished with errors")).toHaveLength(1);
  });

  test("a cluster whose copies cannot be listed publishes no age (so its alarm fires) and fails the invocation", async () => {
    sourceRegion([]);
    drRegion([copy("billing-dev", "2024-05-09T03:10:00Z", "available")]);
    targetMock.on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: "orders-dev" }).rejects(Object.assign(new Error("User is not authorized to perform: rds:DescribeDBClusterSnapshots"), { name: "AccessDenied" }));
    await expect(handleSnapshotCopyEvent({ action: "check" }, deps())).rejects.toThrow(/orders \(orders-dev\): progress: AccessDenied: User is not authorized/);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "billing" })).toEqual([26.83]);
  });
});

describe("snapshot copy: events", () => {
  test("{} (a manual invocation) is a full run", async () => {
    sourceRegion([automated("orders-dev", "2024-05-10T03:10:00Z")]);
    drRegion([]);
    const summary = await handleSnapshotCopyEvent({}, deps(onlyOrders));
    expect(summary.action).toBe("copy");
    expect(copyInputs()).toHaveLength(1);
  });

  test.each([[{ action: "restore" }], [{ action: "copy", database: "orders" }], [{ "detail-type": "Scheduled Event", source: "aws.events" }], ["copy"], [[]]])(
    "%j is refused with the actions that exist, before any AWS call",
    async (event) => {
      await expect(handleSnapshotCopyEvent(event, deps())).rejects.toThrow(/^Unsupported event for snapshot-copy: .*\{"action":"copy"\}.*\{"action":"check"\}/);
      expect(sourceMock.calls()).toHaveLength(0);
      expect(targetMock.calls()).toHaveLength(0);
    },
  );
});

describe("snapshot copy: copy identifiers", () => {
  test("are <cluster>-copy-<YYYYMMDD>-<HHmm> of the source snapshot's time in UTC", () => {
    expect(copyIdentifier("orders-dev", new Date("2024-01-02T03:04:59.999Z"))).toBe("orders-dev-copy-20240102-0304");
    expect(copyIdentifier("orders-dev", new Date("2024-12-31T23:30:00-05:00"))).toBe("orders-dev-copy-20250101-0430");
  });

  test("fit RDS's 63-character limit for the longest cluster identifier the configuration accepts", () => {
    const id = copyIdentifier("a".repeat(MAX_CLUSTER_IDENTIFIER_LENGTH), new Date("2024-01-02T03:04:00Z"));
    expect(id).toHaveLength(63);
    expect(id).toMatch(/^[a-z](?:-?[a-z0-9])*$/);
  });
});

describe("snapshot copy: configuration", () => {
  const env = {
    ENVIRONMENT: "dev",
    SOURCE_REGION: SOURCE,
    TARGET_REGION: DR,
    TARGET_KMS_KEY_ID: KMS,
    CLUSTERS: JSON.stringify(config.clusters),
    RETENTION_DAYS: "7",
    LEDGER_TABLE_NAME: "ledger-dev",
    METRICS_NAMESPACE: "Test",
    AWS_REGION: SOURCE,
  };

  test("reads every variable", () => {
    expect(readSnapshotCopyConfig(env)).toEqual(config);
  });

  test("missing variables are all named in one error at cold start", () => {
    expect(() => loadHandler("../../lambdas/snapshot-copy/index", { AWS_REGION: SOURCE, ENVIRONMENT: "dev" })).toThrow(
      /Missing required environment variable\(s\): SOURCE_REGION, TARGET_REGION, TARGET_KMS_KEY_ID, CLUSTERS, RETENTION_DAYS, LEDGER_TABLE_NAME, METRICS_NAMESPACE/,
    );
  });

  test.each([
    ["CLUSTERS", "orders", /CLUSTERS is invalid: not valid JSON/],
    ["CLUSTERS", "[]", /CLUSTERS is invalid: expected a JSON list .* at least one entry/],
    ["CLUSTERS", '{"name":"orders","clusterIdentifier":"orders-dev"}', /CLUSTERS is invalid: expected a JSON list/],
    ["CLUSTERS", '[{"name":"orders","clusterId":"orders-dev"}]', /CLUSTERS is invalid: entry 1 has unknown field\(s\) clusterId/],
    ["CLUSTERS", '[{"name":"orders"}]', /CLUSTERS is invalid: entry 1: clusterIdentifier must be a lowercase DB cluster identifier/],
    ["CLUSTERS", '[{"name":"orders","clusterIdentifier":"Orders-Dev"}]', /CLUSTERS is invalid: entry 1: clusterIdentifier must be a lowercase/],
    ["CLUSTERS", '[{"name":"orders","clusterIdentifier":"orders--dev"}]', /CLUSTERS is invalid: entry 1: clusterIdentifier must be a lowercase/],
    ["CLUSTERS", `[{"name":"orders","clusterIdentifier":"${"a".repeat(45)}"}]`, /CLUSTERS is invalid: entry 1: .* longer than 44 characters/],
    ["CLUSTERS", '[{"name":"or#ders","clusterIdentifier":"orders-dev"}]', /CLUSTERS is invalid: entry 1: name must be letters/],
    ["CLUSTERS", '[{"name":"orders","clusterIdentifier":"a"},{"name":"orders","clusterIdentifier":"b"}]', /CLUSTERS is invalid: name "orders" appears twice/],
    ["CLUSTERS", '[{"name":"a","clusterIdentifier":"orders-dev"},{"name":"b","clusterIdentifier":"orders-dev"}]', /CLUSTERS is invalid: clusterIdentifier "orders-dev" appears twice/],
    ["RETENTION_DAYS", "0", /RETENTION_DAYS is invalid: expected a whole number of days of at least 1, got "0"/],
    ["RETENTION_DAYS", "1.5", /RETENTION_DAYS is invalid/],
    ["RETENTION_DAYS", "seven", /RETENTION_DAYS is invalid/],
    ["TARGET_KMS_KEY_ID", `arn:aws:kms:${SOURCE}:${ACCOUNT}:key/abc`, /TARGET_KMS_KEY_ID is invalid: expected the ARN of a KMS key or alias in TARGET_REGION us-west-2/],
    ["TARGET_KMS_KEY_ID", "alias/dr", /TARGET_KMS_KEY_ID is invalid/],
    ["TARGET_REGION", SOURCE, /TARGET_REGION is invalid: must be the DR region/],
    ["SOURCE_REGION", "useast1", /SOURCE_REGION is invalid: expected a region name/],
    ["AWS_REGION", "eu-west-1", /SOURCE_REGION is invalid: must be the function's own region \(AWS_REGION=eu-west-1\)/],
  ])("%s=%s is refused, naming the variable", (name, value, message) => {
    expect(() => readSnapshotCopyConfig({ ...env, [name]: value })).toThrow(message);
  });

  test("the handler wires both regions and adds the Handler dimension like the other functions", async () => {
    // GIVEN the handler module with the RDS and DynamoDB clients mocked at the class
    let rds: ReturnType<typeof mockClient> | undefined;
    const { handler } = loadHandler<{ handler: (event: unknown) => Promise<unknown> }>("../../lambdas/snapshot-copy/index", { ...env, CLUSTERS: JSON.stringify([config.clusters[0]]) }, (load) => {
      const sdk = load("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds");
      rds = mockClient(sdk.RDSClient);
      rds.on(sdk.DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [copy("orders-dev", "2024-05-09T03:10:00Z", "available")] });
      const lib = load("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
      mockClient(lib.DynamoDBDocumentClient).onAnyCommand().resolves({});
    });
    const out: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    // WHEN the hourly check runs
    try {
      await handler({ action: "check" });
    } finally {
      log.mockRestore();
    }
    // THEN the copies were listed with the DR-region client
    const call = rds!.call(0);
    expect(await (call.thisValue as RDSClient).config.region()).toBe(DR);
    // AND the metric carries Environment, Handler and Database
    const age = out.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => "SnapshotCopyAgeHours" in record);
    expect(age).toMatchObject({ Environment: "dev", Handler: "snapshot-copy", Database: "orders" });
  });
});

describe("SDK behaviour the copy relies on", () => {
  test("the RDS client adds a PreSignedUrl signed for the region of the source snapshot ARN (there is no SourceRegion input)", async () => {
    // GIVEN a real DR-region client whose HTTP handler records the request instead of sending it
    let body = "";
    const client = new RDSClient({
      region: DR,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { body?: unknown }) => {
          body = String(request.body);
          throw new Error("not sent");
        },
      },
    });
    const source = `arn:aws:rds:${SOURCE}:${ACCOUNT}:cluster-snapshot:rds:orders-dev-2024-05-09-03-11`;
    // WHEN the copy is requested the way the function requests it
    await expect(
      client.send(new CopyDBClusterSnapshotCommand({ SourceDBClusterSnapshotIdentifier: source, TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0311", KmsKeyId: KMS, CopyTags: true })),
    ).rejects.toThrow("not sent");
    // THEN the request carries a URL for the source region's endpoint, signed for that region
    const params = new URLSearchParams(body);
    expect(params.get("Action")).toBe("CopyDBClusterSnapshot");
    expect(params.has("SourceRegion")).toBe(false);
    const presigned = new URL(params.get("PreSignedUrl") ?? "missing:");
    expect(presigned.host).toBe(`rds.${SOURCE}.amazonaws.com`);
    expect(presigned.searchParams.get("X-Amz-Credential")).toMatch(new RegExp(`^AKIDEXAMPLE/\\d{8}/${SOURCE}/rds/aws4_request$`));
    expect(presigned.searchParams.get("DestinationRegion")).toBe(DR);
    expect(presigned.searchParams.get("KmsKeyId")).toBe(KMS);
    expect(presigned.searchParams.get("SourceDBClusterSnapshotIdentifier")).toBe(source);
  });
});

describe("snapshot copy: what the stream processor announces", () => {
  test.each<[SnapshotStatus, string | undefined]>([
    ["started", undefined],
    ["copied", "Snapshot Copied"],
    ["failed", "Snapshot Copy Failed"],
    ["deleted", undefined],
  ])("a %s item is announced as %s", (status, detailType) => {
    const item = ledgerItems.snapshot({ environment: "dev", database: "orders", snapshotId: "rds:orders-dev-2024-05-09-03-10", sourceRegion: SOURCE, targetRegion: DR, status, occurredAt: "2024-05-09T03:15:00Z", originRegion: SOURCE });
    expect(detailTypeFor(item)).toBe(detailType);
  });
});
