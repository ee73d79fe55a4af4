import { hostname, userInfo } from "node:os";
import { acquireLock, openDatabase, openDatabaseWithRetry, type ConnectionSettings } from "./database";
import type { Database, HistoryRow } from "./dialects/types";
import { EngineError } from "./errors";
import { isUnfinished } from "./migration-history";
import { checksumMatches, compareVersions, isRepeatableKey, isVersion, loadMigrationSet, type MigrationFile } from "./migration-files";
import type { FileSource } from "./source";
import { splitSql, type SqlStatement } from "./sql-splitter";

export const DEFAULT_HISTORY_TABLE = "schema_migration_history";
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
export const DEFAULT_TABLE_LOCK_TIMEOUT_MS = 10_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 15 * 60_000;

/** Options shared by migrate, info and repair. */
export interface MigrationSettings extends ConnectionSettings {
  /** Where the `V<version>__<description>.sql` files are read from. */
  readonly source: FileSource;
  /** Table that records applied migrations, in the connection's database / schema. @default schema_migration_history */
  readonly historyTable?: string;
  /**
   * How long to wait for another run's lock, and for a free connection while the server turns
   * connections away as full, before failing. @default 30000 (30 s)
   */
  readonly lockTimeoutMs?: number;
  /**
   * How long one migration statement may wait for a table or row lock held by other sessions
   * (PostgreSQL `lock_timeout`; MySQL `lock_wait_timeout` and `innodb_lock_wait_timeout`, whole
   * seconds), so a migration never queues ahead of application traffic for long. 0: no limit.
   * @default 10000 (10 s)
   */
  readonly tableLockTimeoutMs?: number;
  /**
   * How long one migration statement may run (PostgreSQL `statement_timeout`; MariaDB
   * `max_statement_time`; MySQL `max_execution_time`, SELECT only). 0: no limit.
   * @default 900000 (15 min, the longest a Lambda runs)
   */
  readonly statementTimeoutMs?: number;
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
  /** The server turned the connection away as full; the run tries again after `waitMs`. */
  | { readonly type: "connection-refused"; readonly reason: string; readonly waitMs: number }
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

export type MigrationState = "applied" | "pending" | "failed" | "unfinished" | "changed" | "missing" | "out-of-order" | "outdated";

export interface MigrationInfo extends MigrationSummary {
  /**
   * applied; pending; failed (needs repair); unfinished (started outside a transaction and never
   * finished: the run was killed; needs repair); changed (applied, but the file's checksum differs);
   * missing (applied, file gone); out-of-order (pending below the last applied version); outdated
   * (a repeatable file whose content changed: it runs again on the next migrate).
   */
  readonly state: MigrationState;
  readonly appliedAt?: Date;
  readonly appliedBy?: string;
  readonly durationMs?: number;
  readonly error?: string | null;
}

/** A reason `validate` fails, naming the file. */
export interface ValidationProblem {
  readonly script: string;
  readonly version: string;
  readonly problem: "changed" | "missing" | "failed" | "unfinished";
  /** One line for people, e.g. `V3__x.sql (version 3) changed after being applied ...`. */
  readonly message: string;
}

/**
 * Applies pending versioned migrations in version order, then repeatable ones (new or changed) in
 * name order, each recorded in the history table.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const table = historyTableOf(options);
  if (options.target !== undefined && !isVersion(options.target)) {
    throw new EngineError("INVALID_OPTIONS", `target ${options.target} is not a version: use integers separated by dots, e.g. 3 or 1.10`);
  }
  const { versioned, repeatable } = await loadMigrationSet(options.source);
  const appliedBy = options.appliedBy ?? defaultAppliedBy();
  return withLockedDatabase(options, "migration", async (db) => {
    let history = await db.readHistory(table);
    if (history === undefined && options.dryRun !== true) await db.createHistory(table);
    history ??= [];
    const plan = planMigrations(versioned, history, options, repeatable);
    let pending = plan.pending;
    if (options.target !== undefined) pending = pending.filter((m) => compareVersions(m.version, options.target!) <= 0);
    pending = [...pending, ...plan.repeatable];
    // Split every pending file before applying any, so a malformed file stops the run up front.
    const split = pending.map((m) => ({ migration: m, statements: splitMigration(m, db) }));
    if (options.dryRun === true) {
      for (const { migration } of split) options.onProgress?.({ type: "would-apply", migration: summary(migration) });
      return { applied: [], wouldApply: split.map((s) => summary(s.migration)), currentVersion: plan.currentVersion, warnings: plan.warnings, dryRun: true };
    }
    await upgradeLegacyChecksums(db, table, [...versioned, ...repeatable], history);
    const applied: (MigrationSummary & { durationMs: number })[] = [];
    let currentVersion = plan.currentVersion;
    try {
      await db.applyMigrations(table, split, appliedBy, (migration, durationMs) => {
        applied.push({ ...summary(migration), durationMs });
        const newer = migration.kind === "versioned" && (currentVersion === undefined || compareVersions(migration.version, currentVersion) > 0);
        if (newer) currentVersion = migration.version;
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
  const { versioned, repeatable } = await loadMigrationSet(options.source);
  const db = await openDatabase(options);
  let history: HistoryRow[];
  try {
    history = (await db.readHistory(table)) ?? [];
  } finally {
    await db.close();
  }
  const byKey = new Map(history.map((h) => [historyKey(h.version), h]));
  const current = highestApplied(history);
  const rows: MigrationInfo[] = [];
  const unresolved = (h: HistoryRow): MigrationState | undefined => (h.success ? undefined : isUnfinished(h) ? "unfinished" : "failed");
  for (const f of versioned) {
    const h = byKey.get(historyKey(f.version));
    if (!h) {
      const late = current !== undefined && compareVersions(f.version, current) < 0;
      rows.push({ ...summary(f), state: late ? "out-of-order" : "pending" });
    } else {
      rows.push({ ...summary(f), state: unresolved(h) ?? (checksumMatches(h.checksum, f) ? "applied" : "changed"), ...recorded(h) });
    }
  }
  const repeatableRows: MigrationInfo[] = [];
  for (const f of repeatable) {
    const h = byKey.get(f.version);
    if (!h) repeatableRows.push({ ...summary(f), state: "pending" });
    else repeatableRows.push({ ...summary(f), state: unresolved(h) ?? (checksumMatches(h.checksum, f) ? "applied" : "outdated"), ...recorded(h) });
  }
  const fileKeys = new Set([...versioned.map((f) => historyKey(f.version)), ...repeatable.map((f) => f.version)]);
  for (const h of history) {
    if (fileKeys.has(historyKey(h.version))) continue;
    const row = { version: h.version, description: h.description, script: h.script, state: unresolved(h) ?? "missing", ...recorded(h) };
    (isRepeatableKey(h.version) ? repeatableRows : rows).push(row);
  }
  rows.sort((a, b) => compareVersions(a.version, b.version));
  repeatableRows.sort((a, b) => (a.script < b.script ? -1 : a.script > b.script ? 1 : 0));
  return [...rows, ...repeatableRows];
}

/**
 * What a CI gate checks: every applied file is unchanged and present, and no failed or unfinished
 * entry waits for repair. Pending files are not a problem. Changes nothing.
 */
export async function validate(options: MigrationSettings): Promise<ValidationProblem[]> {
  const problems: ValidationProblem[] = [];
  for (const r of await info(options)) {
    const name = `${r.script} (${isRepeatableKey(r.version) ? "repeatable" : `version ${r.version}`})`;
    if (r.state === "changed") problems.push({ ...r, problem: "changed", message: `${name} changed after being applied (checksum differs from the history table)` });
    if (r.state === "missing") problems.push({ ...r, problem: "missing", message: `${name} is recorded as applied but its file is not in the source` });
    if (r.state === "failed") problems.push({ ...r, problem: "failed", message: `${name} failed and is not repaired: ${r.error ?? "no error recorded"}` });
    if (r.state === "unfinished") problems.push({ ...r, problem: "unfinished", message: `${name} started and did not finish (the run was interrupted); part of it may be applied` });
  }
  return problems;
}

interface Plan {
  readonly pending: MigrationFile[];
  /** Repeatable files that are new or whose content changed, in name order. */
  readonly repeatable: MigrationFile[];
  readonly currentVersion: string | undefined;
  readonly warnings: string[];
}

/** Checks the files against the history and returns what is pending, or refuses with the reason. */
export function planMigrations(
  files: readonly MigrationFile[],
  history: readonly HistoryRow[],
  options: { allowOutOfOrder?: boolean },
  repeatable: readonly MigrationFile[] = [],
): Plan {
  const failed = history.find((h) => !h.success);
  if (failed) {
    const how =
      `Nothing more runs until it is resolved: fix the database by hand, then run repair (removes the record so the file runs again) ` +
      `or repair --mark-applied (records it as applied)`;
    if (isUnfinished(failed)) {
      throw new EngineError(
        "FAILED_MIGRATION_PENDING",
        `${failed.script} (version ${failed.version}) started on ${failed.appliedAt.toISOString()} by ${failed.appliedBy} and did not finish: ` +
          `the run was killed, timed out or lost its connection in the middle of the file, so part of it may be applied. ${how}`,
      );
    }
    throw new EngineError(
      "FAILED_MIGRATION_PENDING",
      `${failed.script} (version ${failed.version}) failed on ${failed.appliedAt.toISOString()} and may be partly applied: ${failed.error ?? "no error recorded"} ${how}`,
    );
  }
  const versionedHistory = history.filter((h) => !isRepeatableKey(h.version));
  const byVersion = new Map(versionedHistory.map((h) => [versionKey(h.version), h]));
  const changed = files.filter((f) => {
    const h = byVersion.get(versionKey(f.version));
    return h !== undefined && !checksumMatches(h.checksum, f);
  });
  if (changed.length > 0) {
    const names = changed.map((f) => f.script).join(", ");
    throw new EngineError(
      "CHECKSUM_MISMATCH",
      `${names} changed after being applied (checksum differs from the history table); restore the applied content and put the change in a new migration, ` +
        `or, for a deliberate harmless edit, record the new checksum with repair --accept-checksums`,
    );
  }
  const currentVersion = highestApplied(versionedHistory);
  const pending = files.filter((f) => !byVersion.has(versionKey(f.version)));
  const late = currentVersion === undefined ? [] : pending.filter((f) => compareVersions(f.version, currentVersion) < 0);
  if (late.length > 0 && options.allowOutOfOrder !== true) {
    throw new EngineError(
      "OUT_OF_ORDER",
      `${late.map((f) => f.script).join(", ")} ${late.length === 1 ? "has a version" : "have versions"} below the last applied version ${currentVersion}; ` +
        `give ${late.length === 1 ? "it" : "them"} a higher version, or allow out-of-order migrations (--allow-out-of-order) to apply ${late.length === 1 ? "it" : "them"} anyway`,
    );
  }
  const repeatableRows = new Map(history.filter((h) => isRepeatableKey(h.version)).map((h) => [h.version, h]));
  const repeatablePending = repeatable.filter((f) => {
    const h = repeatableRows.get(f.version);
    return h === undefined || !checksumMatches(h.checksum, f);
  });
  const fileKeys = new Set([...files.map((f) => versionKey(f.version)), ...repeatable.map((f) => f.version)]);
  const warnings = history
    .filter((h) => !fileKeys.has(historyKey(h.version)))
    .map((h) => `${h.script} (${isRepeatableKey(h.version) ? "repeatable" : `version ${h.version}`}) is recorded as applied but its file is not in the source`);
  return { pending, repeatable: repeatablePending, currentVersion, warnings };
}

/**
 * Rows written by engine versions whose checksum covered the raw bytes (line endings, BOM) and
 * that match the file in that form get the current form, so the next checkout with other line
 * endings still matches.
 * (Also used by migration-repair.ts.)
 */
export async function upgradeLegacyChecksums(db: Database, table: string, files: readonly MigrationFile[], history: readonly HistoryRow[]): Promise<void> {
  const byKey = new Map(files.map((f) => [historyKey(f.version), f]));
  for (const h of history) {
    const f = byKey.get(historyKey(h.version));
    if (h.success && f !== undefined && h.checksum !== f.checksum && h.checksum === f.legacyChecksum) await db.markHistoryApplied(table, h.version, f.checksum);
  }
}

function splitMigration(m: MigrationFile, db: Database): SqlStatement[] {
  let statements: SqlStatement[];
  try {
    statements = splitSql(m.sql, db.flavor);
  } catch (error) {
    throw new EngineError("SQL_SPLIT", `${m.script}: ${(error as Error).message}`);
  }
  if (db.transactionalDdl && m.transactional) {
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

/**
 * Runs `work` holding the run's lock, on the one connection that does the work: if the client dies,
 * the server keeps the lock for as long as it still executes that session's statements, so no
 * other run starts before the orphaned work has ended. A run waiting for the lock holds one
 * connection; a server that is full is retried until the lock timeout.
 * (Also used by migration-repair.ts.)
 */
export async function withLockedDatabase<T>(
  settings: MigrationSettings & Pick<MigrateOptions, "onProgress">,
  purpose: string,
  work: (db: Database) => Promise<T>,
): Promise<T> {
  const lockTimeoutMs = settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const started = performance.now();
  const db = await openDatabaseWithRetry(settings, started + lockTimeoutMs, (reason, waitMs) =>
    settings.onProgress?.({ type: "connection-refused", reason, waitMs }),
  );
  const lockName = `${purpose}:${db.databaseName}:${historyTableOf(settings)}`;
  let locked = false;
  try {
    await acquireLock(db, lockName, Math.max(0, lockTimeoutMs - (performance.now() - started)), purpose);
    locked = true;
    await db.configureMigrationSession({
      tableLockTimeoutMs: settings.tableLockTimeoutMs ?? DEFAULT_TABLE_LOCK_TIMEOUT_MS,
      statementTimeoutMs: settings.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    settings.onProgress?.({ type: "locked", lock: db.describeLock(lockName) });
    return await work(db);
  } finally {
    if (locked) await db.unlock(lockName).catch(() => undefined);
    await db.close();
  }
}

/**
 * The highest versioned migration the history table records as applied (undefined when none, or
 * when the table does not exist): what a restored copy is compared with (lambdas/restore-drill).
 */
export async function latestAppliedVersion(settings: ConnectionSettings & { readonly historyTable?: string }): Promise<string | undefined> {
  const table = historyTableOf(settings);
  const db = await openDatabase(settings);
  try {
    return highestApplied((await db.readHistory(table)) ?? []);
  } finally {
    await db.close();
  }
}

/** Also used by migration-repair.ts. */
export function historyTableOf(settings: Pick<MigrationSettings, "historyTable">): string {
  const table = settings.historyTable ?? DEFAULT_HISTORY_TABLE;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new EngineError("INVALID_OPTIONS", `history table name ${table} must be letters, digits and underscores`);
  }
  return table;
}

/** The key that identifies a history row: the normalised version, or a repeatable file's key as it is. */
export function historyKey(version: string): string {
  return isRepeatableKey(version) ? version : versionKey(version);
}

/** `1.01.0` and `1.1` name the same version. */
function versionKey(version: string): string {
  const parts = version.split(".").map((s) => BigInt(s).toString());
  while (parts.length > 1 && parts[parts.length - 1] === "0") parts.pop();
  return parts.join(".");
}

function highestApplied(history: readonly HistoryRow[]): string | undefined {
  let best: string | undefined;
  for (const h of history) if (h.success && !isRepeatableKey(h.version) && (best === undefined || compareVersions(h.version, best) > 0)) best = h.version;
  return best;
}

/** Also used by migration-repair.ts. */
export function summary(m: MigrationSummary): MigrationSummary {
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
