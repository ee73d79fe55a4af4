import { FailoverGlobalClusterCommand, RemoveFromGlobalClusterCommand, SwitchoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import { ledgerItems, type DrAction, type DrItem, type DrStatus } from "../../lambdas/shared/ledger";
import { decide, type Decision, type MoveRequest } from "./decide";
import { describeState, readGlobalDatabase, type ClientsFor, type GlobalDatabaseState } from "./state";
import type { GlobalDatabase } from "./targets";

export interface RunDependencies {
  readonly clientsFor: ClientsFor;
  /** Records one item in the environment's ledger; a failure is reported, never fatal (RDS holds the truth). */
  readonly record: (item: DrItem) => Promise<void>;
  /** Asks the operator once (not called with --yes); true means go ahead. */
  readonly confirm: (question: string) => Promise<boolean>;
  readonly print: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
}

export interface RunOptions {
  readonly environment: string;
  readonly databases: readonly GlobalDatabase[];
  readonly action: DrAction;
  readonly toRegion: string;
  readonly maxLagMs: number;
  readonly force: boolean;
  /** Do not ask for confirmation. */
  readonly yes: boolean;
  /** Give up watching after this long (RDS carries on; a re-run keeps watching). @default 30 min */
  readonly waitTimeoutMs?: number;
  /** @default 15 s */
  readonly pollIntervalMs?: number;
  /** Who runs it, for the ledger. */
  readonly operator?: string;
}

export type RunOutcome = "done" | "refused" | "declined" | "failed" | "timed-out";

/**
 * Switchover, failover or detach-and-promote of an environment's global databases: reads each
 * database's state, decides (decide.ts), prints the plan, asks once, then carries out each database
 * in turn and watches RDS until the writer is where it was asked to be. Every step is recorded in the
 * ledger (`dr` items). Nothing is done unless every database's preconditions hold.
 */
export async function runMove(options: RunOptions, deps: RunDependencies): Promise<RunOutcome> {
  const request: MoveRequest = { action: options.action, toRegion: options.toRegion, maxLagMs: options.maxLagMs, force: options.force };
  const planned: { state: GlobalDatabaseState; decision: Decision }[] = [];
  for (const database of options.databases) {
    const state = await readGlobalDatabase(database, deps.clientsFor, deps.now);
    planned.push({ state, decision: decide(state, request) });
  }

  deps.print(`${options.action} of ${options.environment} to ${options.toRegion}:`);
  for (const { state, decision } of planned) {
    deps.print(describeState(state));
    deps.print(`  -> ${describeDecision(decision)}`);
  }
  const refused = planned.filter((p) => p.decision.kind === "refuse");
  if (refused.length > 0) {
    deps.print(`Nothing was done: ${refused.length} database(s) do not meet the preconditions.`);
    return "refused";
  }
  const toStart = planned.filter((p) => p.decision.kind === "start");
  if (toStart.length > 0 && !options.yes && !(await deps.confirm(`Go ahead with ${toStart.length} ${options.action}(s)? Type "yes": `))) {
    deps.print("Nothing was done.");
    return "declined";
  }

  for (const { state, decision } of planned) {
    const outcome = await carryOut(state, decision, options, deps);
    if (outcome !== "done") return outcome;
  }
  deps.print(afterwards(options.action));
  return "done";
}

async function carryOut(state: GlobalDatabaseState, decision: Decision, options: RunOptions, deps: RunDependencies): Promise<RunOutcome> {
  const database = state.database;
  if (decision.kind === "done") return "done";
  const startedAt = deps.now().toISOString();
  const fromRegion = decision.kind === "start" ? decision.fromRegion : options.toRegion === database.primary.region ? database.secondary.region : database.primary.region;
  const item = (status: DrStatus, extra: Partial<Pick<DrItem, "lagMs" | "forced" | "error">> = {}) =>
    ledgerItems.dr({
      environment: options.environment,
      database: database.name,
      operationId: `${startedAt}#${options.action}`,
      action: options.action,
      status,
      globalClusterIdentifier: database.globalClusterIdentifier,
      fromRegion,
      toRegion: options.toRegion,
      operator: options.operator,
      occurredAt: deps.now().toISOString(),
      // Written in the target region first (the ledger's replica there answers in an outage).
      originRegion: options.toRegion,
      ...extra,
    });
  const record = async (entry: DrItem) => {
    try {
      await deps.record(entry);
    } catch (error) {
      deps.print(`  warning: could not record "${entry.status}" in the ledger: ${(error as Error).message}`);
    }
  };

  if (decision.kind === "start") {
    try {
      await issue(state, options, deps.clientsFor);
    } catch (error) {
      deps.print(`  ${database.name}: ${options.action} failed: ${(error as Error).message}`);
      await record(item("failed", { error: (error as Error).message }));
      return "failed";
    }
    deps.print(`  ${database.name}: ${options.action} started`);
    await record(item("started", { lagMs: decision.lagMs, forced: decision.forced.length > 0 ? true : undefined }));
  } else if (decision.kind === "wait") {
    await record(item("resumed"));
  }

  const finished = await watch(database, options, deps);
  if (finished.kind === "done") {
    deps.print(`  ${database.name}: ${finished.reason}`);
    await record(item("completed"));
    return "done";
  }
  if (finished.kind === "gave-up") {
    deps.print(`  ${database.name}: still not finished after ${Math.round((options.waitTimeoutMs ?? DEFAULT_WAIT_MS) / 60_000)} min (${finished.reason}). RDS carries on; run the same command again to keep watching.`);
    return "timed-out";
  }
  deps.print(`  ${database.name}: the ${options.action} ended without the writer in ${options.toRegion}: ${finished.reason}`);
  await record(item("failed", { error: finished.reason }));
  return "failed";
}

/** The one RDS call of each action, made in the target region (the one that answers in an outage). */
async function issue(state: GlobalDatabaseState, options: RunOptions, clientsFor: ClientsFor): Promise<void> {
  const { database } = state;
  const target = options.toRegion === database.primary.region ? database.primary : database.secondary;
  const rds = clientsFor(target.region).rds;
  if (options.action === "switchover") {
    await rds.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: database.globalClusterIdentifier, TargetDbClusterIdentifier: target.arn }));
  } else if (options.action === "failover") {
    await rds.send(new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: database.globalClusterIdentifier, TargetDbClusterIdentifier: target.arn, AllowDataLoss: true }));
  } else {
    await rds.send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: database.globalClusterIdentifier, DbClusterIdentifier: target.arn }));
  }
}

