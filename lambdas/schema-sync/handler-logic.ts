/**
 * Schema sync: applies the pending migrations of `<MIGRATIONS_PREFIX><database>/` with the engine,
 * records every applied (or failed) version in the ledger, and promotes the applied files to the
 * next environment. One database at a time; a failure stops that database's promotion only.
 *
 * Every invocation lists the whole folder and applies every pending file in version order (the
 * engine's lock serializes invocations), after the upload that triggered it has settled, so files
 * of one parallel upload are applied in order whichever event arrives first. Files are applied one
 * at a time while enough of the function's time is left; the rest is left for the next invocation.
 * The ledger is filled from the engine's history table, so nothing applied is ever left unrecorded.
 */
import { migrate, MigrationFailedError, parseMigrationName, type MigrateOptions, type MigrationInfo, type MigrationSummary } from "../../engine";
import { messageOf } from "../../engine/errors";
import { connectionFor, type DatabaseTarget } from "../shared/database-sync-config";
import { databaseFolder, promotionFiles, type DatabaseSyncDeps } from "../shared/database-sync-deps";
import { errorFields } from "../shared/log";
import { ledgerItems } from "../shared/ledger";
import { promoteFiles, sha256, type PromotionOutcome } from "../shared/promotion";
import { DEFAULT_RUN_TIMING, defaultSleep, statementTimeoutFor, waitForQuietFolder, type RunTiming } from "../shared/run-budget";
import { s3Source, type S3FileSource } from "../shared/s3-source";
import { recordHistoryInLedger } from "../shared/schema-history-ledger";
import { parseSyncRequest } from "../shared/sync-request";

export const MIGRATION_FILE = /\.sql$/i;

export interface DatabaseSchemaOutcome {
  readonly database: string;
  /** deferred: some pending files were left for the next invocation because the function's time ran short. */
  readonly status: "applied" | "dry-run" | "deferred" | "failed";
  readonly applied: readonly string[];
  readonly wouldApply: readonly string[];
  /** Pending files not started in this invocation (time ran short). */
  readonly deferred: readonly string[];
  readonly currentVersion?: string;
  readonly promoted: readonly PromotionOutcome[];
  readonly error?: string;
}

export type SchemaSyncResult =
  | { readonly status: "ignored"; readonly reason: string }
  | { readonly status: "done"; readonly databases: readonly DatabaseSchemaOutcome[] };

export class SchemaSyncFailedError extends Error {
  constructor(readonly outcomes: readonly DatabaseSchemaOutcome[]) {
    const failed = outcomes.filter((o) => o.status === "failed");
    const deferred = outcomes.filter((o) => o.status === "deferred");
    super(
      [
        failed.length > 0 ? `Schema sync failed for ${failed.map((o) => `${o.database} (${o.error})`).join("; ")}; nothing of those databases was promoted` : undefined,
        deferred.length > 0 ? `Schema sync left ${deferred.map((o) => `${o.deferred.join(", ")} of ${o.database}`).join("; ")} for the next invocation (too little time left)` : undefined,
      ]
        .filter(Boolean)
        .join(". "),
    );
    this.name = "SchemaSyncFailedError";
  }
}

export async function handleSchemaSync(event: unknown, deps: DatabaseSyncDeps): Promise<SchemaSyncResult> {
  const now = deps.now ?? (() => new Date());
  const request = parseSyncRequest(event, { location: deps.config.location, databases: deps.config.databases, fileName: MIGRATION_FILE, now });
  if (request.trigger === "ignored") {
    deps.log.info("event ignored", { reason: request.reason, key: request.key });
    return { status: "ignored", reason: request.reason };
  }
  const occurredAt = request.trigger === "event" ? request.time : now().toISOString();
  const outcomes: DatabaseSchemaOutcome[] = [];
  for (const database of request.databases) {
    const log = deps.log.child({ database: database.name, trigger: request.trigger, key: request.trigger === "event" ? request.key : undefined });
    outcomes.push(
      await syncSchema(database, { ...deps, log }, { dryRun: request.dryRun, target: request.trigger === "manual" ? request.target : undefined, occurredAt, settle: request.trigger === "event" }),
    );
  }
  // A deferred run fails too, so that Lambda's asynchronous retry continues where it stopped.
  if (outcomes.some((o) => o.status === "failed" || o.status === "deferred")) throw new SchemaSyncFailedError(outcomes);
  return { status: "done", databases: outcomes };
}

interface RunOptions {
  readonly dryRun: boolean;
  readonly target?: string;
  readonly occurredAt: string;
  /** Wait for the triggering upload to settle (event runs). */
  readonly settle: boolean;
}

