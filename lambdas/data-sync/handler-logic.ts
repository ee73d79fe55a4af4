/**
 * Data sync: makes each reference table of `<DATA_PREFIX><database>/` hold its file's rows with the
 * engine (one transaction per database), records the per-table counts in the ledger, and promotes
 * the files to the next environment after a clean run. A failure promotes nothing of that database.
 */
import { loadDataFiles, syncData, type DataSyncResult } from "../../engine";
import { messageOf } from "../../engine/errors";
import { connectionFor, type DatabaseTarget } from "../shared/database-sync-config";
import { databaseFolder, promotionFiles, type DatabaseSyncDeps } from "../shared/database-sync-deps";
import { ledgerItems } from "../shared/ledger";
import { errorFields } from "../shared/log";
import { promoteFiles, type PromotionOutcome } from "../shared/promotion";
import { DEFAULT_RUN_TIMING, defaultSleep, waitForQuietFolder, type RunTiming } from "../shared/run-budget";
import { s3Source, type S3FileSource } from "../shared/s3-source";
import { parseSyncRequest } from "../shared/sync-request";

export const DATA_FILE = /\.(json|csv)$/i;

export interface TableCounts {
  readonly table: string;
  readonly file: string;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
}

export interface DatabaseDataOutcome {
  readonly database: string;
  /** deferred: not started because too little of the function's time was left. */
  readonly status: "synced" | "dry-run" | "deferred" | "failed";
  readonly tables: readonly TableCounts[];
  readonly promoted: readonly PromotionOutcome[];
  readonly error?: string;
}

export type DataSyncHandlerResult =
  | { readonly status: "ignored"; readonly reason: string }
  | { readonly status: "done"; readonly runId: string; readonly databases: readonly DatabaseDataOutcome[] };

export class DataSyncFailedError extends Error {
  constructor(readonly outcomes: readonly DatabaseDataOutcome[]) {
    const failed = outcomes.filter((o) => o.status === "failed");
    const deferred = outcomes.filter((o) => o.status === "deferred");
    super(
      [
        failed.length > 0 ? `Data sync failed for ${failed.map((o) => `${o.database} (${o.error})`).join("; ")}; nothing of those databases was promoted` : undefined,
        deferred.length > 0 ? `Data sync left ${deferred.map((o) => o.database).join(", ")} for the next invocation (too little time left)` : undefined,
      ]
        .filter(Boolean)
        .join(". "),
    );
    this.name = "DataSyncFailedError";
  }
}

export async function handleDataSync(event: unknown, deps: DatabaseSyncDeps): Promise<DataSyncHandlerResult> {
  const now = deps.now ?? (() => new Date());
  const request = parseSyncRequest(event, { location: deps.config.location, databases: deps.config.databases, fileName: DATA_FILE, now });
  if (request.trigger === "ignored") {
    deps.log.info("event ignored", { reason: request.reason, key: request.key });
    return { status: "ignored", reason: request.reason };
  }
  // Derived from the event, so a re-delivered event finds the first delivery's ledger items and keeps them.
  const runId = request.trigger === "event" ? request.eventId : deps.requestId;
  const occurredAt = request.trigger === "event" ? request.time : now().toISOString();
  const timing: RunTiming = { ...DEFAULT_RUN_TIMING, ...deps.timing };
  const remaining = deps.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY);
  const outcomes: DatabaseDataOutcome[] = [];
  for (const database of request.databases) {
    const log = deps.log.child({ database: database.name, trigger: request.trigger, runId });
    if (remaining() < timing.fileStartReserveMs) {
      log.warn("time ran short: database left for the next invocation", { remainingMs: remaining() });
      deps.metrics.put("SyncsDeferred", 1, "Count", { Database: database.name });
      outcomes.push({ database: database.name, status: "deferred", tables: [], promoted: [] });
      continue;
    }
    const run = { dryRun: request.dryRun, prune: request.trigger === "manual" ? request.prune : undefined, allowMassPrune: request.trigger === "manual" ? request.allowMassPrune : undefined, runId, occurredAt, settle: request.trigger === "event", timing };
    outcomes.push(await syncDatabase(database, { ...deps, log }, run));
  }
  // A deferred database fails the invocation too, so that Lambda's asynchronous retry runs it.
  if (outcomes.some((o) => o.status === "failed" || o.status === "deferred")) throw new DataSyncFailedError(outcomes);
  return { status: "done", runId, databases: outcomes };
}

