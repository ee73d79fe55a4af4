import {
  CopyDBClusterSnapshotCommand,
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DBClusterSnapshotAlreadyExistsFault,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  SnapshotQuotaExceededFault,
  type DBClusterSnapshot,
  type DBSnapshot,
} from "@aws-sdk/client-rds";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { readSnapshotCopyConfig, type CopiedSource, type SnapshotCopyConfig } from "../../lambdas/snapshot-copy/config";
import { handleSnapshotCopyEvent, MAX_COPIES_IN_FLIGHT, SnapshotCopyRunError, type SnapshotCopyDeps } from "../../lambdas/snapshot-copy/handler-logic";
import { snapshotName } from "../../lambdas/snapshot-copy/names";
import type { Clock } from "../../lambdas/shared/clock";
import { LedgerWriter, ledgerItems, type SnapshotStatus } from "../../lambdas/shared/ledger";
import { detailTypeFor } from "../../lambdas/stream-processor/announce";
import { ACCOUNT, fakeRegion, type FakeRegion } from "./snapshot-copy-fake-rds";
import { ModifyDBClusterSnapshotAttributeCommand } from "@aws-sdk/client-rds";
import { capture, loadHandler } from "./helpers";

const SOURCE = "us-east-1";
const DR = "us-west-2";
const THIRD = "ap-southeast-2";
const KMS = `arn:aws:kms:${DR}:${ACCOUNT}:key/0f7e1b2c-dr`;
const THIRD_KMS = `arn:aws:kms:${THIRD}:${ACCOUNT}:key/9a8b-third`;
const OWNER = "replica-dev-snapshot-copy";
const OWNED = [{ Key: "replica:created-by", Value: OWNER }];

const sourceRds = new RDSClient({ region: SOURCE });
const targetRds = new RDSClient({ region: DR });
const thirdRds = new RDSClient({ region: THIRD });
const accountRds = new RDSClient({ region: DR });
const accountMock = mockClient(accountRds);
const sourceMock = mockClient(sourceRds);
const targetMock = mockClient(targetRds);
const thirdMock = mockClient(thirdRds);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: SOURCE }));
const docMock = mockClient(doc);

const orders: CopiedSource = { name: "orders", kind: "cluster", identifier: "orders-dev", mode: "automated" };
const billing: CopiedSource = { name: "billing", kind: "cluster", identifier: "billing-dev", mode: "automated" };
const legacy: CopiedSource = { name: "legacy", kind: "instance", identifier: "legacy-mysql", mode: "manual" };

const config: SnapshotCopyConfig = {
  environment: "dev",
  sourceRegion: SOURCE,
  sources: [orders, billing],
  destinations: [{ region: DR, kmsKeyId: KMS }],
  retentionDays: 7,
  manualSnapshotIntervalHours: 12,
  owner: OWNER,
  ledgerTableName: "ledger-dev",
  metricsNamespace: "Test",
};
const onlyOrders = { sources: [orders] };

let captured: ReturnType<typeof capture>;
let now: number;
const clock: Clock = { now: () => now, sleep: async () => undefined };
const deps = (overrides: Partial<SnapshotCopyConfig> = {}): SnapshotCopyDeps => ({
  config: { ...config, ...overrides },
  source: sourceRds,
  targets: { [DR]: targetRds, [THIRD]: thirdRds },
  account: accountRds,
  ledger: new LedgerWriter(doc, "ledger-dev"),
  log: captured.log,
  metrics: captured.metrics,
  clock,
});

const ledgerPuts = () => docMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item as Record<string, unknown>);
const copyInputs = (mock = targetMock) => mock.commandCalls(CopyDBClusterSnapshotCommand).map((c) => c.args[0].input);
const deleteInputs = (mock = targetMock) => mock.commandCalls(DeleteDBClusterSnapshotCommand).map((c) => c.args[0].input);
const logged = (message: string) => captured.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === message);
const run = (event: unknown, overrides: Partial<SnapshotCopyConfig> = {}) => handleSnapshotCopyEvent(event, deps(overrides));

const stamp = (iso: string) => `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 16).replace(":", "")}`;
const rdsStamp = (iso: string) => iso.slice(0, 16).replace(/[T:]/g, "-");

/** An automated cluster snapshot in the source region, named the way RDS names them. */
function automated(cluster: string, iso: string, status = "available"): DBClusterSnapshot {
  const id = `rds:${cluster}-${rdsStamp(iso)}`;
  return { DBClusterSnapshotIdentifier: id, DBClusterSnapshotArn: `arn:aws:rds:${SOURCE}:${ACCOUNT}:cluster-snapshot:${id}`, DBClusterIdentifier: cluster, SnapshotType: "automated", Status: status, SnapshotCreateTime: new Date(iso) };
}

/** This function's copy (owner tag) of the automated snapshot taken at `sourceIso`, created at `createdIso`, in `region`. */
function copy(cluster: string, sourceIso: string, status: string, createdIso = sourceIso, region = DR): DBClusterSnapshot {
  const id = `${cluster}-copy-${stamp(sourceIso)}`;
  return {
    DBClusterSnapshotIdentifier: id,
    DBClusterSnapshotArn: `arn:aws:rds:${region}:${ACCOUNT}:cluster-snapshot:${id}`,
    DBClusterIdentifier: cluster,
    SnapshotType: "manual",
    Status: status,
    SnapshotCreateTime: new Date(createdIso),
    SourceDBClusterSnapshotArn: automated(cluster, sourceIso).DBClusterSnapshotArn,
    TagList: [...OWNED],
  };
}

