/**
 * Routes the snapshot copy function's invocations: `{"action":"copy"}` (daily schedule) or `{}`
 * (manual) for a full run, `{"action":"check"}` (hourly) to record progress and publish metrics
 * without copying or deleting anything. Clusters are processed one after the other; a cluster whose
 * AWS calls throw does not stop the others, and the invocation fails at the end naming them all.
 */
import { processCluster, type ClusterDeps, type DatabaseSummary, type RunAction } from "./cluster";

export type SnapshotCopyDeps = ClusterDeps;

export interface SnapshotCopySummary {
  readonly action: RunAction;
  readonly databases: readonly DatabaseSummary[];
}

const EXPECTED = '{"action":"copy"} (daily; {} for a manual run) or {"action":"check"} (hourly)';

/** Raised for an event this function does not handle; names the events it does. */
export class UnsupportedEventError extends Error {
  constructor(event: unknown) {
    const shown = JSON.stringify(event) ?? String(event);
    super(`Unsupported event for snapshot-copy: ${shown.length > 200 ? `${shown.slice(0, 200)}…` : shown}. Send ${EXPECTED}.`);
    this.name = "UnsupportedEventError";
  }
}

/**
 * Raised after a run in which some cluster hit an unexpected error. Throwing makes the function's
 * error alarm fire and asynchronous invocations retry; a repeated run is harmless (copies are named
 * after their source snapshot, ledger items are deterministic).
 */
export class SnapshotCopyRunError extends Error {
  constructor(public readonly summary: SnapshotCopySummary) {
    const failed = summary.databases.filter((d) => d.errors.length > 0);
    super(
      `Snapshot ${summary.action} run failed for ${failed.length} of ${summary.databases.length} database(s): ` +
        failed.map((d) => `${d.database} (${d.clusterIdentifier}): ${d.errors.join("; ")}`).join(" | "),
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
  const databases: DatabaseSummary[] = [];
  for (const cluster of deps.config.clusters) {
    databases.push(await processCluster(cluster, action, deps));
  }
  const summary: SnapshotCopySummary = { action, databases };
  const failed = databases.some((d) => d.errors.length > 0);
  if (failed) {
    deps.log.error("snapshot copy run finished with errors", { ...summary });
    throw new SnapshotCopyRunError(summary);
  }
  deps.log.info("snapshot copy run finished", { ...summary });
  return summary;
}
