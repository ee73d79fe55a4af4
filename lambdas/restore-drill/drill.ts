/**
 * One restore drill of one database, as a resumable state machine: each `advance` makes at most one
 * RDS call and says what comes next, so the handler can wait in between (a restore takes longer than
 * a Lambda may run) and hand the state to its next invocation.
 *
 *   restore ─▶ wait-cluster ─▶ wait-instance ─▶ verify ─▶ teardown ─▶ wait-instance-deleted ─▶ finished
 *        └────────── any error, a failed verification, or the deadline ──────────▶ teardown
 *
 * Teardown runs on every path: nothing reaches `finished` with the drill cluster still there.
 */
import {
  CreateDBInstanceCommand,
  DBClusterNotFoundFault,
  DBInstanceNotFoundFault,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBInstancesCommand,
  InvalidDBClusterStateFault,
  InvalidDBInstanceStateFault,
  ModifyDBClusterCommand,
  RestoreDBClusterFromSnapshotCommand,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { randomBytes } from "node:crypto";
import { ledgerItems, type DrillItem, type DrillStatus } from "../shared/ledger";
import { nameTime } from "../snapshot-copy/names";
import { drillClusterIdentifier, drillInstanceIdentifier } from "./names";
import type { Verification } from "./verify";

/** One database the drill restores, from the function's configuration. */
export interface DrillDatabase {
  readonly name: string;
  readonly engine: "aurora-postgresql" | "aurora-mysql";
  /** The primary cluster's identifier: the snapshot copies in this region are named after it. */
  readonly sourceClusterIdentifier: string;
  readonly databaseName: string;
  readonly port: number;
}

export interface DrillSettings {
  readonly environment: string;
  readonly region: string;
  readonly prefix: string;
  readonly subnetGroupName: string;
  readonly securityGroupIds: readonly string[];
  /** The DR region's environment key (the snapshot copies are encrypted with it). */
  readonly kmsKeyArn: string;
  /** Minutes after the restore call at which the drill is abandoned (timed-out) and torn down. */
  readonly maxMinutes: number;
}

export type Phase = "restore" | "wait-cluster" | "wait-instance" | "verify" | "teardown" | "wait-instance-deleted" | "finished";

/** Everything the next invocation needs (it travels in the re-invocation's event). */
export interface DrillState {
  readonly database: DrillDatabase;
  readonly phase: Phase;
  readonly clusterIdentifier?: string;
  readonly snapshotIdentifier?: string;
  /** ISO time of the restore call. */
  readonly startedAt?: string;
  /** How the drill ended, once known (set before teardown). */
  readonly outcome?: { readonly status: Exclude<DrillStatus, "started">; readonly restoreSeconds?: number; readonly schemaVersion?: string; readonly problems?: readonly string[]; readonly error?: string };
}

export interface DrillDependencies {
  readonly rds: RDSClient;
  readonly now: () => Date;
  /** Verifies the restored database (verify.ts) with the master user and the password just set. */
  readonly verify: (database: DrillDatabase, connection: { host: string; port: number; user: string; password: string; database: string }, snapshotTakenAt: Date | undefined) => Promise<Verification>;
  readonly record: (item: DrillItem) => Promise<void>;
  readonly metric: (name: "RestoreDrillSeconds" | "RestoreDrillFailed" | "RestoreDrillSucceeded", value: number, database: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
}

export class NoSnapshotCopyError extends Error {}

export function initialState(database: DrillDatabase): DrillState {
  return { database, phase: "restore" };
}

/** One step. Waiting phases return the same state until RDS is ready; the caller sleeps between calls. */
export async function advance(state: DrillState, settings: DrillSettings, deps: DrillDependencies): Promise<DrillState> {
  if (state.phase === "teardown" || state.phase === "wait-instance-deleted" || state.phase === "finished") return tearDown(state, deps);
  if (state.startedAt !== undefined && deps.now().getTime() - Date.parse(state.startedAt) > settings.maxMinutes * 60_000) {
    return end(state, { status: "timed-out", error: `not finished within ${settings.maxMinutes} minutes (in ${state.phase})` }, settings, deps);
  }
  try {
    return await step(state, settings, deps);
  } catch (error) {
    return end(state, { status: "failed", error: (error as Error).message }, settings, deps);
  }
}

async function step(state: DrillState, settings: DrillSettings, deps: DrillDependencies): Promise<DrillState> {
  const { rds } = deps;
  switch (state.phase) {
    case "restore": {
      const snapshot = await newestCopy(rds, state.database);
      const startedAt = deps.now();
      const clusterIdentifier = drillClusterIdentifier(settings.prefix, state.database.name, startedAt);
      await rds.send(
        new RestoreDBClusterFromSnapshotCommand({
          DBClusterIdentifier: clusterIdentifier,
          SnapshotIdentifier: snapshot,
          Engine: state.database.engine,
          DBSubnetGroupName: settings.subnetGroupName,
          VpcSecurityGroupIds: [...settings.securityGroupIds],
          KmsKeyId: settings.kmsKeyArn,
          Port: state.database.port,
          DeletionProtection: false,
          ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 2 },
          Tags: [{ Key: "restore-drill", Value: settings.environment }],
        }),
      );
      const next: DrillState = { ...state, phase: "wait-cluster", clusterIdentifier, snapshotIdentifier: snapshot, startedAt: startedAt.toISOString() };
      await record(next, "started", settings, deps);
      return next;
    }
    case "wait-cluster": {
      if ((await clusterStatus(rds, state.clusterIdentifier!)) !== "available") return state;
      await rds.send(
        new CreateDBInstanceCommand({
          DBInstanceIdentifier: drillInstanceIdentifier(state.clusterIdentifier!),
          DBClusterIdentifier: state.clusterIdentifier,
          Engine: state.database.engine,
          DBInstanceClass: "db.serverless",
          PubliclyAccessible: false,
          Tags: [{ Key: "restore-drill", Value: settings.environment }],
        }),
      );
      return { ...state, phase: "wait-instance" };
    }
    case "wait-instance": {
      if ((await instanceStatus(rds, drillInstanceIdentifier(state.clusterIdentifier!))) !== "available") return state;
      return { ...state, phase: "verify" };
    }
    case "verify": {
      // The snapshot holds the master password of its day (rotated since): set a fresh one that
      // lives only in this invocation's memory, then connect with it.
      const password = randomBytes(24).toString("base64url");
      await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: state.clusterIdentifier, MasterUserPassword: password, ApplyImmediately: true }));
      const cluster = await waitForPassword(rds, state.clusterIdentifier!, deps);
      const restoreSeconds = Math.round((deps.now().getTime() - Date.parse(state.startedAt!)) / 1000);
      const takenAt = state.snapshotIdentifier ? nameTime(state.database.sourceClusterIdentifier, "copy", state.snapshotIdentifier) : undefined;
      const verification = await deps.verify(state.database, { host: cluster.endpoint, port: state.database.port, user: cluster.masterUsername, password, database: state.database.databaseName }, takenAt);
      const outcome = verification.ok ? { status: "succeeded" as const, restoreSeconds, schemaVersion: verification.schemaVersion } : { status: "failed" as const, restoreSeconds, schemaVersion: verification.schemaVersion, problems: verification.problems };
      return end(state, outcome, settings, deps);
    }
  }
  throw new Error(`unexpected phase ${state.phase}`);
}

