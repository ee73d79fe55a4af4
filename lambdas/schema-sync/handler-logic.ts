/**
 * Schema sync: applies the pending migrations of `<MIGRATIONS_PREFIX><database>/` with the engine,
 * records every applied (or failed) version in the ledger, and promotes the applied files to the
 * next environment. One database at a time; a failure stops that database's promotion only.
 */
import { compareVersions, loadMigrations, migrate, MigrationFailedError, parseMigrationName, type MigrateResult } from "../../engine";
import { messageOf } from "../../engine/errors";
import { connectionFor, type DatabaseTarget } from "../shared/database-sync-config";
import { databaseFolder, promotionFiles, type DatabaseSyncDeps } from "../shared/database-sync-deps";
import { errorFields } from "../shared/log";
import { ledgerItems } from "../shared/ledger";
import { promoteFiles, sha256, type PromotionOutcome } from "../shared/promotion";
import { s3Source } from "../shared/s3-source";
import { parseSyncRequest } from "../shared/sync-request";

export const MIGRATION_FILE = /\.sql$/i;

export interface DatabaseSchemaOutcome {
  readonly database: string;
  readonly status: "applied" | "dry-run" | "failed";
  readonly applied: readonly string[];
  readonly wouldApply: readonly string[];
  readonly currentVersion?: string;
  readonly promoted: readonly PromotionOutcome[];
  readonly error?: string;
}

export type SchemaSyncResult =
  | { readonly status: "ignored"; readonly reason: string }
  | { readonly status: "done"; readonly databases: readonly DatabaseSchemaOutcome[] };

export class SchemaSyncFailedError extends Error {
  constructor(readonly outcomes: readonly DatabaseSchemaOutcome[]) {
    super(`Schema sync failed for ${outcomes.filter((o) => o.status === "failed").map((o) => `${o.database} (${o.error})`).join("; ")}; nothing of those databases was promoted`);
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
      await syncSchema(database, { ...deps, log }, { dryRun: request.dryRun, target: request.trigger === "manual" ? request.target : undefined, occurredAt }),
    );
  }
  if (outcomes.some((o) => o.status === "failed")) throw new SchemaSyncFailedError(outcomes);
  return { status: "done", databases: outcomes };
}

interface RunOptions {
  readonly dryRun: boolean;
  readonly target?: string;
  readonly occurredAt: string;
}

async function syncSchema(database: DatabaseTarget, deps: DatabaseSyncDeps, run: RunOptions): Promise<DatabaseSchemaOutcome> {
  const { config, log, metrics } = deps;
  const source = s3Source(deps.s3, config.location.bucket, databaseFolder(config.location.prefix, database));
  const dimensions = { Database: database.name };
  let result: MigrateResult;
  try {
    const connection = await connectionFor(database, deps.secrets, config.tls);
    result = await migrate({
      engine: database.engine,
      connection,
      source,
      dryRun: run.dryRun,
      target: run.target,
      appliedBy: `schema-sync@${config.environment}`,
      onProgress: (e) => {
        if (e.type === "applied") log.info("migration applied", { version: e.migration.version, script: e.migration.script, durationMs: e.durationMs });
      },
    });
  } catch (error) {
    const message = messageOf(error);
    log.error("migration run failed", { ...errorFields(error), code: (error as { code?: string }).code });
    metrics.put("MigrationFailures", 1, "Count", dimensions);
    if (error instanceof MigrationFailedError) {
      const parsed = parseMigrationName(error.failure.script);
      if (parsed !== undefined) {
        await deps.ledger.put(
          ledgerItems.schema({
            environment: config.environment,
            database: database.name,
            version: parsed.version,
            status: "failed",
            checksum: sha256(await source.read(error.failure.script)),
            error: message,
            occurredAt: run.occurredAt,
            originRegion: config.region,
          }),
        );
      }
    }
    return { database: database.name, status: "failed", applied: [], wouldApply: [], promoted: [], error: message };
  }
  for (const warning of result.warnings) log.warn("migration warning", { warning });
  if (result.dryRun) {
    log.info("dry run", { wouldApply: result.wouldApply.map((m) => m.script), currentVersion: result.currentVersion });
    return { database: database.name, status: "dry-run", applied: [], wouldApply: result.wouldApply.map((m) => m.script), currentVersion: result.currentVersion, promoted: [] };
  }
  for (const m of result.applied) {
    await deps.ledger.put(
      ledgerItems.schema({
        environment: config.environment,
        database: database.name,
        version: m.version,
        status: "applied",
        checksum: sha256(await source.read(m.script)),
        durationMs: m.durationMs,
        occurredAt: run.occurredAt,
        originRegion: config.region,
      }),
    );
  }
  metrics.put("MigrationsApplied", result.applied.length, "Count", dimensions);
  const promoted = await promoteApplied(source, database, deps, result.currentVersion);
  log.info("schema in sync", { applied: result.applied.map((m) => m.script), currentVersion: result.currentVersion, promoted: promoted.filter((p) => p.action === "copied").length });
  return { database: database.name, status: "applied", applied: result.applied.map((m) => m.script), wouldApply: [], currentVersion: result.currentVersion, promoted };
}

/** Promotes every migration file up to the current version: the ones this run applied and any earlier one whose copy is missing. */
async function promoteApplied(source: ReturnType<typeof s3Source>, database: DatabaseTarget, deps: DatabaseSyncDeps, currentVersion: string | undefined): Promise<PromotionOutcome[]> {
  const promotion = deps.config.location.promotion;
  if (promotion === undefined || currentVersion === undefined) return [];
  const applied = (await loadMigrations(source)).filter((m) => compareVersions(m.version, currentVersion) <= 0).map((m) => m.script);
  const files = await promotionFiles(source, applied, database, deps.config);
  try {
    const outcomes = await promoteFiles(files, { s3: deps.s3, sourceBucket: deps.config.location.bucket, destinationBucket: promotion.bucket, environment: deps.config.environment });
    deps.metrics.put("FilesPromoted", outcomes.filter((o) => o.action === "copied").length, "Count", { Database: database.name });
    return outcomes;
  } catch (error) {
    deps.metrics.put("PromotionFailures", 1, "Count", { Database: database.name });
    throw error;
  }
}