/** A manual snapshot of a DB instance this function took (owner tag) in the source region. */
function instanceSnap(instance: string, iso: string, status = "available"): DBSnapshot {
  const id = snapshotName(instance, "snap", new Date(iso));
  return { DBSnapshotIdentifier: id, DBSnapshotArn: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:${id}`, DBInstanceIdentifier: instance, SnapshotType: "manual", Status: status, SnapshotCreateTime: new Date(iso), TagList: [...OWNED] };
}

/** This function's copy in `region` of the instance's manual snapshot taken at `sourceIso`. */
function instanceCopy(instance: string, sourceIso: string, status: string, region = DR): DBSnapshot {
  const id = snapshotName(instance, "copy", new Date(sourceIso));
  return {
    DBSnapshotIdentifier: id,
    DBSnapshotArn: `arn:aws:rds:${region}:${ACCOUNT}:snapshot:${id}`,
    DBInstanceIdentifier: instance,
    SnapshotType: "manual",
    Status: status,
    SnapshotCreateTime: new Date(sourceIso),
    SourceDBSnapshotIdentifier: instanceSnap(instance, sourceIso).DBSnapshotArn,
    TagList: [...OWNED],
  };
}

const sourceRegion = (state: Partial<FakeRegion>) => fakeRegion(sourceMock, SOURCE, () => now, state);
const drRegion = (clusters: DBClusterSnapshot[] = [], instances: DBSnapshot[] = []) => fakeRegion(targetMock, DR, () => now, { clusters, instances });
const thirdRegion = (clusters: DBClusterSnapshot[] = []) => fakeRegion(thirdMock, THIRD, () => now, { clusters });

beforeEach(() => {
  for (const m of [sourceMock, targetMock, thirdMock, accountMock, docMock]) m.reset();
  docMock.on(PutCommand).resolves({});
  captured = capture();
  now = Date.parse("2024-05-10T06:00:00Z");
});

describe("snapshot copy: starting copies", () => {
  test("copies the newest available automated snapshot to the DR region under the DR key, tagged as its own, and records it as started", async () => {
    // GIVEN three automated snapshots (two pages), the newest still being created, and no copies yet
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-08T03:10:42Z"), automated("orders-dev", "2024-05-09T03:11:05Z"), automated("orders-dev", "2024-05-10T03:12:00Z", "creating")] });
    drRegion();
    // WHEN the daily run happens
    const summary = await run({ action: "copy" }, onlyOrders);
    // THEN every page of automated snapshots was read
    expect(sourceMock.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterIdentifier: "orders-dev", SnapshotType: "automated" },
      { DBClusterIdentifier: "orders-dev", SnapshotType: "automated", Marker: "2" },
    ]);
    // AND the copy was requested in the DR region with the owner and source tags
    expect(copyInputs()).toEqual([
      {
        SourceDBClusterSnapshotIdentifier: `arn:aws:rds:us-east-1:${ACCOUNT}:cluster-snapshot:rds:orders-dev-2024-05-09-03-11`,
        TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0311",
        KmsKeyId: KMS,
        CopyTags: true,
        Tags: [
          { Key: "replica:created-by", Value: OWNER },
          { Key: "replica:source-snapshot", Value: "rds:orders-dev-2024-05-09-03-11" },
        ],
      },
    ]);
    // AND one `started` item keyed by the source snapshot and the destination was written
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
    expect(summary).toEqual({
      action: "copy",
      inFlight: { [DR]: 1 },
      databases: [{ database: "orders", kind: "cluster", identifier: "orders-dev", manualSnapshotsDeleted: 0, errors: [], destinations: [{ region: DR, started: 1, copied: 0, inProgress: 1, failed: 0, deleted: 0, deferred: false }] }],
    });
    // AND without an available copy there is no age yet (the alarm treats that as breaching)
    expect(captured.metricValues("SnapshotCopyAgeHours")).toEqual([]);
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "orders", DestinationRegion: DR })).toEqual([0]);
  });

  test("a redelivered run while the copy is in progress starts nothing and writes a byte-identical item", async () => {
    // GIVEN a first run that started the copy
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-09T03:11:05Z")] });
    drRegion();
    await run({ action: "copy" }, onlyOrders);
    const first = ledgerPuts();
    docMock.resetHistory();
    // WHEN the same scheduled event is delivered again an hour later, and the hourly check runs
    now += 3_600_000;
    const second = await run({ action: "copy" }, onlyOrders);
    const secondPuts = ledgerPuts();
    docMock.resetHistory();
    await run({ action: "check" }, onlyOrders);
    // THEN no second copy was requested and every run wrote exactly the same item
    expect(copyInputs()).toHaveLength(1);
    expect(second.databases[0]!.destinations[0]).toMatchObject({ started: 0, inProgress: 1 });
    expect(JSON.stringify(secondPuts)).toBe(JSON.stringify(first));
    expect(JSON.stringify(ledgerPuts())).toBe(JSON.stringify(first));
  });

  test("an overlapping run that started the copy first (AlreadyExists) counts as started, not as an error", async () => {
    // GIVEN a copy that does not exist at listing time but is created by another run just before ours
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-09T03:11:05Z")] });
    const dr = drRegion();
    targetMock.on(CopyDBClusterSnapshotCommand).callsFake(() => {
      dr.clusters.push(copy("orders-dev", "2024-05-09T03:11:05Z", "copying", "2024-05-10T05:59:58Z"));
      throw new DBClusterSnapshotAlreadyExistsFault({ message: "a snapshot with the identifier orders-dev-copy-20240509-0311 already exists.", $metadata: {} });
    });
    // WHEN the run happens, and the next check
    const summary = await run({ action: "copy" }, onlyOrders);
    await run({ action: "check" }, onlyOrders);
    // THEN it succeeds and counts the copy; the check records what RDS reports about it
    expect(summary.databases[0]).toMatchObject({ errors: [], destinations: [expect.objectContaining({ started: 1 })] });
    expect(summary.inFlight).toEqual({ [DR]: 1 });
    expect(ledgerPuts()).toEqual([expect.objectContaining({ status: "started", snapshotId: "rds:orders-dev-2024-05-09-03-11", occurredAt: "2024-05-10T05:59:58.000Z" })]);
  });

  test("an old check delivered after the copy run (out of order) neither copies nor undoes anything", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-09T03:11:05Z")] });
    drRegion();
    await run({ action: "copy" }, onlyOrders);
    docMock.resetHistory();
    await run({ action: "check" }, onlyOrders);
    expect(copyInputs()).toHaveLength(1);
    expect(deleteInputs()).toEqual([]);
    expect(ledgerPuts().map((i) => i.status)).toEqual(["started"]);
  });
});

describe("snapshot copy: several destination regions", () => {
  test("each destination gets its own copy under its own key, its own ledger item and its own age", async () => {
    // GIVEN an automated snapshot already copied to the DR region 2 hours ago, and a third region without copies
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-10T03:10:00Z")] });
    drRegion([copy("orders-dev", "2024-05-10T03:10:00Z", "available", "2024-05-10T04:00:00Z")]);
    thirdRegion();
    // WHEN the daily run happens with both destinations
    const summary = await run({ action: "copy" }, { ...onlyOrders, destinations: [{ region: DR, kmsKeyId: KMS }, { region: THIRD, kmsKeyId: THIRD_KMS }] });
    // THEN only the third region is asked for a copy, with its own key
    expect(copyInputs()).toEqual([]);
    expect(copyInputs(thirdMock)).toEqual([expect.objectContaining({ TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240510-0310", KmsKeyId: THIRD_KMS })]);
    // AND the ledger has one item per destination region
    expect(ledgerPuts().map((i) => [i.sk, i.status])).toEqual([
      ["orders#rds:orders-dev-2024-05-10-03-10#us-west-2", "copied"],
      ["orders#rds:orders-dev-2024-05-10-03-10#ap-southeast-2", "started"],
    ]);
    // AND the age is published for the region that has a copy only
    expect(captured.metricValues("SnapshotCopyAgeHours", { DestinationRegion: DR })).toEqual([2]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { DestinationRegion: THIRD })).toEqual([]);
    expect(summary.inFlight).toEqual({ [DR]: 0, [THIRD]: 1 });
  });
});

describe("snapshot copy: at most five copies in flight per destination region", () => {
  const many = Array.from({ length: 7 }, (_, i): CopiedSource => ({ name: `db${i}`, kind: "cluster", identifier: `db${i}-dev`, mode: "automated" }));

  test("with four of its own copies in flight (one of them on a later page), one more starts and the rest wait for a later run", async () => {
    // GIVEN seven clusters with a new snapshot; db0 has two copies in flight (two pages with an older one), db1 and db2 one each,
    // and someone else's copy in flight that does not count
    sourceRegion({ clusters: many.map((s) => automated(s.identifier, "2024-05-10T03:10:00Z")) });
    const foreign: DBClusterSnapshot = { ...copy("db3-dev", "2024-05-09T03:10:00Z", "copying"), TagList: [] };
    drRegion([
      copy("db0-dev", "2024-05-01T03:10:00Z", "available", "2024-05-08T03:10:00Z"),
      copy("db0-dev", "2024-05-08T03:10:00Z", "copying"),
      copy("db0-dev", "2024-05-09T03:10:00Z", "copying"),
      copy("db1-dev", "2024-05-09T03:10:00Z", "copying"),
      copy("db2-dev", "2024-05-09T03:10:00Z", "creating"),
      foreign,
    ]);
    // WHEN the daily run happens
    const summary = await run({ action: "copy" }, { sources: many });
    // THEN exactly one copy was started (db0), the other six wait
    expect(copyInputs().map((i) => i.TargetDBClusterSnapshotIdentifier)).toEqual(["db0-dev-copy-20240510-0310"]);
    expect(summary.inFlight).toEqual({ [DR]: MAX_COPIES_IN_FLIGHT });
    expect(summary.databases.map((d) => [d.database, d.destinations[0]!.started, d.destinations[0]!.deferred])).toEqual([
      ["db0", 1, false],
      ["db1", 0, true],
      ["db2", 0, true],
      ["db3", 0, true],
      ["db4", 0, true],
      ["db5", 0, true],
      ["db6", 0, true],
    ]);
    expect(logged("copy deferred to a later run: the region has the most copies in flight")).toHaveLength(6);
    expect(captured.metricValues("SnapshotCopiesInFlight", { DestinationRegion: DR })).toEqual([5]);
  });

  test("once copies complete, the waiting ones start in the next run", async () => {
    sourceRegion({ clusters: many.map((s) => automated(s.identifier, "2024-05-10T03:10:00Z")) });
    const dr = drRegion();
    const first = await run({ action: "copy" }, { sources: many });
    expect(first.inFlight).toEqual({ [DR]: 5 });
    // WHEN the first five complete and the run is repeated
    for (const c of dr.clusters) c.Status = "available";
    now += 3_600_000;
    const second = await run({ action: "copy" }, { sources: many });
    // THEN the other two start
    expect(copyInputs().map((i) => i.TargetDBClusterSnapshotIdentifier)).toEqual(many.map((s) => `${s.identifier}-copy-20240510-0310`));
    expect(second.inFlight).toEqual({ [DR]: 2 });
  });
});

describe("snapshot copy: DB instances in manual mode", () => {
  test("takes a timestamped manual snapshot and does not wait for it; a later run copies it once available", async () => {
    // GIVEN a DB instance with no snapshot of ours yet (only a person's manual snapshot)
    const source = sourceRegion({ instances: [{ DBSnapshotIdentifier: "legacy-mysql-before-upgrade", DBInstanceIdentifier: "legacy-mysql", SnapshotType: "manual", Status: "available", SnapshotCreateTime: new Date("2024-05-01T00:00:00Z") }] });
    drRegion();
    // WHEN the daily run happens
    const first = await run({ action: "copy" }, { sources: [legacy] });
    // THEN a manual snapshot was started with the owner tag, and nothing was copied yet
    expect(sourceMock.commandCalls(CreateDBSnapshotCommand).map((c) => c.args[0].input)).toEqual([
      { DBInstanceIdentifier: "legacy-mysql", DBSnapshotIdentifier: "legacy-mysql-snap-20240510-0600", Tags: OWNED },
    ]);
    expect(targetMock.commandCalls(CopyDBSnapshotCommand)).toEqual([]);
    expect(first.databases[0]).toMatchObject({ manualSnapshot: "legacy-mysql-snap-20240510-0600" });
    // WHEN the hourly check and a redelivered copy run come while it is still being created
    now += 30 * 60_000;
    await run({ action: "check" }, { sources: [legacy] });
    await run({ action: "copy" }, { sources: [legacy] });
    // THEN no second snapshot is taken and nothing is copied
    expect(sourceMock.commandCalls(CreateDBSnapshotCommand)).toHaveLength(1);
    expect(targetMock.commandCalls(CopyDBSnapshotCommand)).toEqual([]);
    // WHEN it is available and the next scheduled run comes
    const taken = source.instances.find((s) => s.DBSnapshotIdentifier === "legacy-mysql-snap-20240510-0600")!;
    Object.assign(taken, { Status: "available", SnapshotCreateTime: new Date("2024-05-10T06:00:00Z") });
    now = Date.parse("2024-05-11T06:00:00Z");
    await run({ action: "copy" }, { sources: [legacy] });
    // THEN the copy of that snapshot is requested with the DB snapshot API, and a new manual snapshot is taken
    expect(targetMock.commandCalls(CopyDBSnapshotCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        SourceDBSnapshotIdentifier: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:legacy-mysql-snap-20240510-0600`,
        TargetDBSnapshotIdentifier: "legacy-mysql-copy-20240510-0600",
        KmsKeyId: KMS,
      }),
    ]);
    expect(sourceMock.commandCalls(CreateDBSnapshotCommand).map((c) => c.args[0].input.DBSnapshotIdentifier)).toEqual(["legacy-mysql-snap-20240510-0600", "legacy-mysql-snap-20240511-0600"]);
    expect(ledgerPuts().map((i) => [i.database, i.snapshotId, i.status])).toEqual([["legacy", "legacy-mysql-snap-20240510-0600", "started"]]);
  });

  test("expires its own manual snapshots and copies past retention, never the newest available one, never a person's", async () => {
    // GIVEN (7-day retention, cutoff 2024-05-03T06:00Z) three of our manual snapshots, all old, and a person's old one
    const mine = ["2024-04-20T06:00:00Z", "2024-04-22T06:00:00Z", "2024-04-21T06:00:00Z"];
    const person: DBSnapshot = { ...instanceSnap("legacy-mysql", "2024-04-01T06:00:00Z"), TagList: [] };
    sourceRegion({ instances: [...mine.map((iso) => instanceSnap("legacy-mysql", iso)), person] });
    drRegion([], [...mine.map((iso) => instanceCopy("legacy-mysql", iso, "available")), { ...instanceCopy("legacy-mysql", "2024-04-02T06:00:00Z", "available"), TagList: [] }]);
    // WHEN the daily run happens
    const summary = await run({ action: "copy" }, { sources: [legacy] });
    // THEN in each region the two older of ours go; the newest (04-22) and the untagged ones stay
    expect(sourceMock.commandCalls(DeleteDBSnapshotCommand).map((c) => c.args[0].input.DBSnapshotIdentifier)).toEqual(["legacy-mysql-snap-20240420-0600", "legacy-mysql-snap-20240421-0600"]);
    expect(targetMock.commandCalls(DeleteDBSnapshotCommand).map((c) => c.args[0].input.DBSnapshotIdentifier)).toEqual(["legacy-mysql-copy-20240420-0600", "legacy-mysql-copy-20240421-0600"]);
    expect(summary.databases[0]).toMatchObject({ manualSnapshotsDeleted: 2, destinations: [expect.objectContaining({ deleted: 2, copied: 1 })] });
  });

  test("automated mode for an instance copies its newest automated DB snapshot, across pages", async () => {
    const auto = (iso: string): DBSnapshot => {
      const id = `rds:legacy-mysql-${rdsStamp(iso)}`;
      return { DBSnapshotIdentifier: id, DBSnapshotArn: `arn:aws:rds:${SOURCE}:${ACCOUNT}:snapshot:${id}`, DBInstanceIdentifier: "legacy-mysql", SnapshotType: "automated", Status: "available", SnapshotCreateTime: new Date(iso) };
    };
    sourceRegion({ instances: [auto("2024-05-07T03:00:00Z"), auto("2024-05-08T03:00:00Z"), auto("2024-05-09T03:00:00Z")] });
    drRegion();
    await run({ action: "copy" }, { sources: [{ ...legacy, mode: "automated" }] });
    expect(sourceMock.commandCalls(DescribeDBSnapshotsCommand).map((c) => c.args[0].input.Marker)).toEqual([undefined, "2"]);
    expect(sourceMock.commandCalls(CreateDBSnapshotCommand)).toEqual([]);
    expect(targetMock.commandCalls(CopyDBSnapshotCommand).map((c) => c.args[0].input.TargetDBSnapshotIdentifier)).toEqual(["legacy-mysql-copy-20240509-0300"]);
  });
});