async function syncSchema(database: DatabaseTarget, deps: DatabaseSyncDeps, run: RunOptions): Promise<DatabaseSchemaOutcome> {
  const { config, log, metrics } = deps;
  const timing: RunTiming = { ...DEFAULT_RUN_TIMING, ...deps.timing };
  const now = deps.now ?? (() => new Date());
  const remaining = deps.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY);
  const source = s3Source(deps.s3, config.location.bucket, databaseFolder(config.location.prefix, database));
  const dimensions = { Database: database.name };
  const applied: MigrationSummary[] = [];
  const deferred: string[] = [];
  /** Cleared when the database never answered: then there is no history to read for the ledger. */
  let settings: MigrateOptions | undefined;
  let failure: unknown;
  let wouldApply: readonly MigrationSummary[] = [];
  let currentVersion: string | undefined;
  try {
    if (run.settle && !run.dryRun) {
      const waited = await waitForQuietFolder(source, { timing, now, sleep: deps.sleep ?? defaultSleep, fileName: MIGRATION_FILE });
      if (waited > 0) log.info("waited for the upload to settle", { waitedMs: waited });
    }
    const connection = await connectionFor(database, deps.secrets, config.tls);
    const candidate: MigrateOptions = {
      engine: database.engine,
      connection,
      source,
      appliedBy: `schema-sync@${config.environment}`,
      allowOutOfOrder: database.allowOutOfOrder,
      connectTimeoutMs: timing.connectTimeoutMs,
      onProgress: (e) => {
        if (e.type === "applied") log.info("migration applied", { version: e.migration.version, script: e.migration.script, durationMs: e.durationMs });
      },
    };
    // The engine's connection attempt fails within the connect timeout, naming the endpoint.
    settings = candidate;
    // The plan is a dry run: it reads the history and splits every pending file under the lock, so
    // a malformed file or a refused late file stops the run before anything is applied.
    const plan = await migrate({ ...settings, dryRun: true, target: run.target });
    for (const warning of plan.warnings) log.warn("migration warning", { warning });
    wouldApply = plan.wouldApply;
    currentVersion = plan.currentVersion;
    if (!run.dryRun) {
      for (const [i, next] of plan.wouldApply.entries()) {
        if (remaining() < timing.fileStartReserveMs) {
          deferred.push(...plan.wouldApply.slice(i).map((m) => m.script));
          break;
        }
        // One file per engine run: the time check above happens between files.
        const result = await migrate({ ...settings, target: next.version, statementTimeoutMs: statementTimeoutFor(remaining(), timing) });
        applied.push(...result.applied);
        currentVersion = result.currentVersion;
      }
    }
  } catch (error) {
    failure = error;
    // The database never answered: there is no history to read for the ledger.
    if ((error as { code?: unknown }).code === "CONNECTION" && applied.length === 0) settings = undefined;
  }
  if (run.dryRun && failure === undefined) {
    log.info("dry run", { wouldApply: wouldApply.map((m) => m.script), currentVersion });
    return { database: database.name, status: "dry-run", applied: [], wouldApply: wouldApply.map((m) => m.script), deferred: [], currentVersion, promoted: [] };
  }
  let history: readonly MigrationInfo[] = [];
  if (settings !== undefined && !run.dryRun) {
    try {
      const recorded = await recordHistoryInLedger(settings, {
        ledger: deps.ledger,
        environment: config.environment,
        database: database.name,
        originRegion: config.region,
        contentOf: (script) => source.read(script).catch(() => undefined),
      });
      history = recorded.history;
      const late = recorded.recorded.filter((v) => !applied.some((m) => m.version === v));
      if (late.length > 0) log.warn("recorded earlier applied migrations missing from the ledger", { versions: late });
    } catch (error) {
      log.error("recording the history in the ledger failed", errorFields(error));
      failure ??= error;
    }
  }
  metrics.put("MigrationsApplied", applied.length, "Count", dimensions);
  if (failure !== undefined) return failed(database, deps, source, run, failure, applied);
  if (deferred.length > 0) {
    log.warn("time ran short: files left for the next invocation", { deferred, remainingMs: remaining() });
    metrics.put("MigrationsDeferred", deferred.length, "Count", dimensions);
  }
  const promoted = await promoteApplied(source, database, deps, history);
  log.info("schema in sync", { applied: applied.map((m) => m.script), deferred, currentVersion, promoted: promoted.filter((p) => p.action === "copied").length });
  return { database: database.name, status: deferred.length > 0 ? "deferred" : "applied", applied: applied.map((m) => m.script), wouldApply: [], deferred, currentVersion, promoted };
}

/** Logs, counts and records a failed run; the applied files were recorded from the history already. */
async function failed(database: DatabaseTarget, deps: DatabaseSyncDeps, source: S3FileSource, run: RunOptions, error: unknown, applied: readonly MigrationSummary[]): Promise<DatabaseSchemaOutcome> {
  const message = messageOf(error);
  deps.log.error("migration run failed", { ...errorFields(error), code: (error as { code?: string }).code, applied: applied.map((m) => m.script) });
  deps.metrics.put("MigrationFailures", 1, "Count", { Database: database.name });
  if (error instanceof MigrationFailedError) {
    const parsed = parseMigrationName(error.failure.script);
    if (parsed !== undefined) {
      await deps.ledger.putOnce(
        ledgerItems.schema({
          environment: deps.config.environment,
          database: database.name,
          version: parsed.version,
          status: "failed",
          checksum: sha256(await source.read(error.failure.script)),
          error: message,
          occurredAt: run.occurredAt,
          originRegion: deps.config.region,
        }),
        "applied",
      );
    }
  }
  return { database: database.name, status: "failed", applied: applied.map((m) => m.script), wouldApply: [], deferred: [], promoted: [], error: message };
}

/**
 * Promotes every migration the history records as applied with its file unchanged: the ones this
 * run applied and any earlier one whose copy is missing, with the bytes the engine checked.
 */
async function promoteApplied(source: S3FileSource, database: DatabaseTarget, deps: DatabaseSyncDeps, history: readonly MigrationInfo[]): Promise<PromotionOutcome[]> {
  const promotion = deps.config.location.promotion;
  if (promotion === undefined || history.length === 0) return [];
  const files = await promotionFiles(source, history.filter((m) => m.state === "applied").map((m) => m.script), database, deps.config);
  try {
    const outcomes = await promoteFiles(files, { s3: deps.s3, destinationBucket: promotion.bucket, environment: deps.config.environment });
    deps.metrics.put("FilesPromoted", outcomes.filter((o) => o.action === "copied").length, "Count", { Database: database.name });
    return outcomes;
  } catch (error) {
    deps.metrics.put("PromotionFailures", 1, "Count", { Database: database.name });
    throw error;
  }
}