const DEFAULT_WAIT_MS = 30 * 60_000;
const DEFAULT_POLL_MS = 15_000;
/** Polls in which RDS may not yet show a move it accepted (its state is eventually consistent). */
const GRACE_POLLS = 4;

type Watched = { readonly kind: "done" | "gave-up" | "failed"; readonly reason: string };

async function watch(database: GlobalDatabase, options: RunOptions, deps: RunDependencies): Promise<Watched> {
  const request: MoveRequest = { action: options.action, toRegion: options.toRegion, maxLagMs: Number.POSITIVE_INFINITY, force: true };
  const deadline = deps.now().getTime() + (options.waitTimeoutMs ?? DEFAULT_WAIT_MS);
  let idlePolls = 0;
  let last = "not read yet";
  for (;;) {
    await deps.sleep(options.pollIntervalMs ?? DEFAULT_POLL_MS);
    const decision = decide(await readGlobalDatabase(database, deps.clientsFor, deps.now), request);
    if (decision.kind === "done") return { kind: "done", reason: decision.reason };
    last = describeDecision(decision);
    // Neither moving nor moved: RDS dropped the move (or never showed it) after the grace polls.
    if (decision.kind === "start" && ++idlePolls > GRACE_POLLS) return { kind: "failed", reason: "RDS shows no move in progress and the writer has not moved" };
    if (deps.now().getTime() >= deadline) return { kind: "gave-up", reason: last };
  }
}

function describeDecision(decision: Decision): string {
  switch (decision.kind) {
    case "done":
      return `nothing to do: ${decision.reason}`;
    case "wait":
      return decision.reason;
    case "refuse":
      return `refused: ${decision.problems.join("; ")}`;
    case "start":
      return `will ${decision.description}${decision.lagMs !== undefined ? ` (lag ${decision.lagMs} ms)` : ""}${decision.forced.length > 0 ? ` [forced: ${decision.forced.join("; ")}]` : ""}`;
  }
}

/** What `terraform plan` shows afterwards (docs/disaster-recovery.md has the full account). */
function afterwards(action: DrAction): string {
  return action === "detach-and-promote"
    ? "Done. terraform plan of both stacks proposes no change, but the detached cluster is no longer in the global database: rebuild it as docs/disaster-recovery.md describes before relying on DR again."
    : "Done. Clients on the global writer endpoint follow the writer; terraform plan of both stacks proposes no change (the roles are ignored attributes).";
}