describe("snapshot copy: copies into another account", () => {
  const BACKUP = "444444444444";
  const BACKUP_KMS = `arn:aws:kms:${DR}:${BACKUP}:key/5e6f-backup`;
  const accountCopy = { accountId: BACKUP, region: DR, roleArn: `arn:aws:iam::${BACKUP}:role/replica-prod-snapshots-from-dev`, externalId: "replica-dev-snapshots-to-prod", kmsKeyId: BACKUP_KMS };
  const backupRegion = (clusters: DBClusterSnapshot[] = []) => fakeRegion(accountMock, DR, () => now, { clusters }, BACKUP);

  test("shares the newest available copy with the other account, then copies it there under that account's key, through its role", async () => {
    // GIVEN an available copy in the DR region (and an older one), and nothing in the backup account yet
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-09T03:10:00Z")] });
    const dr = drRegion([copy("orders-dev", "2024-05-08T03:10:00Z", "available"), copy("orders-dev", "2024-05-09T03:10:00Z", "available", "2024-05-09T04:00:00Z")]);
    const backup = backupRegion();
    // WHEN the daily run happens
    const summary = await run({ action: "copy" }, { ...onlyOrders, accountCopy });
    // THEN the newest copy was shared (restore attribute) with the backup account only
    expect(targetMock.commandCalls(ModifyDBClusterSnapshotAttributeCommand).map((c) => c.args[0].input)).toEqual([
      { DBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0310", AttributeName: "restore", ValuesToAdd: [BACKUP] },
    ]);
    expect(dr.shared).toEqual({ "orders-dev-copy-20240509-0310": [BACKUP] });
    // AND the backup account's client copied the shared ARN under the backup key, with the owner tag
    expect(copyInputs(accountMock)).toEqual([
      {
        SourceDBClusterSnapshotIdentifier: `arn:aws:rds:${DR}:${ACCOUNT}:cluster-snapshot:orders-dev-copy-20240509-0310`,
        TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0310",
        KmsKeyId: BACKUP_KMS,
        CopyTags: true,
        Tags: [
          { Key: "replica:created-by", Value: OWNER },
          { Key: "replica:source-snapshot", Value: "rds:orders-dev-2024-05-09-03-10" },
        ],
      },
    ]);
    expect(backup.clusters.map((c) => c.DBClusterSnapshotArn)).toEqual([`arn:aws:rds:${DR}:${BACKUP}:cluster-snapshot:orders-dev-copy-20240509-0310`]);
    expect(summary.databases[0]!.account).toEqual({ region: DR, accountId: BACKUP, shared: "orders-dev-copy-20240509-0310", started: 1, copied: 0, inProgress: 1, failed: 0, deleted: 0 });
    // AND the backup account's age is not published until its copy is available
    expect(captured.metricValues("SnapshotCopyAgeHours", { DestinationAccount: BACKUP })).toEqual([]);
  });

  test("a copy under another key than the region's (made before the account copy was set up) is not shared; the newest one under it is", async () => {
    sourceRegion({});
    drRegion([{ ...copy("orders-dev", "2024-05-09T03:10:00Z", "available"), KmsKeyId: `arn:aws:kms:${DR}:${ACCOUNT}:key/old-dr-key` }, { ...copy("orders-dev", "2024-05-08T03:10:00Z", "available"), KmsKeyId: KMS }]);
    backupRegion();
    const summary = await run({ action: "copy" }, { ...onlyOrders, accountCopy });
    expect(targetMock.commandCalls(ModifyDBClusterSnapshotAttributeCommand).map((c) => c.args[0].input.DBClusterSnapshotIdentifier)).toEqual(["orders-dev-copy-20240508-0310"]);
    expect(copyInputs(accountMock).map((i) => i.TargetDBClusterSnapshotIdentifier)).toEqual(["orders-dev-copy-20240508-0310"]);
    expect(summary.databases[0]!.account?.shared).toBe("orders-dev-copy-20240508-0310");
  });

  test("the share comes before the copy in the other account (RDS refuses a copy of a snapshot not shared with it)", async () => {
    sourceRegion({});
    drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    backupRegion();
    const events: string[] = [];
    targetMock.on(ModifyDBClusterSnapshotAttributeCommand).callsFake(() => {
      events.push("share");
      return {};
    });
    accountMock.on(CopyDBClusterSnapshotCommand).callsFake((input) => {
      events.push(`copy ${input.TargetDBClusterSnapshotIdentifier}`);
      return { DBClusterSnapshot: { DBClusterSnapshotIdentifier: input.TargetDBClusterSnapshotIdentifier, Status: "copying" } };
    });
    await run({ action: "copy" }, { ...onlyOrders, accountCopy });
    expect(events).toEqual(["share", "copy orders-dev-copy-20240509-0310"]);
  });

  test("a redelivered run finds the copy in the other account and copies nothing twice; once available its age is published", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-09T03:10:00Z")] });
    drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "available", "2024-05-09T04:00:00Z")]);
    const backup = backupRegion();
    await run({ action: "copy" }, { ...onlyOrders, accountCopy });
    backup.clusters[0]!.Status = "available";
    now += 3_600_000;
    await run({ action: "copy" }, { ...onlyOrders, accountCopy });
    expect(copyInputs(accountMock)).toHaveLength(1);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders", DestinationAccount: BACKUP })).toEqual([1]);
  });

  test("the check neither shares nor copies nor deletes in the other account; the copy run expires only its own copies there, never the newest available one", async () => {
    // GIVEN (7-day retention) a new copy in the DR region not yet in the backup account, whose own copies are all old
    sourceRegion({});
    drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    const theirs = (iso: string, tags = [...OWNED]) => ({ ...copy("orders-dev", iso, "available"), DBClusterSnapshotArn: `arn:aws:rds:${DR}:${BACKUP}:cluster-snapshot:orders-dev-copy-${stamp(iso)}`, TagList: tags });
    backupRegion([theirs("2024-04-01T03:10:00Z"), theirs("2024-04-02T03:10:00Z", []), theirs("2024-04-05T03:10:00Z"), theirs("2024-04-03T03:10:00Z")]);
    // WHEN the hourly check runs
    await run({ action: "check" }, { ...onlyOrders, accountCopy });
    // THEN nothing is shared, copied or deleted
    expect(targetMock.commandCalls(ModifyDBClusterSnapshotAttributeCommand)).toEqual([]);
    expect(copyInputs(accountMock)).toEqual([]);
    expect(deleteInputs(accountMock)).toEqual([]);
    // WHEN the copy run comes
    await run({ action: "copy" }, { ...onlyOrders, accountCopy });
    // THEN the new copy is started, and of the old ones the newest available (04-05) and the untagged one stay
    expect(copyInputs(accountMock).map((i) => i.TargetDBClusterSnapshotIdentifier)).toEqual(["orders-dev-copy-20240509-0310"]);
    expect(deleteInputs(accountMock).map((i) => i.DBClusterSnapshotIdentifier)).toEqual(["orders-dev-copy-20240401-0310", "orders-dev-copy-20240403-0310"]);
  });

  test("a refused share fails the run for that database, after its own copies were handled", async () => {
    sourceRegion({});
    drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    backupRegion();
    targetMock.on(ModifyDBClusterSnapshotAttributeCommand).rejects(Object.assign(new Error("The snapshot is encrypted with the default key and cannot be shared"), { name: "InvalidParameterValue" }));
    await expect(run({ action: "copy" }, { ...onlyOrders, accountCopy })).rejects.toThrow(/orders \(orders-dev\): account 444444444444 us-west-2: InvalidParameterValue: The snapshot is encrypted/);
    expect(copyInputs(accountMock)).toEqual([]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders", DestinationRegion: DR })).toEqual([26.83]);
  });
});

