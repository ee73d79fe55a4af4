import type { SqlFlavor, SqlStatement } from "../sql-splitter";
import type { MigrationFile } from "../migration-files";

/** The database servers the engine supports. `mysql` covers MySQL, MariaDB and Aurora MySQL. */
export type EngineName = "postgres" | "mysql";

/** Connection settings; a URL (`postgres://...`, `mysql://...`) may be given instead. */
export interface ConnectionOptions {
  /** Host name. @default 127.0.0.1 */
  readonly host?: string;
  /** Port. @default 5432 for PostgreSQL, 3306 for MySQL */
  readonly port?: number;
  /** User name. */
  readonly user?: string;
  /** Password. */
  readonly password?: string;
  /** Database to work in. */
  readonly database?: string;
  /**
   * TLS: `true` to verify the server against the default CAs (Node's and NODE_EXTRA_CA_CERTS), or
   * the driver's TLS options (e.g. `{ ca }`, plus `servername`: the name the certificate must carry
   * when it is not `host`). The chain and the host name are always verified, as libpq's
   * `sslmode=verify-full` does, unless `rejectUnauthorized: false` is given. @default no TLS
   */
  readonly ssl?: boolean | Record<string, unknown>;
}

export type ConnectionInput = string | ConnectionOptions;

/** One row of the migration history table. */
export interface HistoryRow {
  readonly version: string;
  readonly description: string;
  readonly script: string;
  readonly checksum: string;
  readonly appliedBy: string;
  readonly appliedAt: Date;
  readonly durationMs: number;
  readonly success: boolean;
  readonly error: string | null;
}

/** What the engine needs to know about a table it syncs. */
export interface TableInfo {
  readonly name: string;
  /** Columns in table order, with the database's type name (lower case). */
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
}

/** A foreign key edge between two tables of the current schema. */
export interface ForeignKeyEdge {
  readonly child: string;
  readonly parent: string;
}

/** A migration file and its statements, ready to run. */
export interface PendingMigration {
  readonly migration: MigrationFile;
  readonly statements: readonly SqlStatement[];
}

/** A row to load: column values and its 1-based data row in the file (its position). */
export type StagedRow = { readonly values: readonly unknown[]; readonly row: number };

/** Counts that a merge statement reports. */
export interface MergeCounts {
  readonly inserted: number;
  readonly updated: number;
}

/**
 * One open connection and the SQL that differs between servers. Both dialects implement it; the
 * migrator and the data sync hold all behaviour that does not depend on the server.
 */
export interface Database {
  readonly engine: EngineName;
  /** Splitting rules for this server's scripts. */
  readonly flavor: SqlFlavor;
  /** Whether DDL takes part in transactions (PostgreSQL) or commits implicitly (MySQL). */
  readonly transactionalDdl: boolean;
  /** Name of the current database. */
  readonly databaseName: string;

  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
  quoteIdent(name: string): string;
  close(): Promise<void>;

  /** Takes the named server-side lock, waiting at most `timeoutMs`; false when it timed out. */
  lock(name: string, timeoutMs: number): Promise<boolean>;
  unlock(name: string): Promise<void>;
  /** How the lock appears on the server, for messages. */
  describeLock(name: string): string;
  /**
   * Limits for the rest of a migration run on this session: how long a statement waits for a table
   * or row lock, and how long one statement may run (0: no limit).
   */
  configureMigrationSession(limits: { readonly tableLockTimeoutMs: number; readonly statementTimeoutMs: number }): Promise<void>;

  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  savepoint(name: string): Promise<void>;
  rollbackToSavepoint(name: string): Promise<void>;
  releaseSavepoint(name: string): Promise<void>;

  createHistory(table: string): Promise<void>;
  /** The history rows, or undefined when the table does not exist yet. */
  readHistory(table: string): Promise<HistoryRow[] | undefined>;
  deleteHistory(table: string, version: string): Promise<void>;
  /** Records the row as applied (success, no error) with this checksum. */
  markHistoryApplied(table: string, version: string, checksum: string): Promise<void>;
  /** Records a file as applied without running it (baseline). */
  insertHistory(table: string, migration: MigrationFile, appliedBy: string): Promise<void>;
  /**
   * Runs migrations in order, each recorded in the history table, calling `onApplied` for each one
   * that is committed. PostgreSQL runs each migration and its history row in one transaction;
   * a file that runs outside a transaction (every MySQL file, PostgreSQL `-- migrate:no-transaction`)
   * gets a committed "started" row (migration-history.ts) before its first statement, replaced when
   * it finishes, or by the failure (success = false). Stops at the first failure by throwing
   * MigrationFailedError; never runs a statement twice.
   */
  applyMigrations(
    table: string,
    batch: readonly PendingMigration[],
    appliedBy: string,
    onApplied: (migration: MigrationFile, durationMs: number) => void,
  ): Promise<void>;
  /** Waits until every migration committed on this connection is on disk. */
  flushDurably(): Promise<void>;

