import { hostname, userInfo } from "node:os";
import { acquireLock, openDatabase, openPair, type ConnectionSettings } from "./database";
import type { Database, HistoryRow } from "./dialects/types";
import { EngineError } from "./errors";
import { compareVersions, isVersion, loadMigrations, type MigrationFile } from "./migration-files";
import type { FileSource } from "./source";
import { splitSql, type SqlStatement } from "./sql-splitter";

export const DEFAULT_HISTORY_TABLE = "schema_migration_history";
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** Options shared by migrate, info and repair. */
export interface MigrationSettings extends ConnectionSettings {
  /** Where the `V<version>__<description>.sql` files are read from. */
  readonly source: FileSource;
  /** Table that records applied migrations, in the connection's database / schema. @default schema_migration_history */
  readonly historyTable?: string;
  /** How long to wait for another run's lock before failing. @default 30000 (30 s) */
  readonly lockTimeoutMs?: number;
  /** Who/where the run happens, recorded with each migration. @default `<os user>@<hostname>` */
  readonly appliedBy?: string;
}

export interface MigrateOptions extends MigrationSettings {
  /** List what would be applied without changing anything. @default false */
  readonly dryRun?: boolean;
  /** Apply pending migrations up to and including this version only. @default all pending migrations */
  readonly target?: string;
  /** Apply new files whose version is below the last applied one instead of refusing. @default false */
  readonly allowOutOfOrder?: boolean;
  /** Called once per event, e.g. to print one line per file. @default no reporting */
  readonly onProgress?: (event: MigrationEvent) => void;
}

export type MigrationEvent =
  | { readonly type: "locked"; readonly lock: string }
  | { readonly type: "would-apply"; readonly migration: MigrationSummary }
  | { readonly type: "applied"; readonly migration: MigrationSummary; readonly durationMs: number };

export interface MigrationSummary {
  readonly version: string;
  readonly description: string;
  readonly script: string;
}

export interface MigrateResult {
  /** Migrations applied by this run, in order (empty for a dry run). */
  readonly applied: readonly (MigrationSummary & { readonly durationMs: number })[];
  /** Migrations a dry run would apply (empty otherwise). */
  readonly wouldApply: readonly MigrationSummary[];
  /** Highest successfully applied version after the run, if any. */
  readonly currentVersion: string | undefined;
  /** Soft problems, e.g. applied versions whose file is gone. */
  readonly warnings: readonly string[];
  readonly dryRun: boolean;
}

export type MigrationState = "applied" | "pending" | "failed" | "changed" | "missing" | "out-of-order";

export interface MigrationInfo extends MigrationSummary {
  /**
   * applied; pending; failed (MySQL, needs repair); changed (applied, but the file's checksum
   * differs); missing (applied, file gone); out-of-order (pending below the last applied version).
   */
  readonly state: MigrationState;
  readonly appliedAt?: Date;
  readonly appliedBy?: string;
  readonly durationMs?: number;
  readonly error?: string | null;
}

export interface RepairOptions extends MigrationSettings {
  /**
   * Record the failed migrations as applied (you completed them by hand) instead of removing their
   * record (you undid them by hand, so the file runs again). @default false
   */
  readonly markApplied?: boolean;
}

export interface RepairResult {
  /** Versions whose failed record was removed. */
  readonly removed: readonly string[];
  /** Versions now recorded as applied. */
  readonly markedApplied: readonly string[];
}