describe("snapshot copy: recording progress", () => {
  test("available copies are recorded as copied; the age of the newest is published per database and destination", async () => {
    drRegion([copy("orders-dev", "2024-05-08T03:10:00Z", "available", "2024-05-08T03:15:00Z"), copy("orders-dev", "2024-05-09T03:10:00Z", "available", "2024-05-09T03:15:00Z")]);
    const summary = await run({ action: "check" }, onlyOrders);
    expect(targetMock.commandCalls(DescribeDBClusterSnapshotsCommand).map((c) => c.args[0].input)).toEqual([{ DBClusterIdentifier: "orders-dev", SnapshotType: "manual" }]);
    expect(ledgerPuts()).toEqual([
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-05-08-03-10#us-west-2", status: "copied", occurredAt: "2024-05-08T03:15:00.000Z" }),
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-05-09-03-10#us-west-2", status: "copied", occurredAt: "2024-05-09T03:15:00.000Z" }),
    ]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Environment: "dev", Database: "orders", DestinationRegion: DR })).toEqual([26.75]);
    const age = captured.emf.find((record) => "SnapshotCopyAgeHours" in record) as { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } };
    expect(age._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([["Environment", "Database", "DestinationRegion"]]);
    expect(summary.databases[0]!.destinations[0]).toMatchObject({ copied: 2, failed: 0 });
  });

  test("failed and incompatible copies are recorded as failed with RDS's status and counted, without failing the run", async () => {
    drRegion([copy("orders-dev", "2024-05-08T03:10:00Z", "failed"), copy("orders-dev", "2024-05-09T03:10:00Z", "incompatible-restore")]);
    const summary = await run({ action: "check" }, onlyOrders);
    expect(ledgerPuts().map((item) => [item.status, item.error])).toEqual([
      ["failed", "failed"],
      ["failed", "incompatible-restore"],
    ]);
    expect(captured.metricValues("SnapshotCopiesFailed", { Database: "orders" })).toEqual([2]);
    expect(captured.metricValues("SnapshotCopyAgeHours")).toEqual([]);
    expect(summary.databases[0]).toMatchObject({ errors: [], destinations: [expect.objectContaining({ failed: 2 })] });
  });

  test("only this function's copies are recorded: not untagged ones named like ours, not other names, not copies being deleted", async () => {
    const other = (id: string): DBClusterSnapshot => ({ DBClusterSnapshotIdentifier: id, DBClusterIdentifier: "orders-dev", SnapshotType: "manual", Status: "available", SnapshotCreateTime: new Date("2024-01-01T00:00:00Z"), TagList: [...OWNED] });
    drRegion([
      copy("orders-dev", "2024-05-09T03:10:00Z", "copying"),
      copy("orders-dev", "2024-04-01T03:10:00Z", "deleting"),
      { ...copy("orders-dev", "2024-05-08T03:10:00Z", "available"), TagList: [{ Key: "replica:created-by", Value: "someone-else" }] },
      other("orders-dev-before-upgrade"),
      other("orders-dev-copy-by-hand"),
      other("orders-dev-copy-20241340-0000"),
    ]);
    const summary = await run({ action: "check" }, onlyOrders);
    expect(ledgerPuts().map((item) => [item.snapshotId, item.status])).toEqual([["rds:orders-dev-2024-05-09-03-10", "started"]]);
    expect(summary.databases[0]!.destinations[0]).toMatchObject({ inProgress: 1, copied: 0, failed: 0 });
  });

  test("without a source ARN the source snapshot id comes from the copy's tag, else its own identifier", async () => {
    const tagged = { ...copy("orders-dev", "2024-05-08T03:10:00Z", "available"), SourceDBClusterSnapshotArn: undefined, TagList: [...OWNED, { Key: "replica:source-snapshot", Value: "rds:orders-dev-2024-05-08-03-10" }] };
    const bare = { ...copy("orders-dev", "2024-05-09T03:10:00Z", "available"), SourceDBClusterSnapshotArn: undefined };
    drRegion([tagged, bare]);
    await run({ action: "check" }, onlyOrders);
    expect(ledgerPuts().map((item) => item.snapshotId)).toEqual(["rds:orders-dev-2024-05-08-03-10", "orders-dev-copy-20240509-0310"]);
  });
});