/** Records how the drill ended, emits its metrics, and moves to teardown. */
async function end(state: DrillState, outcome: NonNullable<DrillState["outcome"]>, settings: DrillSettings, deps: DrillDependencies): Promise<DrillState> {
  const next: DrillState = { ...state, phase: "teardown", outcome };
  if (outcome.status === "succeeded") {
    deps.metric("RestoreDrillSucceeded", 1, state.database.name);
    deps.metric("RestoreDrillSeconds", outcome.restoreSeconds ?? 0, state.database.name);
  } else {
    deps.metric("RestoreDrillFailed", 1, state.database.name);
    if (outcome.restoreSeconds !== undefined) deps.metric("RestoreDrillSeconds", outcome.restoreSeconds, state.database.name);
  }
  await record(next, outcome.status, settings, deps);
  return next;
}

async function tearDown(state: DrillState, deps: DrillDependencies): Promise<DrillState> {
  const { rds } = deps;
  const cluster = state.clusterIdentifier;
  if (cluster === undefined || state.phase === "finished") return { ...state, phase: "finished" };
  const instance = drillInstanceIdentifier(cluster);
  if (state.phase === "teardown") {
    const status = await instanceStatus(rds, instance);
    try {
      if (status !== undefined && status !== "deleting") await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: instance, SkipFinalSnapshot: true }));
    } catch (error) {
      // Still being created or modified: try again at the next step.
      if (error instanceof InvalidDBInstanceStateFault) return state;
      if (!(error instanceof DBInstanceNotFoundFault)) throw error;
    }
    return { ...state, phase: "wait-instance-deleted" };
  }
  // wait-instance-deleted: a cluster can only be deleted once it has no instance left.
  if ((await instanceStatus(rds, instance)) !== undefined) return state;
  try {
    await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: cluster, SkipFinalSnapshot: true }));
  } catch (error) {
    if (error instanceof InvalidDBClusterStateFault) return state; // still creating: wait, then delete
    if (!(error instanceof DBClusterNotFoundFault)) throw error;
  }
  return { ...state, phase: "finished" };
}

