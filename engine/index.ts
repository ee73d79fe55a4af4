/**
 * Migration and reference-data engine for PostgreSQL and MySQL / MariaDB (Aurora included), used by
 * the Lambdas and by the command line (`engine/cli.ts`). See docs/engine.md.
 *
 * @example
 * const result = await migrate({ engine: "postgres", connection: process.env.DATABASE_URL!, source: directorySource("db/migrations") });
 */
export {
  migrate,
  info,
  latestAppliedVersion,
  validate,
  planMigrations,
  defaultAppliedBy,
  DEFAULT_HISTORY_TABLE,
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_TABLE_LOCK_TIMEOUT_MS,
  DEFAULT_STATEMENT_TIMEOUT_MS,
} from "./migrator";
export { repair, baseline } from "./migration-repair";
export type { BaselineOptions, RepairOptions, RepairResult } from "./migration-repair";
export type {
  MigrateOptions,
  MigrateResult,
  MigrationEvent,
  MigrationInfo,
  MigrationSettings,
  MigrationState,
  MigrationSummary,
  ValidationProblem,
} from "./migrator";
export { syncData, orderByForeignKeys, DEFAULT_BATCH_SIZE } from "./data-sync";
export type { DataSyncOptions, DataSyncResult, TableSyncResult } from "./data-sync";
export { loadDataFiles, parseCsv, parseCsvData, parseJsonData, rowLabel } from "./data-files";
export type { CsvRecord, DataFile, DataRow } from "./data-files";
export {
  loadMigrations,
  loadMigrationSet,
  parseMigrationName,
  parseRepeatableName,
  compareVersions,
  checksumOf,
  legacyChecksumOf,
  checksumMatches,
  isVersion,
  NO_TRANSACTION_DIRECTIVE,
} from "./migration-files";
export type { MigrationFile } from "./migration-files";
export { splitSql, lineOf } from "./sql-splitter";
export type { SqlFlavor, SqlStatement } from "./sql-splitter";
export { directorySource, memorySource } from "./source";
export type { FileSource } from "./source";
export { openDatabase, engineFromUrl, resolveEngine, DEFAULT_CONNECT_TIMEOUT_MS } from "./database";
export type { ConnectionSettings } from "./database";
export type { ConnectionInput, ConnectionOptions, Database, EngineName, HistoryRow } from "./dialects/types";
export { EngineError, MigrationFailedError } from "./errors";
export type { EngineErrorCode, MigrationFailure } from "./errors";
