import {
  CreateDBInstanceCommand,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  ModifyDBClusterCommand,
  RDSClient,
  RestoreDBClusterFromSnapshotCommand,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { initialState, runDrill, type DrillDatabase, type DrillSettings, type DrillState } from "../../lambdas/restore-drill/drill";
import { drillPrefix } from "../../lambdas/restore-drill/names";
import type { Verification } from "../../lambdas/restore-drill/verify";
import type { DrillItem } from "../../lambdas/shared/ledger";

const PREFIX = drillPrefix("replica", "prod");
const settings: DrillSettings = {
  environment: "prod",
  region: "eu-west-1",
  prefix: PREFIX,
  subnetGroupName: "replica-prod-eu-west-1-db",
  securityGroupIds: ["sg-0db"],
  kmsKeyArn: "arn:aws:kms:eu-west-1:333333333333:key/dr",
  maxMinutes: 120,
};
const ledger: DrillDatabase = { name: "ledger", engine: "aurora-postgresql", sourceClusterIdentifier: "replica-prod-ledger", databaseName: "ledger", port: 5432 };
const OK: Verification = { ok: true, schemaVersion: "7", expectedSchemaVersion: "7", tables: [], problems: [] };

/** A region's RDS, for the drill: clusters and instances become available after a few describes. */
function fakeRds(options: { clusterTicks?: number; snapshots?: { id: string; status: string }[] } = {}) {
  const rds = new RDSClient({ region: "eu-west-1" });
  const stub = mockClient(rds);
  const clusters = new Map<string, { status: string; ticks: number; pendingPassword: boolean }>();
  const instances = new Map<string, { status: string; ticks: number }>();
  const snapshots = options.snapshots ?? [
    { id: "replica-prod-ledger-copy-20261130-0500", status: "available" },
    { id: "replica-prod-ledger-copy-20261201-0500", status: "available" },
    { id: "replica-prod-ledger-copy-20261202-0500", status: "copying" },
    { id: "replica-prod-catalog-copy-20261202-0400", status: "available" },
    { id: "manual-by-someone", status: "available" },
  ];
  stub.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: snapshots.map((s) => ({ DBClusterSnapshotIdentifier: s.id, Status: s.status })) });
  stub.on(RestoreDBClusterFromSnapshotCommand).callsFake((input) => {
    clusters.set(input.DBClusterIdentifier, { status: "creating", ticks: options.clusterTicks ?? 2, pendingPassword: false });
    return {};
  });
  stub.on(DescribeDBClustersCommand).callsFake((input) => {
    const c = clusters.get(input.DBClusterIdentifier);
    if (!c) throw new DBClusterNotFoundFault({ message: "not found", $metadata: {} });
    if (c.status === "creating" && --c.ticks <= 0) c.status = "available";
    const pending = c.pendingPassword;
    c.pendingPassword = false;
    return { DBClusters: [{ Status: c.status, Endpoint: `${input.DBClusterIdentifier}.cluster-x.eu-west-1.rds.amazonaws.com`, MasterUsername: "dbadmin", PendingModifiedValues: pending ? { MasterUserPassword: "****" } : undefined }] };
  });
  stub.on(ModifyDBClusterCommand).callsFake((input) => {
    clusters.get(input.DBClusterIdentifier)!.pendingPassword = true;
    return {};
  });
  stub.on(CreateDBInstanceCommand).callsFake((input) => {
    instances.set(input.DBInstanceIdentifier, { status: "creating", ticks: 2 });
    return {};
  });
  stub.on(DescribeDBInstancesCommand).callsFake((input) => {
    const i = instances.get(input.DBInstanceIdentifier);
    if (!i) throw new DBInstanceNotFoundFault({ message: "not found", $metadata: {} });
    if (i.status === "creating" && --i.ticks <= 0) i.status = "available";
    if (i.status === "deleting" && --i.ticks <= 0) {
      instances.delete(input.DBInstanceIdentifier);
      throw new DBInstanceNotFoundFault({ message: "not found", $metadata: {} });
    }
    return { DBInstances: [{ DBInstanceStatus: i.status }] };
  });
  stub.on(DeleteDBInstanceCommand).callsFake((input) => {
    instances.set(input.DBInstanceIdentifier, { status: "deleting", ticks: 2 });
    return {};
  });
  stub.on(DeleteDBClusterCommand).callsFake((input) => {
    if ([...instances.keys()].some((id) => id.startsWith(input.DBClusterIdentifier))) throw new Error("cluster still has instances");
    clusters.delete(input.DBClusterIdentifier);
    return {};
  });
  return { rds, stub, clusters, instances };
}