interface RunOptions {
  readonly dryRun: boolean;
  readonly prune?: boolean;
  readonly allowMassPrune?: boolean;
  readonly runId: string;
  readonly occurredAt: string;
  /** Wait for the triggering upload to settle (event runs). */
  readonly settle: boolean;
  readonly timing: RunTiming;
}

async function syncDatabase(database: DatabaseTarget, deps: DatabaseSyncDeps, run: RunOptions): Promise<DatabaseDataOutcome> {
  const { config, log, metrics } = deps;
  const source = s3Source(deps.s3, config.location.bucket, databaseFolder(config.location.prefix, database));
  const dimensions = { Database: database.name };
  const common = { environment: config.environment, runId: run.runId, occurredAt: run.occurredAt, originRegion: config.region };
  let result: DataSyncResult;
  try {
    if (run.settle && !run.dryRun) {
      const waited = await waitForQuietFolder(source, { timing: run.timing, now: deps.now ?? (() => new Date()), sleep: deps.sleep ?? defaultSleep, fileName: DATA_FILE });
      if (waited > 0) log.info("waited for the upload to settle", { waitedMs: waited });
    }
    const connection = await connectionFor(database, deps.secrets, config.tls);
    result = await syncData({ engine: database.engine, connection, connectTimeoutMs: run.timing.connectTimeoutMs, source, dryRun: run.dryRun, prune: run.prune, allowMassPrune: run.allowMassPrune });
  } catch (error) {
    const message = messageOf(error);
    log.error("data sync failed", { ...errorFields(error), code: (error as { code?: string }).code });
    metrics.put("SyncFailures", 1, "Count", dimensions);
    await deps.ledger.putOnce(ledgerItems.data({ ...common, dataset: database.name, status: "failed", error: message }));
    return { database: database.name, status: "failed", tables: [], promoted: [], error: message };
  }
  const tables = result.tables.map((t): TableCounts => ({ table: t.table, file: t.file, inserted: t.inserted, updated: t.updated, unchanged: t.unchanged, deleted: t.deleted }));
  if (result.dryRun) {
    log.info("dry run", { tables });
    return { database: database.name, status: "dry-run", tables, promoted: [] };
  }
  for (const t of tables) {
    // Conditional on the run id (the event id): a re-delivered event, which changes nothing and counts
    // zeros, keeps the counts of the delivery that made the changes.
    await deps.ledger.putOnce(
      ledgerItems.data({ ...common, dataset: `${database.name}.${t.table}`, status: "succeeded", rowsInserted: t.inserted, rowsUpdated: t.updated, rowsDeleted: t.deleted }),
    );
  }
  const sum = (pick: (t: TableCounts) => number) => tables.reduce((n, t) => n + pick(t), 0);
  metrics.put("RowsInserted", sum((t) => t.inserted), "Count", dimensions);
  metrics.put("RowsUpdated", sum((t) => t.updated), "Count", dimensions);
  metrics.put("RowsDeleted", sum((t) => t.deleted), "Count", dimensions);
  const promoted = await promoteDataFiles(source, database, deps);
  log.info("reference data in sync", { tables, promoted: promoted.filter((p) => p.action === "copied").length });
  return { database: database.name, status: "synced", tables, promoted };
}

async function promoteDataFiles(source: S3FileSource, database: DatabaseTarget, deps: DatabaseSyncDeps): Promise<PromotionOutcome[]> {
  const promotion = deps.config.location.promotion;
  if (promotion === undefined) return [];
  const names = (await loadDataFiles(source)).map((f) => f.file);
  const files = await promotionFiles(source, names, database, deps.config);
  try {
    const outcomes = await promoteFiles(files, { s3: deps.s3, destinationBucket: promotion.bucket, environment: deps.config.environment });
    deps.metrics.put("FilesPromoted", outcomes.filter((o) => o.action === "copied").length, "Count", { Database: database.name });
    return outcomes;
  } catch (error) {
    deps.metrics.put("PromotionFailures", 1, "Count", { Database: database.name });
    throw error;
  }
}