/** The newest available copy in this region of the database's primary cluster (named by the snapshot-copy function). */
async function newestCopy(rds: RDSClient, database: DrillDatabase): Promise<string> {
  let newest: { id: string; time: number } | undefined;
  let marker: string | undefined;
  do {
    const page = await rds.send(new DescribeDBClusterSnapshotsCommand({ SnapshotType: "manual", Marker: marker }));
    for (const s of page.DBClusterSnapshots ?? []) {
      const time = s.DBClusterSnapshotIdentifier ? nameTime(database.sourceClusterIdentifier, "copy", s.DBClusterSnapshotIdentifier) : undefined;
      if (time && s.Status === "available" && (!newest || time.getTime() > newest.time)) newest = { id: s.DBClusterSnapshotIdentifier!, time: time.getTime() };
    }
    marker = page.Marker;
  } while (marker);
  if (!newest) throw new NoSnapshotCopyError(`no available snapshot copy of ${database.sourceClusterIdentifier} in this region`);
  return newest.id;
}

async function clusterStatus(rds: RDSClient, identifier: string): Promise<string | undefined> {
  try {
    return (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0]?.Status;
  } catch (error) {
    if (error instanceof DBClusterNotFoundFault) return undefined;
    throw error;
  }
}

async function instanceStatus(rds: RDSClient, identifier: string): Promise<string | undefined> {
  try {
    return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier }))).DBInstances?.[0]?.DBInstanceStatus;
  } catch (error) {
    if (error instanceof DBInstanceNotFoundFault) return undefined;
    throw error;
  }
}

/** Polls until the new master password is applied (no pending change, cluster available). */
async function waitForPassword(rds: RDSClient, identifier: string, deps: DrillDependencies): Promise<{ endpoint: string; masterUsername: string }> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0];
    if (cluster?.Status === "available" && !cluster.PendingModifiedValues?.MasterUserPassword && cluster.Endpoint && cluster.MasterUsername) return { endpoint: cluster.Endpoint, masterUsername: cluster.MasterUsername };
    await deps.sleep(PASSWORD_POLL_MS);
  }
  throw new Error(`the new master password of ${identifier} was not applied in time`);
}

const PASSWORD_POLL_MS = 5_000;

async function record(state: DrillState, status: DrillStatus, settings: DrillSettings, deps: DrillDependencies): Promise<void> {
  const outcome = state.outcome;
  // The handler's `record` logs its own failures; a ledger that cannot be written must never keep
  // the drill from tearing its cluster down.
  await deps.record(
      ledgerItems.drill({
        environment: settings.environment,
        database: state.database.name,
        runId: state.clusterIdentifier ?? `${state.database.name}-not-started`,
        status,
        snapshotIdentifier: state.snapshotIdentifier,
        restoreSeconds: outcome?.restoreSeconds,
        schemaVersion: outcome?.schemaVersion,
        problems: outcome?.problems,
        error: outcome?.error,
        occurredAt: deps.now().toISOString(),
        originRegion: settings.region,
      }),
    )
    .catch(() => undefined);
}

/**
 * Advances the drill until it is finished or `budgetMs` is spent (then the state is returned for the
 * next invocation), sleeping `pollMs` whenever RDS is not ready yet.
 */
export async function runDrill(state: DrillState, settings: DrillSettings, deps: DrillDependencies, budget: { readonly budgetMs: number; readonly pollMs: number }): Promise<DrillState> {
  const deadline = deps.now().getTime() + budget.budgetMs;
  let current = state;
  while (current.phase !== "finished") {
    const next = await advance(current, settings, deps);
    if (next === current) {
      if (deps.now().getTime() + budget.pollMs > deadline) return current;
      await deps.sleep(budget.pollMs);
    }
    current = next;
  }
  return current;
}
