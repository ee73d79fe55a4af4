/**
 * Routes the snapshot copy function's invocations: `{"action":"copy"}` (the configured schedule) or
 * `{}` (manual) for a full run, `{"action":"check"}` (hourly) to record progress and publish metrics
 * without snapshotting, copying or deleting anything.
 *
 * A full run prepares every database (manual snapshots, the snapshot to copy), then, per destination
 * region: lists every database's copies, counts the copies in flight there (this function's own,
 * across all databases: RDS allows MAX_COPIES_IN_FLIGHT concurrent copies into one region per
 * account), starts copies while the count is below the limit and leaves the rest for a later run,
 * expires old copies and publishes the metrics. With an account copy configured, each database's
 * newest copy in that region is then shared with the other account and copied there. A database
 * whose AWS calls throw does not stop the others, and the invocation fails at the end naming them all.
 */
import { copyToAccount } from "./account-copy";
import { SourceRun, type DatabaseSummary, type SourceDeps } from "./source";

export type RunAction = "copy" | "check";
export type SnapshotCopyDeps = SourceDeps;

/** RDS's limit on cross-region snapshot copies in progress into one destination region. */
export const MAX_COPIES_IN_FLIGHT = 5;

export interface SnapshotCopySummary {
  readonly action: RunAction;
  readonly databases: readonly DatabaseSummary[];
  /** This function's copies in flight per destination region at the end of the run. */
  readonly inFlight: Readonly<Record<string, number>>;
}

const EXPECTED = '{"action":"copy"} (scheduled; {} for a manual run) or {"action":"check"} (hourly)';

/** Raised for an event this function does not handle; names the events it does. */
export class UnsupportedEventError extends Error {
  constructor(event: unknown) {
    const shown = JSON.stringify(event) ?? String(event);
    super(`Unsupported event for snapshot-copy: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}. Send ${EXPECTED}.`);
    this.name = "UnsupportedEventError";
  }
}

/**
 * Raised after a run in which some database hit an unexpected error. Throwing makes the function's
 * error alarm fire and asynchronous invocations retry; a repeated run is harmless (copies are named
 * after their source snapshot, ledger items are deterministic).
 */
export class SnapshotCopyRunError extends Error {
  constructor(public readonly summary: SnapshotCopySummary) {
    const failed = summary.databases.filter((d) => d.errors.length > 0);
    super(
      `Snapshot ${summary.action} run failed for ${failed.length} of ${summary.databases.length} database(s): ` +
        failed.map((d) => `${d.database} (${d.identifier}): ${d.errors.join("; ")}`).join(" | "),
    );
    this.name = "SnapshotCopyRunError";
  }
}

export function parseAction(event: unknown): RunAction {
  if (event === undefined || event === null) return "copy";
  if (typeof event !== "object" || Array.isArray(event)) throw new UnsupportedEventError(event);
  const fields = Object.keys(event);
  if (fields.length === 0) return "copy";
  const { action } = event as { action?: unknown };
  // Any other field means the payload was meant for something else (or the schedule's input is wrong).
  if (fields.length === 1 && (action === "copy" || action === "check")) return action;
  throw new UnsupportedEventError(event);
}

export async function handleSnapshotCopyEvent(event: unknown, deps: SnapshotCopyDeps): Promise<SnapshotCopySummary> {
  const action = parseAction(event);
  const runs = deps.config.sources.map((source) => new SourceRun(source, deps));
  if (action === "copy") {
    for (const run of runs) await run.prepare();
  }
  const inFlight: Record<string, number> = {};
  for (const destination of deps.config.destinations) {
    const { region } = destination;
    const listed: SourceRun[] = [];
    for (const run of runs) {
      if (await run.listCopies(destination)) listed.push(run);
    }
    // A database whose listing failed is not counted (nor copied): the limit may be reached
    // sooner than RDS would refuse, never later.
    let count = listed.reduce((sum, run) => sum + run.inFlight(region), 0);
    if (action === "copy") {
      for (const run of listed) {
        if (!run.needsCopy(region)) continue;
        if (count >= MAX_COPIES_IN_FLIGHT) {
          run.defer(region);
          continue;
        }
        if (await run.startCopy(destination)) count += 1;
      }
      for (const run of listed) await run.expire(region);
    }
    for (const run of listed) run.measure(region);
    inFlight[region] = count;
    deps.metrics.put("SnapshotCopiesInFlight", count, "Count", { DestinationRegion: region });
  }
  const accountCopy = deps.config.accountCopy;
  if (accountCopy !== undefined) {
    for (const run of runs) await copyToAccount(run, accountCopy, action);
  }
  const summary: SnapshotCopySummary = { action, databases: runs.map((r) => r.summary), inFlight };
  if (summary.databases.some((d) => d.errors.length > 0)) {
    deps.log.error("snapshot copy run finished with errors", { ...summary });
    throw new SnapshotCopyRunError(summary);
  }
  deps.log.info("snapshot copy run finished", { ...summary });
  return summary;
}
