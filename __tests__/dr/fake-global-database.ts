import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { mockClient, type AwsStub } from "aws-sdk-client-mock";
import type { RegionClients } from "../../src/dr/state";
import type { GlobalDatabase } from "../../src/dr/targets";

/** One global database as RDS would report it, advanced by polls (each DescribeGlobalClusters is one tick). */
export interface FakeGlobal {
  database: GlobalDatabase;
  status: string;
  writerArn: string;
  members: string[];
  clusterStatus: Record<string, string>;
  syncStatus: string;
  /** Lag into each cluster identifier, ms; absent = no datapoints. */
  lagMs: Record<string, number | undefined>;
  /** A move RDS is carrying out: finishes after `ticksLeft` reads. */
  moving?: { toArn: string; status: string; ticksLeft: number; dataLoss: boolean };
  /** A detached cluster being promoted: available after `ticksLeft` reads. */
  promoting?: { arn: string; ticksLeft: number };
}

export interface FakeWorld {
  readonly globals: Map<string, FakeGlobal>;
  readonly unreachable: Set<string>;
  /** Ticks a move takes once accepted. @default 2 */
  moveTicks: number;
  /** When set, RDS accepts a move call but never shows it (to test the "dropped" path). */
  dropMoves: boolean;
}

const regionOf = (arn: string) => arn.split(":")[3];

export function fakeWorld(databases: readonly GlobalDatabase[]): FakeWorld {
  const globals = new Map<string, FakeGlobal>();
  for (const database of databases) {
    globals.set(database.globalClusterIdentifier, {
      database,
      status: "available",
      writerArn: database.primary.arn,
      members: [database.primary.arn, database.secondary.arn],
      clusterStatus: { [database.primary.arn]: "available", [database.secondary.arn]: "available" },
      syncStatus: "connected",
      lagMs: { [database.primary.clusterIdentifier]: undefined, [database.secondary.clusterIdentifier]: 400 },
    });
  }
  return { globals, unreachable: new Set(), moveTicks: 2, dropMoves: false };
}

function tick(global: FakeGlobal): void {
  if (global.moving && --global.moving.ticksLeft <= 0) {
    global.writerArn = global.moving.toArn;
    global.moving = undefined;
    global.status = "available";
  }
  if (global.promoting && --global.promoting.ticksLeft <= 0) {
    global.clusterStatus[global.promoting.arn] = "available";
    global.promoting = undefined;
  }
}

function byClusterArn(world: FakeWorld, arn: string): FakeGlobal {
  const global = [...world.globals.values()].find((g) => g.database.primary.arn === arn || g.database.secondary.arn === arn);
  if (!global) throw new Error(`no cluster ${arn}`);
  return global;
}

/** Per-region clients whose RDS and CloudWatch answer from the world; the stubs record every call. */
export function fakeClients(world: FakeWorld, regions: readonly string[]): { clientsFor: (region: string) => RegionClients; rds: Record<string, AwsStub<any, any, any>> } {
  const clients: Record<string, RegionClients> = {};
  const rdsStubs: Record<string, AwsStub<any, any, any>> = {};
  for (const region of regions) {
    const rds = new RDSClient({ region });
    const cloudwatch = new CloudWatchClient({ region });
    const rdsStub = mockClient(rds);
    const down = () => {
      if (world.unreachable.has(region)) throw Object.assign(new Error(`connect ETIMEDOUT rds.${region}.amazonaws.com`), { name: "TimeoutError" });
    };
    rdsStub.on(DescribeGlobalClustersCommand).callsFake((input) => {
      down();
      const global = world.globals.get(input.GlobalClusterIdentifier);
      if (!global) throw Object.assign(new Error("not found"), { name: "GlobalClusterNotFoundFault" });
      tick(global);
      return {
        GlobalClusters: [
          {
            GlobalClusterIdentifier: input.GlobalClusterIdentifier,
            Status: global.status,
            GlobalClusterMembers: global.members.map((arn) => ({ DBClusterArn: arn, IsWriter: arn === global.writerArn, SynchronizationStatus: arn === global.writerArn ? undefined : global.syncStatus })),
            FailoverState: global.moving ? { Status: global.moving.status, ToDbClusterArn: global.moving.toArn, FromDbClusterArn: global.writerArn, IsDataLossAllowed: global.moving.dataLoss } : undefined,
          },
        ],
      };
    });
    rdsStub.on(DescribeDBClustersCommand).callsFake((input) => {
      down();
      const arn = `arn:aws:rds:${region}:333333333333:cluster:${input.DBClusterIdentifier}`;
      const global = byClusterArn(world, arn);
      return { DBClusters: [{ DBClusterIdentifier: input.DBClusterIdentifier, Status: global.clusterStatus[arn] }] };
    });
    const move = (status: string, dataLoss: boolean) => (input: { GlobalClusterIdentifier?: string; TargetDbClusterIdentifier?: string }) => {
      down();
      const global = world.globals.get(input.GlobalClusterIdentifier!)!;
      if (world.dropMoves) return {};
      global.moving = { toArn: input.TargetDbClusterIdentifier!, status, ticksLeft: world.moveTicks, dataLoss };
      global.status = status;
      return {};
    };
    rdsStub.on(SwitchoverGlobalClusterCommand).callsFake(move("switching-over", false));
    rdsStub.on(FailoverGlobalClusterCommand).callsFake(move("failing-over", true));
    rdsStub.on(RemoveFromGlobalClusterCommand).callsFake((input) => {
      down();
      const global = world.globals.get(input.GlobalClusterIdentifier!)!;
      global.members = global.members.filter((arn) => arn !== input.DbClusterIdentifier);
      global.clusterStatus[input.DbClusterIdentifier!] = "promoting";
      global.promoting = { arn: input.DbClusterIdentifier!, ticksLeft: world.moveTicks };
      return {};
    });
    mockClient(cloudwatch)
      .on(GetMetricStatisticsCommand)
      .callsFake((input) => {
        down();
        const id = input.Dimensions[0].Value;
        const global = [...world.globals.values()].find((g) => g.database.primary.clusterIdentifier === id || g.database.secondary.clusterIdentifier === id)!;
        const lag = global.lagMs[id];
        return { Datapoints: lag === undefined ? [] : [{ Maximum: lag / 2 }, { Maximum: lag }] };
      });
    clients[region] = { rds, cloudwatch };
    rdsStubs[region] = rdsStub;
  }
  return { clientsFor: (region) => clients[region], rds: rdsStubs };
}

export { regionOf };
