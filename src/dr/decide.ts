import type { DrAction } from "../../lambdas/shared/ledger";
import { otherMember, type GlobalDatabaseState, type MemberState } from "./state";
import { memberIn } from "./targets";

/** What the operator asked for one global database. */
export interface MoveRequest {
  readonly action: DrAction;
  /** Region that should hold the writer afterwards. */
  readonly toRegion: string;
  /** `disasterRecovery.maxSwitchoverLagSeconds`, in ms. */
  readonly maxLagMs: number;
  /** Skip the checks that only protect against data loss (lag too high or unknown). */
  readonly force: boolean;
}

/**
 * The next step for one database, read from what RDS reports, so that a re-run after an interruption
 * picks up where the last one stopped instead of starting over:
 * - `done`: the writer is already where it was asked to be (or the cluster already stands alone);
 * - `wait`: RDS is carrying the move out (an earlier run started it), only watch it finish;
 * - `refuse`: a precondition does not hold; nothing may be done;
 * - `start`: preconditions hold; issue the call.
 */
export type Decision =
  | { readonly kind: "done"; readonly reason: string }
  | { readonly kind: "wait"; readonly reason: string }
  | { readonly kind: "refuse"; readonly problems: readonly string[] }
  | { readonly kind: "start"; readonly description: string; readonly fromRegion: string; readonly lagMs?: number; readonly forced: readonly string[] };

export function decide(state: GlobalDatabaseState, request: MoveRequest): Decision {
  const target = memberIn(state.database, request.toRegion);
  const to = state.primary.cluster.arn === target.arn ? state.primary : state.secondary;
  const from = otherMember(state, target);
  return request.action === "detach-and-promote" ? decideDetach(state, request, to, from) : decideMove(state, request, to, from);
}

function decideMove(state: GlobalDatabaseState, request: MoveRequest, to: MemberState, from: MemberState): Decision {
  const name = to.cluster.clusterIdentifier;
  const moving = state.moveInProgress;
  if (moving) {
    if (moving.toArn === to.cluster.arn) return { kind: "wait", reason: `RDS is already moving the writer to ${name} (${moving.status}); watching it finish` };
    return { kind: "refuse", problems: [`RDS is moving the writer to ${moving.toArn ?? "another cluster"} (${moving.status}); wait for it to finish, then run the command again`] };
  }
  if (to.isWriter) return { kind: "done", reason: `the writer is already ${name} in ${request.toRegion}` };
  if (!to.isMember) return { kind: "refuse", problems: [`${name} is not a member of ${state.database.globalClusterIdentifier} (detached?): see docs/disaster-recovery.md, "Rebuilding after detach-and-promote"`] };

  const problems = targetProblems(to);
  if (request.action === "switchover") {
    // A switchover needs both regions: RDS synchronizes the secondary with the writer before it swaps roles.
    if (state.status !== "available") problems.push(`the global cluster is ${state.status ?? "unreachable"}, not available`);
    if (from.unreachable !== undefined || from.clusterStatus !== "available") problems.push(`the writer ${from.cluster.clusterIdentifier} in ${from.cluster.region} is ${from.unreachable ? `unreachable (${from.unreachable})` : from.clusterStatus ?? "in an unknown state"}: a switchover needs both regions; in an outage use failover`);
    if (to.synchronizationStatus !== undefined && to.synchronizationStatus !== "connected") problems.push(`${name} is ${to.synchronizationStatus}, not connected to the writer`);
  }
  return withLagCheck(problems, to, request, from.cluster.region, describeMove(request, name, from));
}

function decideDetach(state: GlobalDatabaseState, request: MoveRequest, to: MemberState, from: MemberState): Decision {
  const name = to.cluster.clusterIdentifier;
  if (!to.isMember) {
    if (to.clusterStatus === "available") return { kind: "done", reason: `${name} is already detached and stands alone (writable)` };
    return { kind: "wait", reason: `${name} is detached and being promoted (${to.clusterStatus ?? "status unknown"}); watching it finish` };
  }
  if (state.moveInProgress) return { kind: "refuse", problems: [`RDS is moving the writer (${state.moveInProgress.status}); let it finish, or run failover without --detach`] };
  if (to.isWriter) return { kind: "refuse", problems: [`${name} already holds the writer; there is nothing to promote`] };
  const problems = targetProblems(to);
  return withLagCheck(problems, to, request, from.cluster.region, `remove ${name} from ${state.database.globalClusterIdentifier} (RemoveFromGlobalCluster), which promotes it to a standalone writable cluster; the global writer endpoint keeps pointing at ${from.cluster.clusterIdentifier}`);
}

/** Problems no --force overrides: a target that cannot take the writer. */
function targetProblems(to: MemberState): string[] {
  if (to.unreachable !== undefined) return [`${to.cluster.clusterIdentifier} in ${to.cluster.region} is unreachable (${to.unreachable})`];
  if (to.clusterStatus !== "available") return [`${to.cluster.clusterIdentifier} is ${to.clusterStatus ?? "in an unknown state"}, not available`];
  return [];
}

function withLagCheck(problems: string[], to: MemberState, request: MoveRequest, fromRegion: string, description: string): Decision {
  // The lag is what a failover loses and what a switchover must drain first; --force accepts it.
  const lagProblem =
    to.replicationLagMs === undefined
      ? `no replication lag of ${to.cluster.clusterIdentifier} in the last 5 minutes (CloudWatch AuroraGlobalDBReplicationLag)`
      : to.replicationLagMs > request.maxLagMs
        ? `replication lag of ${to.cluster.clusterIdentifier} is ${to.replicationLagMs} ms, above disasterRecovery.maxSwitchoverLagSeconds (${request.maxLagMs} ms)`
        : undefined;
  if (problems.length > 0) return { kind: "refuse", problems: lagProblem ? [...problems, lagProblem] : problems };
  if (lagProblem && !request.force) return { kind: "refuse", problems: [`${lagProblem}; pass --force to go ahead anyway`] };
  return { kind: "start", description, fromRegion, lagMs: to.replicationLagMs, forced: lagProblem ? [lagProblem] : [] };
}

function describeMove(request: MoveRequest, name: string, from: MemberState): string {
  return request.action === "switchover"
    ? `switch the writer over from ${from.cluster.clusterIdentifier} to ${name} (SwitchoverGlobalCluster: synchronized first, no data loss)`
    : `fail the writer over from ${from.cluster.clusterIdentifier} to ${name} (FailoverGlobalCluster with AllowDataLoss: what has not replicated is lost)`;
}