function run(fake: ReturnType<typeof fakeRds>, verify: () => Promise<Verification> = async () => OK, state: DrillState = initialState(ledger), budgetMs = 24 * 3600_000) {
  let clock = Date.parse("2026-12-02T06:00:00Z");
  const recorded: DrillItem[] = [];
  const metrics: [string, number][] = [];
  const connections: any[] = [];
  const deps = {
    rds: fake.rds,
    now: () => new Date(clock),
    verify: async (_db: DrillDatabase, connection: any) => {
      connections.push(connection);
      return verify();
    },
    record: async (item: DrillItem) => void recorded.push(item),
    metric: (name: string, value: number) => void metrics.push([name, value]),
    sleep: async (ms: number) => void (clock += ms),
  };
  return { result: runDrill(state, settings, deps, { budgetMs, pollMs: 60_000 }), recorded, metrics, connections };
}

const inputsOf = (fake: ReturnType<typeof fakeRds>, command: any) => fake.stub.commandCalls(command).map((c) => c.args[0].input as any);

function expectTornDown(fake: ReturnType<typeof fakeRds>) {
  expect(fake.clusters.size).toBe(0);
  expect(fake.instances.size).toBe(0);
  expect(inputsOf(fake, DeleteDBClusterCommand)).toEqual([{ DBClusterIdentifier: "replica-prod-restore-drill-ledger-261202", SkipFinalSnapshot: true }]);
}

test("restores the newest available copy, verifies it, records the restore time, and deletes it", async () => {
  const fake = fakeRds();
  const { result, recorded, metrics, connections } = run(fake);
  expect((await result).phase).toBe("finished");
  expect(inputsOf(fake, RestoreDBClusterFromSnapshotCommand)).toEqual([
    expect.objectContaining({ DBClusterIdentifier: "replica-prod-restore-drill-ledger-261202", SnapshotIdentifier: "replica-prod-ledger-copy-20261201-0500", DBSubnetGroupName: "replica-prod-eu-west-1-db", VpcSecurityGroupIds: ["sg-0db"], KmsKeyId: settings.kmsKeyArn, DeletionProtection: false }),
  ]);
  expect(inputsOf(fake, CreateDBInstanceCommand)).toEqual([expect.objectContaining({ DBInstanceIdentifier: "replica-prod-restore-drill-ledger-261202-1", DBInstanceClass: "db.serverless", PubliclyAccessible: false })]);
  // a fresh master password, set before connecting, never recorded
  const [modify] = inputsOf(fake, ModifyDBClusterCommand);
  expect(modify.MasterUserPassword).toHaveLength(32);
  expect(connections).toEqual([{ host: "replica-prod-restore-drill-ledger-261202.cluster-x.eu-west-1.rds.amazonaws.com", port: 5432, user: "dbadmin", password: modify.MasterUserPassword, database: "ledger" }]);
  expect(JSON.stringify(recorded)).not.toContain(modify.MasterUserPassword);
  expect(recorded.map((r) => r.status)).toEqual(["started", "succeeded"]);
  expect(recorded[1]).toEqual(expect.objectContaining({ pk: "DRILL#prod", runId: "replica-prod-restore-drill-ledger-261202", snapshotIdentifier: "replica-prod-ledger-copy-20261201-0500", schemaVersion: "7", originRegion: "eu-west-1" }));
  expect(recorded[1].restoreSeconds).toBeGreaterThan(0);
  expect(metrics).toEqual([["RestoreDrillSucceeded", 1], ["RestoreDrillSeconds", recorded[1].restoreSeconds]]);
  expectTornDown(fake);
});