/** Applies pending migrations in version order, each recorded in the history table. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const table = historyTableOf(options);
  if (options.target !== undefined && !isVersion(options.target)) {
    throw new EngineError("INVALID_OPTIONS", `target ${options.target} is not a version: use integers separated by dots, e.g. 3 or 1.10`);
  }
  const files = await loadMigrations(options.source);
  const appliedBy = options.appliedBy ?? defaultAppliedBy();
  return withLockedDatabase(options, "migration", async (db) => {
    let history = await db.readHistory(table);
    if (history === undefined && options.dryRun !== true) await db.createHistory(table);
    history ??= [];
    const plan = planMigrations(files, history, options);
    let pending = plan.pending;
    if (options.target !== undefined) pending = pending.filter((m) => compareVersions(m.version, options.target!) <= 0);
    // Split every pending file before applying any, so a malformed file stops the run up front.
    const split = pending.map((m) => ({ migration: m, statements: splitMigration(m, db) }));
    if (options.dryRun === true) {
      for (const { migration } of split) options.onProgress?.({ type: "would-apply", migration: summary(migration) });
      return { applied: [], wouldApply: split.map((s) => summary(s.migration)), currentVersion: plan.currentVersion, warnings: plan.warnings, dryRun: true };
    }
    const applied: (MigrationSummary & { durationMs: number })[] = [];
    let currentVersion = plan.currentVersion;
    try {
      await db.applyMigrations(table, split, appliedBy, (migration, durationMs) => {
        applied.push({ ...summary(migration), durationMs });
        if (currentVersion === undefined || compareVersions(migration.version, currentVersion) > 0) currentVersion = migration.version;
        options.onProgress?.({ type: "applied", migration: summary(migration), durationMs });
      });
    } catch (error) {
      if (applied.length > 0) await db.flushDurably().catch(() => undefined);
      throw error;
    }
    if (applied.length > 0) await db.flushDurably();
    return { applied, wouldApply: [], currentVersion, warnings: plan.warnings, dryRun: false };
  });
}

/** Lists every migration known to the files or the history, with its state. Changes nothing. */
export async function info(options: MigrationSettings): Promise<MigrationInfo[]> {
  const table = historyTableOf(options);
  const files = await loadMigrations(options.source);
  const db = await openDatabase(options);
  try {
    const history = (await db.readHistory(table)) ?? [];
    const byVersion = new Map(history.map((h) => [versionKey(h.version), h]));
    const fileVersions = new Set(files.map((f) => versionKey(f.version)));
    const current = highestApplied(history);
    const rows: MigrationInfo[] = [];
    for (const f of files) {
      const h = byVersion.get(versionKey(f.version));
      if (!h) {
        const late = current !== undefined && compareVersions(f.version, current) < 0;
        rows.push({ ...summary(f), state: late ? "out-of-order" : "pending" });
      } else {
        const state: MigrationState = !h.success ? "failed" : h.checksum !== f.checksum ? "changed" : "applied";
        rows.push({ ...summary(f), state, ...recorded(h) });
      }
    }
    for (const h of history) {
      if (!fileVersions.has(versionKey(h.version))) {
        rows.push({ version: h.version, description: h.description, script: h.script, state: h.success ? "missing" : "failed", ...recorded(h) });
      }
    }
    return rows.sort((a, b) => compareVersions(a.version, b.version));
  } finally {
    await db.close();
  }
}

/**
 * Resolves failed migrations (MySQL / MariaDB, where a failed file may be half applied) after the
 * database was fixed by hand: removes their record so the file runs again, or with `markApplied`
 * records them as applied (with the current file's checksum).
 */
export async function repair(options: RepairOptions): Promise<RepairResult> {
  const table = historyTableOf(options);
  const files = await loadMigrations(options.source);
  return withLockedDatabase(options, "migration", async (db) => {
    const failed = ((await db.readHistory(table)) ?? []).filter((h) => !h.success);
    const removed: string[] = [];
    const markedApplied: string[] = [];
    for (const h of failed) {
      if (options.markApplied === true) {
        const file = files.find((f) => compareVersions(f.version, h.version) === 0);
        await db.markHistoryApplied(table, h.version, file?.checksum ?? h.checksum);
        markedApplied.push(h.version);
      } else {
        await db.deleteHistory(table, h.version);
        removed.push(h.version);
      }
    }
    return { removed, markedApplied };
  });
}

interface Plan {
  readonly pending: MigrationFile[];
  readonly currentVersion: string | undefined;
  readonly warnings: string[];
}