describe("snapshot copy: expiry", () => {
  test("deletes own copies older than the retention period, keeps the newest available one, copies in progress and others' snapshots", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-09T03:10:00Z")] });
    drRegion([
      copy("orders-dev", "2024-04-30T03:10:00Z", "available"),
      copy("orders-dev", "2024-05-01T03:10:00Z", "failed"),
      copy("orders-dev", "2024-04-29T03:10:00Z", "copying"),
      copy("orders-dev", "2024-05-05T03:10:00Z", "available"),
      copy("orders-dev", "2024-05-09T03:10:00Z", "available"),
      { ...copy("orders-dev", "2024-04-28T03:10:00Z", "available"), TagList: [] },
      { DBClusterSnapshotIdentifier: "orders-dev-before-upgrade", DBClusterIdentifier: "orders-dev", SnapshotType: "manual", Status: "available", SnapshotCreateTime: new Date("2024-01-01T00:00:00Z"), TagList: [...OWNED] },
    ]);
    const summary = await run({ action: "copy" }, onlyOrders);
    expect(copyInputs()).toEqual([]);
    expect(deleteInputs()).toEqual([{ DBClusterSnapshotIdentifier: "orders-dev-copy-20240430-0310" }, { DBClusterSnapshotIdentifier: "orders-dev-copy-20240501-0310" }]);
    const deleted = ledgerPuts().filter((item) => item.status === "deleted");
    expect(deleted).toEqual([
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-04-30-03-10#us-west-2", occurredAt: "2024-04-30T03:10:00.000Z" }),
      expect.objectContaining({ sk: "orders#rds:orders-dev-2024-05-01-03-10#us-west-2", occurredAt: "2024-05-01T03:10:00.000Z" }),
    ]);
    expect(deleted[1]).not.toHaveProperty("error");
    expect(summary.databases[0]!.destinations[0]).toEqual({ region: DR, started: 0, copied: 2, inProgress: 1, failed: 0, deleted: 2, deferred: false });
  });

  test("when the source stops producing snapshots, the newest available copy survives its retention", async () => {
    sourceRegion({});
    drRegion([copy("orders-dev", "2024-04-01T03:10:00Z", "available"), copy("orders-dev", "2024-04-03T03:10:00Z", "available"), copy("orders-dev", "2024-04-02T03:10:00Z", "available")]);
    await run({ action: "copy" }, onlyOrders);
    expect(deleteInputs()).toEqual([{ DBClusterSnapshotIdentifier: "orders-dev-copy-20240401-0310" }, { DBClusterSnapshotIdentifier: "orders-dev-copy-20240402-0310" }]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([890.83]);
  });

  test("when every old copy failed, all of them go: a failed copy is never the one kept", async () => {
    sourceRegion({});
    drRegion([copy("orders-dev", "2024-04-01T03:10:00Z", "failed"), copy("orders-dev", "2024-04-02T03:10:00Z", "failed")]);
    await run({ action: "copy" }, onlyOrders);
    expect(deleteInputs().map((i) => i.DBClusterSnapshotIdentifier)).toEqual(["orders-dev-copy-20240401-0310", "orders-dev-copy-20240402-0310"]);
  });

  test("the hourly check never snapshots, copies or deletes", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-10T03:10:00Z")] });
    drRegion([copy("orders-dev", "2024-04-01T03:10:00Z", "available"), copy("orders-dev", "2024-04-02T03:10:00Z", "failed"), copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    const summary = await run({ action: "check" }, { sources: [orders, legacy] });
    expect(sourceMock.calls()).toHaveLength(0);
    expect(copyInputs()).toEqual([]);
    expect(deleteInputs()).toEqual([]);
    expect(ledgerPuts().map((item) => item.status)).toEqual(["copied", "failed", "copied"]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([26.83]);
    expect(summary.databases[0]!.destinations[0]).toEqual({ region: DR, started: 0, copied: 2, inProgress: 0, failed: 1, deleted: 0, deferred: false });
  });
});

describe("snapshot copy: several databases", () => {
  test("a database without an available automated snapshot is skipped while the others are copied", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-10T03:10:00Z", "creating"), automated("billing-dev", "2024-05-10T04:20:00Z")] });
    drRegion();
    const summary = await run({ action: "copy" });
    expect(copyInputs().map((input) => input.TargetDBClusterSnapshotIdentifier)).toEqual(["billing-dev-copy-20240510-0420"]);
    expect(logged("no available automated snapshot; nothing to copy for this database")).toEqual([expect.objectContaining({ level: "warn", database: "orders", automatedSnapshots: 1 })]);
    expect(summary.databases.map((d) => [d.database, d.destinations[0]!.started, d.errors])).toEqual([
      ["orders", 0, []],
      ["billing", 1, []],
    ]);
  });

  test("a throwing copy for one database does not stop the other; the invocation then fails naming it", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-10T03:10:00Z"), automated("billing-dev", "2024-05-10T04:20:00Z")] });
    const dr = drRegion([copy("orders-dev", "2024-05-09T03:10:00Z", "available")]);
    targetMock.on(CopyDBClusterSnapshotCommand, { TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240510-0310" }).rejects(new SnapshotQuotaExceededFault({ message: "Cannot create more than 100 manual snapshots", $metadata: {} }));
    const error: unknown = await run({ action: "copy" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotCopyRunError);
    expect((error as Error).message).toBe("Snapshot copy run failed for 1 of 2 database(s): orders (orders-dev): copy us-west-2: SnapshotQuotaExceededFault: Cannot create more than 100 manual snapshots");
    expect(dr.clusters.map((s) => s.DBClusterSnapshotIdentifier)).toContain("billing-dev-copy-20240510-0420");
    expect(ledgerPuts().map((item) => [item.database, item.status])).toEqual([
      ["orders", "copied"],
      ["billing", "started"],
    ]);
    // The refused copy is not in flight: it does not use one of the five places.
    expect((error as SnapshotCopyRunError).summary.inFlight).toEqual({ [DR]: 1 });
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([26.83]);
  });

  test("a database whose copies cannot be listed publishes no age (so its alarm fires) and fails the invocation", async () => {
    sourceRegion({});
    drRegion([copy("billing-dev", "2024-05-09T03:10:00Z", "available")]);
    targetMock.on(DescribeDBClusterSnapshotsCommand, { DBClusterIdentifier: "orders-dev" }).rejects(Object.assign(new Error("User is not authorized to perform: rds:DescribeDBClusterSnapshots"), { name: "AccessDenied" }));
    await expect(run({ action: "check" })).rejects.toThrow(/orders \(orders-dev\): progress us-west-2: AccessDenied: User is not authorized/);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "orders" })).toEqual([]);
    expect(captured.metricValues("SnapshotCopyAgeHours", { Database: "billing" })).toEqual([26.83]);
  });
});