  describeTable(table: string): Promise<TableInfo | undefined>;
  foreignKeys(): Promise<ForeignKeyEdge[]>;
  /** Prepares the session for a sync (e.g. strict SQL mode on MySQL). */
  prepareSync(): Promise<void>;
  /** Creates an empty staging table for `columns` of `table` and returns its name. */
  createStage(table: TableInfo, columns: readonly string[], index: number): Promise<string>;
  loadStage(stage: string, table: TableInfo, columns: readonly string[], rows: readonly StagedRow[]): Promise<void>;
  /** Bulk-loads rows straight into the table (rows whose key it does not hold yet). */
  loadTable(table: TableInfo, columns: readonly string[], rows: readonly StagedRow[]): Promise<void>;
  /**
   * Bulk-loads a whole CSV file (DataFile.csvText) straight into the table, where the server reads
   * CSV itself; absent where it does not.
   */
  loadCsv?(table: TableInfo, columns: readonly string[], csvText: string): Promise<void>;
  /**
   * Like loadCsv, for a plain file only (DataFile.plainRows), where the server's CSV reading agrees
   * with the file format's for such files alone (it may refuse some, throwing, having loaded
   * nothing). Absent where loadCsv serves, or where the server does not read CSV.
   */
  loadPlainCsv?(table: TableInfo, columns: readonly string[], csvText: string): Promise<void>;
  /**
   * Like createStage and loadStage in one, from a whole CSV file: each staged row's position is its
   * data row in the file, or unset when not `numbered` (cheaper, for callers that never name a
   * staged row by position). Absent where the server does not read CSV.
   */
  stageCsv?(table: TableInfo, columns: readonly string[], csvText: string, index: number, numbered?: boolean): Promise<string>;
  /** The primary keys of at most `limit` rows of the table, as the driver returns the values. */
  readKeys(table: TableInfo, limit: number): Promise<unknown[][]>;
  /**
   * Like readKeys, with each row's `columns` as one text (rowText's form) where the server's text
   * of every one of those columns' types is exact (equal texts mean equal values); undefined, having
   * read nothing, where it is not. Lets a re-sync skip rows that did not change without staging them.
   */
  readRows?(table: TableInfo, columns: readonly string[], limit: number): Promise<{ keys: unknown[][]; texts: string[] } | undefined>;
  /** The text of a file row that readRows' text of the same values equals. */
  rowText?(table: TableInfo, columns: readonly string[], row: StagedRow): string;
  /**
   * Each row's `columns` (in that order) as one CSV record by the data files' rules (data-files.ts:
   * NULL an empty field, an empty string `""`, quotes only where needed), printed by the server, for
   * at most `limit` rows; with `stage`, only the rows whose key a staged row has. The records come
   * as UTF-8 bytes, each ending in a line feed. Undefined, having read nothing useful, where a
   * column's type has no exact text (equal text must mean equal values) or a value holds a line
   * break. A boolean column is printed in the spelling of `sample` (the file's first row) where the
   * server reads that spelling as a boolean. Lets a re-sync skip a file's unchanged lines without
   * sending them.
   */
  readCsvLines?(
    table: TableInfo,
    columns: readonly string[],
    sample: readonly (string | null)[],
    limit: number,
    stage?: string,
  ): Promise<Buffer | undefined>;
  /**
   * Tells the server that the staged rows are few beside the table's, so that joins by key look
   * each one up in the primary key index, until called with false. PostgreSQL: no hash or merge
   * joins (a table just loaded has no statistics, and its estimate makes the planner hash the
   * whole table for a thousand staged rows). Absent where the server plans that well by itself.
   */
  preferKeyLookups?(on: boolean): Promise<void>;
  /** Deletes the rows with these primary keys (values as readKeys returned them), in one statement. */
  deleteKeys(table: TableInfo, keys: readonly (readonly unknown[])[]): Promise<number>;
  /** Positions of the first group of staged rows that share a primary key, if any. */
  duplicateKeys(stage: string, primaryKey: readonly string[]): Promise<number[] | undefined>;
  /** Updates changed rows, then inserts new ones; only staged rows with position <= maxPosition. */
  merge(table: TableInfo, stage: string, columns: readonly string[], maxPosition?: number): Promise<MergeCounts>;
  /** Deletes rows of the table whose key is not staged. */
  prune(table: TableInfo, stage: string): Promise<number>;
  /** After inserts with explicit keys: moves serial/identity sequences past the highest key. */
  syncSequences(table: TableInfo): Promise<void>;
  dropStage(stage: string): Promise<void>;
  /** The column named by a database error, when the server says. */
  columnOfError(error: unknown): string | undefined;
}