/** Checks the files against the history and returns what is pending, or refuses with the reason. */
export function planMigrations(files: readonly MigrationFile[], history: readonly HistoryRow[], options: { allowOutOfOrder?: boolean }): Plan {
  const failed = history.find((h) => !h.success);
  if (failed) {
    throw new EngineError(
      "FAILED_MIGRATION_PENDING",
      `${failed.script} (version ${failed.version}) failed on ${failed.appliedAt.toISOString()} and may be partly applied: ${failed.error ?? "no error recorded"} ` +
        `Nothing more runs until it is resolved: fix the database by hand, then run repair (removes the failed record so the file runs again) ` +
        `or repair --mark-applied (records it as applied)`,
    );
  }
  const byVersion = new Map(history.map((h) => [versionKey(h.version), h]));
  const changed = files.filter((f) => {
    const h = byVersion.get(versionKey(f.version));
    return h !== undefined && h.checksum !== f.checksum;
  });
  if (changed.length > 0) {
    const names = changed.map((f) => f.script).join(", ");
    throw new EngineError(
      "CHECKSUM_MISMATCH",
      `${names} changed after being applied (checksum differs from the history table); restore the applied content and put the change in a new migration`,
    );
  }
  const currentVersion = highestApplied(history);
  const pending = files.filter((f) => !byVersion.has(versionKey(f.version)));
  const late = currentVersion === undefined ? [] : pending.filter((f) => compareVersions(f.version, currentVersion) < 0);
  if (late.length > 0 && options.allowOutOfOrder !== true) {
    throw new EngineError(
      "OUT_OF_ORDER",
      `${late.map((f) => f.script).join(", ")} ${late.length === 1 ? "has a version" : "have versions"} below the last applied version ${currentVersion}; ` +
        `give ${late.length === 1 ? "it" : "them"} a higher version, or allow out-of-order migrations (--allow-out-of-order) to apply ${late.length === 1 ? "it" : "them"} anyway`,
    );
  }
  const fileVersions = new Set(files.map((f) => versionKey(f.version)));
  const warnings = history
    .filter((h) => !fileVersions.has(versionKey(h.version)))
    .map((h) => `${h.script} (version ${h.version}) is recorded as applied but its file is not in the source`);
  return { pending, currentVersion, warnings };
}

function splitMigration(m: MigrationFile, db: Database): SqlStatement[] {
  let statements: SqlStatement[];
  try {
    statements = splitSql(m.sql, db.flavor);
  } catch (error) {
    throw new EngineError("SQL_SPLIT", `${m.script}: ${(error as Error).message}`);
  }
  if (db.transactionalDdl) {
    for (const s of statements) {
      const keyword = transactionControl(s.text);
      if (keyword) {
        throw new EngineError(
          "INVALID_MIGRATION",
          `${m.script} (statement ${s.index}, line ${s.line}): ${keyword} is not allowed; the engine runs each migration in its own transaction`,
        );
      }
    }
  }
  return statements;
}

/** The transaction-control keyword a statement starts with, if any. */
function transactionControl(text: string): string | undefined {
  const code = text.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, "");
  const match = /^(begin|start\s+transaction|commit|end|rollback|abort)\b(?!\s+to\b)/i.exec(code);
  if (!match) return undefined;
  // `BEGIN ATOMIC` only appears inside routine bodies; a statement that is just BEGIN starts a transaction.
  return match[1]!.toUpperCase().replace(/\s+/g, " ");
}

async function withLockedDatabase<T>(
  settings: MigrationSettings & Pick<MigrateOptions, "onProgress">,
  purpose: string,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  // The lock lives on its own connection, untouched by the migrations' transactions and errors.
  const [db, lockDb] = await openPair(settings);
  const lockName = `${purpose}:${db.databaseName}:${historyTableOf(settings)}`;
  let locked = false;
  try {
    await acquireLock(lockDb, lockName, settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, purpose);
    locked = true;
    settings.onProgress?.({ type: "locked", lock: lockDb.describeLock(lockName) });
    return await work(db);
  } finally {
    if (locked) await lockDb.unlock(lockName).catch(() => undefined);
    await Promise.all([lockDb.close(), db.close()]);
  }
}

function historyTableOf(settings: MigrationSettings): string {
  const table = settings.historyTable ?? DEFAULT_HISTORY_TABLE;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new EngineError("INVALID_OPTIONS", `history table name ${table} must be letters, digits and underscores`);
  }
  return table;
}

/** `1.01.0` and `1.1` name the same version. */
function versionKey(version: string): string {
  const parts = version.split(".").map((s) => BigInt(s).toString());
  while (parts.length > 1 && parts[parts.length - 1] === "0") parts.pop();
  return parts.join(".");
}

function highestApplied(history: readonly HistoryRow[]): string | undefined {
  let best: string | undefined;
  for (const h of history) if (h.success && (best === undefined || compareVersions(h.version, best) > 0)) best = h.version;
  return best;
}

function summary(m: MigrationSummary): MigrationSummary {
  return { version: m.version, description: m.description, script: m.script };
}

function recorded(h: HistoryRow) {
  return { appliedAt: h.appliedAt, appliedBy: h.appliedBy, durationMs: h.durationMs, error: h.error };
}

/** `<os user>@<hostname>`, falling back to $USER when the OS has no entry for the process user. */
export function defaultAppliedBy(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? "unknown";
  }
  return `${user}@${hostname()}`;
}