describe("snapshot copy: events", () => {
  test("{} (a manual invocation) is a full run", async () => {
    sourceRegion({ clusters: [automated("orders-dev", "2024-05-10T03:10:00Z")] });
    drRegion();
    const summary = await run({}, onlyOrders);
    expect(summary.action).toBe("copy");
    expect(copyInputs()).toHaveLength(1);
  });

  test.each([[{ action: "restore" }], [{ action: "copy", database: "orders" }], [{ "detail-type": "Scheduled Event", source: "aws.events" }], ["copy"], [[]]])(
    "%j is refused with the actions that exist, before any AWS call",
    async (event) => {
      await expect(run(event)).rejects.toThrow(/^Unsupported event for snapshot-copy: .*\{"action":"copy"\}.*\{"action":"check"\}/);
      expect(sourceMock.calls()).toHaveLength(0);
      expect(targetMock.calls()).toHaveLength(0);
    },
  );
});

describe("snapshot copy: names", () => {
  test("are <source>-copy-<YYYYMMDD>-<HHmm> of the source snapshot's time in UTC", () => {
    expect(snapshotName("orders-dev", "copy", new Date("2024-01-02T03:04:59.999Z"))).toBe("orders-dev-copy-20240102-0304");
    expect(snapshotName("orders-dev", "snap", new Date("2024-12-31T23:30:00-05:00"))).toBe("orders-dev-snap-20250101-0430");
  });

  const RDS_RULES = /^[a-z](?:-?[a-z0-9])*$/;
  test.each([
    ["44 characters: fits exactly", "a".repeat(44), `${"a".repeat(44)}-copy-20240102-0304`],
    ["63 characters (the longest instance identifier): cut to 44", `${"b".repeat(40)}${"c".repeat(23)}`, `${"b".repeat(40)}cccc-copy-20240102-0304`],
    ["a hyphen at the cut is dropped", `${"d".repeat(43)}-tail-of-a-long-identifier`, `${"d".repeat(43)}-copy-20240102-0304`],
  ])("%s", (_case, identifier, expected) => {
    const name = snapshotName(identifier, "copy", new Date("2024-01-02T03:04:00Z"));
    expect(name).toBe(expected);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(RDS_RULES);
  });

  test("a copy of a source with a 63-character identifier is found again, recorded and expired under its cut name", async () => {
    const long = `legacy-${"x".repeat(56)}`;
    expect(long).toHaveLength(63);
    const source: CopiedSource = { name: "long", kind: "instance", identifier: long, mode: "manual" };
    const old = { ...instanceCopy(long, "2024-04-01T06:00:00Z", "available"), DBInstanceIdentifier: long };
    const newer = { ...instanceCopy(long, "2024-04-02T06:00:00Z", "available"), DBInstanceIdentifier: long };
    expect(old.DBSnapshotIdentifier).toHaveLength(63);
    sourceRegion({ instances: [instanceSnap(long, "2024-05-10T05:00:00Z", "creating")] });
    drRegion([], [old, newer]);
    await run({ action: "copy" }, { sources: [source] });
    expect(targetMock.commandCalls(DeleteDBSnapshotCommand).map((c) => c.args[0].input.DBSnapshotIdentifier)).toEqual([old.DBSnapshotIdentifier]);
  });
});

