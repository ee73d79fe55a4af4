/** Changing the history by hand: repair (failed, unfinished, edited and removed files) and baseline. */
import { EngineError } from "./errors";
import { checksumMatches, compareVersions, isVersion, loadMigrationSet } from "./migration-files";
import {
  defaultAppliedBy,
  historyKey,
  historyTableOf,
  summary,
  upgradeLegacyChecksums,
  withLockedDatabase,
  type MigrationSettings,
  type MigrationSummary,
} from "./migrator";

export interface RepairOptions extends MigrationSettings {
  /**
   * Record the failed (or unfinished) migrations as applied (you completed them by hand) instead of
   * removing their record (you undid them by hand, so the file runs again). @default false
   */
  readonly markApplied?: boolean;
  /** Record the current checksum of applied files that were edited on purpose (a harmless edit). @default false */
  readonly acceptChecksums?: boolean;
  /** Remove the history rows of applied files that are no longer in the source. @default false */
  readonly forgetMissing?: boolean;
}

export interface RepairResult {
  /** Versions whose failed record was removed. */
  readonly removed: readonly string[];
  /** Versions now recorded as applied. */
  readonly markedApplied: readonly string[];
  /** Versions whose recorded checksum was replaced by the file's current one (acceptChecksums). */
  readonly checksumsAccepted: readonly string[];
  /** Versions whose row was removed because their file is gone (forgetMissing). */
  readonly forgotten: readonly string[];
}

export interface BaselineOptions extends MigrationSettings {
  /** Files with this version or a lower one are recorded as applied without running. */
  readonly version: string;
}

/**
 * Resolves failed and unfinished migrations after the database was fixed by hand: removes their
 * record so the file runs again, or with `markApplied` records them as applied (with the current
 * file's checksum). With `acceptChecksums`, records the current checksum of applied files edited
 * on purpose; with `forgetMissing`, removes the rows of applied files that are gone.
 */
export async function repair(options: RepairOptions): Promise<RepairResult> {
  const table = historyTableOf(options);
  const { versioned, repeatable } = await loadMigrationSet(options.source);
  const files = new Map([...versioned, ...repeatable].map((f) => [historyKey(f.version), f]));
  return withLockedDatabase(options, "migration", async (db) => {
    const history = (await db.readHistory(table)) ?? [];
    const result = { removed: [] as string[], markedApplied: [] as string[], checksumsAccepted: [] as string[], forgotten: [] as string[] };
    await upgradeLegacyChecksums(db, table, [...files.values()], history);
    for (const h of history) {
      const file = files.get(historyKey(h.version));
      if (!h.success) {
        if (options.markApplied === true) {
          await db.markHistoryApplied(table, h.version, file?.checksum ?? h.checksum);
          result.markedApplied.push(h.version);
        } else {
          await db.deleteHistory(table, h.version);
          result.removed.push(h.version);
        }
      } else if (file === undefined && options.forgetMissing === true) {
        await db.deleteHistory(table, h.version);
        result.forgotten.push(h.version);
      } else if (file !== undefined && !checksumMatches(h.checksum, file) && options.acceptChecksums === true) {
        await db.markHistoryApplied(table, h.version, file.checksum);
        result.checksumsAccepted.push(h.version);
      }
    }
    return result;
  });
}

/**
 * Adopts an existing database: records every versioned file up to and including `version` as
 * applied, without running it. Refused when the history already holds rows.
 */
export async function baseline(options: BaselineOptions): Promise<{ readonly recorded: readonly MigrationSummary[] }> {
  const table = historyTableOf(options);
  if (!isVersion(options.version)) {
    throw new EngineError("INVALID_OPTIONS", `baseline version ${options.version} is not a version: use integers separated by dots, e.g. 3 or 1.10`);
  }
  const { versioned } = await loadMigrationSet(options.source);
  const files = versioned.filter((f) => compareVersions(f.version, options.version) <= 0);
  if (files.length === 0) {
    throw new EngineError("INVALID_OPTIONS", `${options.source.description}: no migration file has a version up to ${options.version}; nothing to record as the baseline`);
  }
  const appliedBy = `${options.appliedBy ?? defaultAppliedBy()} (baseline)`;
  return withLockedDatabase(options, "migration", async (db) => {
    const history = await db.readHistory(table);
    if (history !== undefined && history.length > 0) {
      throw new EngineError(
        "INVALID_OPTIONS",
        `the history table ${table} already records ${history.length} migration(s); baseline only adopts a database that has no migration history`,
      );
    }
    if (history === undefined) await db.createHistory(table);
    for (const f of files) await db.insertHistory(table, f, appliedBy);
    await db.flushDurably();
    return { recorded: files.map(summary) };
  });
}
