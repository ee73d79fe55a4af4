import { GetMetricStatisticsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, type RDSClient } from "@aws-sdk/client-rds";
import type { GlobalDatabase, MemberCluster } from "./targets";

/** SDK clients of one region. */
export interface RegionClients {
  readonly rds: RDSClient;
  readonly cloudwatch: CloudWatchClient;
}

export type ClientsFor = (region: string) => RegionClients;

/** A switchover or failover RDS is carrying out (`GlobalCluster.FailoverState`). */
export interface MoveInProgress {
  readonly status: string;
  readonly fromArn?: string;
  readonly toArn?: string;
  readonly dataLossAllowed: boolean;
}

/** One member cluster as RDS reports it. */
export interface MemberState {
  readonly cluster: MemberCluster;
  /** Whether the global cluster lists it (false after detach-and-promote). */
  readonly isMember: boolean;
  readonly isWriter: boolean;
  /** `connected`, `pending-resync`; undefined for the writer or a non-member. */
  readonly synchronizationStatus?: string;
  /** DescribeDBClusters `Status` in its own region (`available`, ...); undefined when unreachable. */
  readonly clusterStatus?: string;
  /** The most recent `AuroraGlobalDBReplicationLag` into it (ms, highest of the last 5 minutes); undefined without data. */
  readonly replicationLagMs?: number;
  /** Why its region could not be asked, when it could not. */
  readonly unreachable?: string;
}

export interface GlobalDatabaseState {
  readonly database: GlobalDatabase;
  /** `available`, `failing-over`, ...; undefined when no region answered. */
  readonly status?: string;
  /** Region of the member RDS reports as writer. */
  readonly writerRegion?: string;
  readonly moveInProgress?: MoveInProgress;
  readonly primary: MemberState;
  readonly secondary: MemberState;
}

/** How far back the lag is read: the alarms use 5 one-minute periods too. */
const LAG_WINDOW_MS = 5 * 60_000;

/**
 * Reads a global database's state: DescribeGlobalClusters (asked in the DR region first, since that
 * region is the one left during an outage of the primary, then the primary), each member's
 * DescribeDBClusters in its own region and the replication lag CloudWatch has for it.
 */
export async function readGlobalDatabase(database: GlobalDatabase, clientsFor: ClientsFor, now: () => Date = () => new Date()): Promise<GlobalDatabaseState> {
  let global: Awaited<ReturnType<typeof describeGlobal>> | undefined;
  for (const region of [database.secondary.region, database.primary.region]) {
    try {
      global = await describeGlobal(clientsFor(region).rds, database.globalClusterIdentifier);
      break;
    } catch (error) {
      if ((error as { name?: string }).name === "GlobalClusterNotFoundFault") throw new Error(`the global cluster ${database.globalClusterIdentifier} does not exist (deployed?)`);
    }
  }
  const members = global?.GlobalClusterMembers ?? [];
  const member = async (cluster: MemberCluster): Promise<MemberState> => {
    const listed = members.find((m) => m.DBClusterArn === cluster.arn);
    const base = { cluster, isMember: listed !== undefined, isWriter: listed?.IsWriter === true, synchronizationStatus: listed?.IsWriter ? undefined : listed?.SynchronizationStatus };
    try {
      const clients = clientsFor(cluster.region);
      const described = await clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster.clusterIdentifier }));
      return { ...base, clusterStatus: described.DBClusters?.[0]?.Status, replicationLagMs: base.isWriter ? undefined : await replicationLag(clients.cloudwatch, cluster.clusterIdentifier, now()) };
    } catch (error) {
      return { ...base, unreachable: (error as Error).message };
    }
  };
  const [primary, secondary] = await Promise.all([member(database.primary), member(database.secondary)]);
  const writer = [primary, secondary].find((m) => m.isWriter);
  const failover = global?.FailoverState;
  return {
    database,
    status: global?.Status,
    writerRegion: writer?.cluster.region,
    moveInProgress: failover?.Status ? { status: failover.Status, fromArn: failover.FromDbClusterArn, toArn: failover.ToDbClusterArn, dataLossAllowed: failover.IsDataLossAllowed === true } : undefined,
    primary,
    secondary,
  };
}

async function describeGlobal(rds: RDSClient, identifier: string) {
  const response = await rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: identifier }));
  const global = response.GlobalClusters?.[0];
  if (!global) throw Object.assign(new Error(`no global cluster ${identifier}`), { name: "GlobalClusterNotFoundFault" });
  return global;
}

async function replicationLag(cloudwatch: CloudWatchClient, clusterIdentifier: string, now: Date): Promise<number | undefined> {
  const response = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: "AWS/RDS",
      MetricName: "AuroraGlobalDBReplicationLag",
      Dimensions: [{ Name: "DBClusterIdentifier", Value: clusterIdentifier }],
      StartTime: new Date(now.getTime() - LAG_WINDOW_MS),
      EndTime: now,
      Period: 60,
      Statistics: ["Maximum"],
    }),
  );
  const values = (response.Datapoints ?? []).map((d) => d.Maximum).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : Math.max(...values);
}

/** The member in the other region than `cluster`'s. */
export function otherMember(state: GlobalDatabaseState, cluster: MemberCluster): MemberState {
  return state.primary.cluster.arn === cluster.arn ? state.secondary : state.primary;
}

/** One line per database for `status`. */
export function describeState(state: GlobalDatabaseState): string {
  const member = (m: MemberState) => {
    const role = !m.isMember ? "detached" : m.isWriter ? "writer" : "secondary";
    const lag = m.replicationLagMs === undefined ? "" : `, lag ${m.replicationLagMs} ms`;
    const sync = m.synchronizationStatus ? `, ${m.synchronizationStatus}` : "";
    return `${m.cluster.region}: ${m.cluster.clusterIdentifier} ${role} (${m.unreachable ? `unreachable: ${m.unreachable}` : m.clusterStatus ?? "unknown"}${sync}${lag})`;
  };
  const moving = state.moveInProgress ? `; ${state.moveInProgress.status} to ${state.moveInProgress.toArn ?? "?"}` : "";
  return `${state.database.name} (${state.database.globalClusterIdentifier}): writer in ${state.writerRegion ?? "no region"}, ${state.status ?? "global cluster unreachable"}${moving}\n  ${member(state.primary)}\n  ${member(state.secondary)}`;
}