describe("snapshot copy: configuration", () => {
  const sources = JSON.stringify([orders, legacy]);
  const env = {
    ENVIRONMENT: "dev",
    SOURCE_REGION: SOURCE,
    SOURCES: sources,
    DESTINATIONS: JSON.stringify([{ region: DR, kmsKeyId: KMS }]),
    RETENTION_DAYS: "7",
    MANUAL_SNAPSHOT_INTERVAL_HOURS: "12",
    SNAPSHOT_OWNER: OWNER,
    LEDGER_TABLE_NAME: "ledger-dev",
    METRICS_NAMESPACE: "Test",
    AWS_REGION: SOURCE,
  };

  test("reads every variable", () => {
    expect(readSnapshotCopyConfig(env)).toEqual({ ...config, sources: [orders, legacy] });
    const accountCopy = { accountId: "444444444444", region: DR, roleArn: "arn:aws:iam::444444444444:role/replica-prod-snapshots-from-dev", externalId: "replica-dev-snapshots-to-prod", kmsKeyId: `arn:aws:kms:${DR}:444444444444:key/k` };
    expect(readSnapshotCopyConfig({ ...env, ACCOUNT_COPY: JSON.stringify(accountCopy) }).accountCopy).toEqual(accountCopy);
  });

  test("missing variables are all named in one error at cold start", () => {
    expect(() => loadHandler("../../lambdas/snapshot-copy/index", { AWS_REGION: SOURCE, ENVIRONMENT: "dev" })).toThrow(
      /Missing required environment variable\(s\): SOURCE_REGION, SOURCES, DESTINATIONS, RETENTION_DAYS, MANUAL_SNAPSHOT_INTERVAL_HOURS, SNAPSHOT_OWNER, LEDGER_TABLE_NAME, METRICS_NAMESPACE/,
    );
  });

  const src = (entry: Record<string, unknown>) => JSON.stringify([{ name: "orders", kind: "cluster", identifier: "orders-dev", mode: "automated", ...entry }]);
  test.each([
    ["SOURCES", "orders", /SOURCES is invalid: not valid JSON/],
    ["SOURCES", "[]", /SOURCES is invalid: expected a JSON list .* at least one entry/],
    ["SOURCES", src({ clusterIdentifier: "x" }), /SOURCES is invalid: entry 1 has unknown field\(s\) clusterIdentifier/],
    ["SOURCES", src({ kind: "aurora" }), /SOURCES is invalid: entry 1: kind must be "cluster" or "instance"/],
    ["SOURCES", src({ mode: "hourly" }), /SOURCES is invalid: entry 1: mode must be "automated" or "manual"/],
    ["SOURCES", src({ identifier: "Orders-Dev" }), /SOURCES is invalid: entry 1: identifier must be a lowercase RDS identifier/],
    ["SOURCES", src({ identifier: "orders--dev" }), /SOURCES is invalid: entry 1: identifier must be/],
    ["SOURCES", src({ identifier: "a".repeat(64) }), /SOURCES is invalid: entry 1: identifier must be/],
    ["SOURCES", src({ name: "or#ders" }), /SOURCES is invalid: entry 1: name must be letters/],
    ["SOURCES", JSON.stringify([orders, { ...billing, name: "orders" }]), /SOURCES is invalid: name "orders" appears twice/],
    ["SOURCES", JSON.stringify([{ ...legacy, identifier: `${"a".repeat(44)}-one` }, { ...legacy, name: "b", identifier: `${"a".repeat(44)}-two` }]), /SOURCES is invalid: entry 2: .* give their snapshots the same names/],
    ["DESTINATIONS", "[]", /DESTINATIONS is invalid: expected a JSON list/],
    ["DESTINATIONS", JSON.stringify([{ region: SOURCE, kmsKeyId: `arn:aws:kms:${SOURCE}:${ACCOUNT}:key/a` }]), /DESTINATIONS is invalid: entry 1: us-east-1 is the databases' own region/],
    ["DESTINATIONS", JSON.stringify([{ region: DR, kmsKeyId: `arn:aws:kms:${SOURCE}:${ACCOUNT}:key/a` }]), /DESTINATIONS is invalid: entry 1: kmsKeyId must be the ARN of a KMS key or alias in us-west-2/],
    ["DESTINATIONS", JSON.stringify([{ region: DR, kmsKeyId: KMS }, { region: DR, kmsKeyId: KMS }]), /DESTINATIONS is invalid: region us-west-2 appears twice/],
    ["ACCOUNT_COPY", JSON.stringify({ accountId: "444444444444", region: THIRD, roleArn: "arn:aws:iam::444444444444:role/r", externalId: "x", kmsKeyId: `arn:aws:kms:${THIRD}:444444444444:key/k` }), /ACCOUNT_COPY is invalid: region must be one of DESTINATIONS/],
    ["ACCOUNT_COPY", JSON.stringify({ accountId: "444444444444", region: DR, roleArn: "arn:aws:iam::555555555555:role/r", externalId: "x", kmsKeyId: `arn:aws:kms:${DR}:444444444444:key/k` }), /ACCOUNT_COPY is invalid: roleArn must be a role of account 444444444444/],
    ["ACCOUNT_COPY", JSON.stringify({ accountId: "444444444444", region: DR, roleArn: "arn:aws:iam::444444444444:role/r", externalId: "x", kmsKeyId: KMS }), /ACCOUNT_COPY is invalid: kmsKeyId must be the ARN of a KMS key of account 444444444444 in us-west-2/],
    ["ACCOUNT_COPY", JSON.stringify({ accountId: "444444444444", region: DR, roleArn: "arn:aws:iam::444444444444:role/r", kmsKeyId: KMS, role: "r" }), /ACCOUNT_COPY is invalid: entry 1 has unknown field\(s\) role/],
    ["RETENTION_DAYS", "0", /RETENTION_DAYS is invalid: expected a whole number of days of at least 1, got "0"/],
    ["RETENTION_DAYS", "1.5", /RETENTION_DAYS is invalid/],
    ["MANUAL_SNAPSHOT_INTERVAL_HOURS", "twelve", /MANUAL_SNAPSHOT_INTERVAL_HOURS is invalid/],
    ["SOURCE_REGION", "useast1", /SOURCE_REGION is invalid: expected a region name/],
    ["AWS_REGION", "eu-west-1", /SOURCE_REGION is invalid: must be the function's own region \(AWS_REGION=eu-west-1\)/],
  ])("%s=%s is refused, naming the variable", (name, value, message) => {
    expect(() => readSnapshotCopyConfig({ ...env, [name]: value })).toThrow(message);
  });

  test("the handler wires a client per destination region and adds the Handler dimension like the other functions", async () => {
    let rds: ReturnType<typeof mockClient> | undefined;
    const destinations = JSON.stringify([{ region: DR, kmsKeyId: KMS }, { region: THIRD, kmsKeyId: THIRD_KMS }]);
    const { handler } = loadHandler<{ handler: (event: unknown) => Promise<unknown> }>("../../lambdas/snapshot-copy/index", { ...env, SOURCES: JSON.stringify([orders]), DESTINATIONS: destinations }, (load) => {
      const sdk = load("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds");
      rds = mockClient(sdk.RDSClient);
      rds.on(sdk.DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [copy("orders-dev", "2024-05-09T03:10:00Z", "available")] });
      const lib = load("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
      mockClient(lib.DynamoDBDocumentClient).onAnyCommand().resolves({});
    });
    const out: string[] = [];
    const log = jest.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
    try {
      await handler({ action: "check" });
    } finally {
      log.mockRestore();
    }
    const regions = await Promise.all(rds!.calls().map((call) => (call.thisValue as RDSClient).config.region()));
    expect(regions).toEqual([DR, THIRD]);
    const age = out.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => "SnapshotCopyAgeHours" in record);
    expect(age).toMatchObject({ Environment: "dev", Handler: "snapshot-copy", Database: "orders", DestinationRegion: DR });
  });
});

describe("snapshot copy: the handler's account copy client", () => {
  test("lists the other account's copies with the assumed role's credentials in the account copy's region, its own with its own", async () => {
    const accountCopy = { accountId: "444444444444", region: DR, roleArn: "arn:aws:iam::444444444444:role/replica-prod-snapshots-from-dev", externalId: "replica-dev-snapshots-to-prod", kmsKeyId: `arn:aws:kms:${DR}:444444444444:key/k` };
    const env = {
      ENVIRONMENT: "dev", SOURCE_REGION: SOURCE, SOURCES: JSON.stringify([orders]), DESTINATIONS: JSON.stringify([{ region: DR, kmsKeyId: KMS }]), RETENTION_DAYS: "7",
      MANUAL_SNAPSHOT_INTERVAL_HOURS: "12", SNAPSHOT_OWNER: OWNER, LEDGER_TABLE_NAME: "ledger-dev", METRICS_NAMESPACE: "Test", AWS_REGION: SOURCE, ACCOUNT_COPY: JSON.stringify(accountCopy),
    };
    const ownCredentials = { AWS_ACCESS_KEY_ID: "OWN-ACCOUNT-KEY", AWS_SECRET_ACCESS_KEY: "own-secret" };
    const seen: { accessKeyId: string; region: string }[] = [];
    let sts: ReturnType<typeof mockClient> | undefined;
    const { handler } = loadHandler<{ handler: (event: unknown) => Promise<unknown> }>("../../lambdas/snapshot-copy/index", { ...env, ...ownCredentials }, (load) => {
      const stsSdk = load("@aws-sdk/client-sts") as typeof import("@aws-sdk/client-sts");
      sts = mockClient(stsSdk.STSClient);
      sts.on(stsSdk.AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "ASSUMED-KEY", SecretAccessKey: "S", SessionToken: "T", Expiration: new Date(Date.now() + 900_000) } });
      const sdk = load("@aws-sdk/client-rds") as typeof import("@aws-sdk/client-rds");
      mockClient(sdk.RDSClient).on(sdk.DescribeDBClusterSnapshotsCommand).callsFake(async (_input, getClient) => {
        const config = getClient().config as unknown as { credentials: () => Promise<{ accessKeyId: string }>; region: () => Promise<string> };
        seen.push({ accessKeyId: (await config.credentials()).accessKeyId, region: await config.region() });
        return { DBClusterSnapshots: [] };
      });
      const lib = load("@aws-sdk/lib-dynamodb") as typeof import("@aws-sdk/lib-dynamodb");
      mockClient(lib.DynamoDBDocumentClient).onAnyCommand().resolves({});
    });
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    const saved = process.env;
    process.env = { ...saved, ...ownCredentials, AWS_REGION: SOURCE };
    try {
      await handler({ action: "check" });
    } finally {
      process.env = saved;
      log.mockRestore();
    }
    expect(seen).toEqual([
      { accessKeyId: "OWN-ACCOUNT-KEY", region: DR },
      { accessKeyId: "ASSUMED-KEY", region: DR },
    ]);
    expect(sts!.calls().map((c) => c.args[0].input)).toEqual([expect.objectContaining({ RoleArn: accountCopy.roleArn, ExternalId: accountCopy.externalId })]);
  });
});