test("a failed verification is recorded with its problems, alarms, and still tears down", async () => {
  const fake = fakeRds();
  const { result, recorded, metrics } = run(fake, async () => ({ ...OK, ok: false, problems: ["countries differs from countries.csv in 1 row(s)"] }));
  await result;
  expect(recorded.map((r) => r.status)).toEqual(["started", "failed"]);
  expect(recorded[1].problems).toEqual(["countries differs from countries.csv in 1 row(s)"]);
  expect(metrics.map(([name]) => name)).toEqual(["RestoreDrillFailed", "RestoreDrillSeconds"]);
  expectTornDown(fake);
});

test("verification that throws (no connection) is a failure, and still tears down", async () => {
  const fake = fakeRds();
  const { result, recorded } = run(fake, async () => {
    throw new Error("connect ECONNREFUSED 10.31.0.12:5432");
  });
  await result;
  expect(recorded[1]).toEqual(expect.objectContaining({ status: "failed", error: "connect ECONNREFUSED 10.31.0.12:5432" }));
  expectTornDown(fake);
});

test("a drill that does not finish within maxMinutes is timed out and torn down", async () => {
  const fake = fakeRds({ clusterTicks: 10_000 });
  const { result, recorded, metrics } = run(fake);
  expect((await result).phase).toBe("finished");
  expect(recorded.map((r) => r.status)).toEqual(["started", "timed-out"]);
  expect(recorded[1].error).toBe("not finished within 120 minutes (in wait-cluster)");
  expect(metrics).toEqual([["RestoreDrillFailed", 1]]);
  expect(inputsOf(fake, CreateDBInstanceCommand)).toEqual([]);
  expect(fake.clusters.size).toBe(0);
});

test("without a snapshot copy nothing is created and the failure is recorded", async () => {
  const fake = fakeRds({ snapshots: [{ id: "replica-prod-ledger-copy-20261201-0500", status: "copying" }] });
  const { result, recorded } = run(fake);
  expect((await result).phase).toBe("finished");
  expect(inputsOf(fake, RestoreDBClusterFromSnapshotCommand)).toEqual([]);
  expect(recorded).toEqual([expect.objectContaining({ status: "failed", error: "no available snapshot copy of replica-prod-ledger in this region" })]);
});

test("an invocation that runs out of time hands its state on; the next one carries on and tears down", async () => {
  const fake = fakeRds({ clusterTicks: 5 });
  const first = run(fake, async () => OK, initialState(ledger), 2 * 60_000);
  const handedOn = await first.result;
  expect(handedOn.phase).toBe("wait-cluster");
  const second = run(fake, async () => OK, JSON.parse(JSON.stringify(handedOn)));
  expect((await second.result).phase).toBe("finished");
  expect(inputsOf(fake, RestoreDBClusterFromSnapshotCommand)).toHaveLength(1);
  expect(second.recorded.map((r) => r.status)).toEqual(["succeeded"]);
  expectTornDown(fake);
});

test("every identifier the drill creates, changes or deletes is under the drill prefix", async () => {
  const fake = fakeRds();
  await run(fake).result;
  const touched = [
    ...inputsOf(fake, RestoreDBClusterFromSnapshotCommand).map((i) => i.DBClusterIdentifier),
    ...inputsOf(fake, CreateDBInstanceCommand).flatMap((i) => [i.DBInstanceIdentifier, i.DBClusterIdentifier]),
    ...inputsOf(fake, ModifyDBClusterCommand).map((i) => i.DBClusterIdentifier),
    ...inputsOf(fake, DeleteDBInstanceCommand).map((i) => i.DBInstanceIdentifier),
    ...inputsOf(fake, DeleteDBClusterCommand).map((i) => i.DBClusterIdentifier),
  ];
  expect(touched.length).toBeGreaterThan(5);
  for (const id of touched) expect(id.startsWith(PREFIX)).toBe(true);
});

test("the longest possible names fit RDS's 63 characters", async () => {
  const { drillClusterIdentifier, drillInstanceIdentifier } = await import("../../lambdas/restore-drill/names");
  const id = drillInstanceIdentifier(drillClusterIdentifier(drillPrefix("abcdefghijkl", "abcdefghij"), "abcdefghijklmnop", new Date("2026-12-02T00:00:00Z")));
  expect(id.length).toBeLessThanOrEqual(63);
});