describe("SDK behaviour the copy relies on", () => {
  test.each([
    ["CopyDBClusterSnapshot", "cluster-snapshot", "SourceDBClusterSnapshotIdentifier"],
    ["CopyDBSnapshot", "snapshot", "SourceDBSnapshotIdentifier"],
  ])("%s: the client adds a PreSignedUrl signed for the region of the source ARN (there is no SourceRegion input)", async (action, resource, field) => {
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
    const source = `arn:aws:rds:${SOURCE}:${ACCOUNT}:${resource}:rds:orders-dev-2024-05-09-03-11`;
    const command =
      action === "CopyDBSnapshot"
        ? new CopyDBSnapshotCommand({ SourceDBSnapshotIdentifier: source, TargetDBSnapshotIdentifier: "orders-dev-copy-20240509-0311", KmsKeyId: KMS, CopyTags: true })
        : new CopyDBClusterSnapshotCommand({ SourceDBClusterSnapshotIdentifier: source, TargetDBClusterSnapshotIdentifier: "orders-dev-copy-20240509-0311", KmsKeyId: KMS, CopyTags: true });
    await expect(client.send(command as CopyDBSnapshotCommand)).rejects.toThrow("not sent");
    const params = new URLSearchParams(body);
    expect(params.get("Action")).toBe(action);
    expect(params.has("SourceRegion")).toBe(false);
    const presigned = new URL(params.get("PreSignedUrl") ?? "missing:");
    expect(presigned.host).toBe(`rds.${SOURCE}.amazonaws.com`);
    expect(presigned.searchParams.get("X-Amz-Credential")).toMatch(new RegExp(`^AKIDEXAMPLE/\\d{8}/${SOURCE}/rds/aws4_request$`));
    expect(presigned.searchParams.get("DestinationRegion")).toBe(DR);
    expect(presigned.searchParams.get(field)).toBe(source);
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
