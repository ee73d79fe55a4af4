/**
 * What a restore drill checks on the restored copy, with the engine's own functions (never a second
 * implementation): the schema history's latest applied version is the one the source had applied
 * (from the ledger), and every reference table holds its file's rows with the file's values (a dry-run
 * sync that would insert or update nothing; rows the file lacks are allowed, as in the source).
 */
import { latestAppliedVersion, syncData, type ConnectionInput, type EngineName, type FileSource } from "../../engine";

export interface VerifyOptions {
  readonly engine: EngineName;
  readonly connection: ConnectionInput;
  /** Latest migration version the source database had applied; undefined when it has none. */
  readonly expectedSchemaVersion: string | undefined;
  /** The reference-data files the source was synced from. @default no reference data to compare */
  readonly referenceData?: FileSource;
  readonly historyTable?: string;
}

export interface TableDifference {
  readonly table: string;
  readonly file: string;
  /** Rows a sync would insert, update or delete: 0 when the table matches its file. */
  readonly differing: number;
}

export interface Verification {
  readonly ok: boolean;
  readonly schemaVersion: string | undefined;
  readonly expectedSchemaVersion: string | undefined;
  readonly tables: readonly TableDifference[];
  /** One sentence per mismatch (empty when ok). */
  readonly problems: readonly string[];
}

export async function verifyRestoredDatabase(options: VerifyOptions): Promise<Verification> {
  const settings = { engine: options.engine, connection: options.connection };
  const problems: string[] = [];
  const schemaVersion = await latestAppliedVersion({ ...settings, historyTable: options.historyTable });
  if (schemaVersion !== options.expectedSchemaVersion) {
    problems.push(`schema history's latest version is ${schemaVersion ?? "none"}, the source had ${options.expectedSchemaVersion ?? "none"}`);
  }
  let tables: TableDifference[] = [];
  if (options.referenceData) {
    // dryRun rolls everything back. No prune: data sync from the bucket never prunes (only a manual
    // run does), so rows the file lacks are legitimate in the source too and are not a difference;
    // a row of the file that the copy lacks or holds with other values is.
    const result = await syncData({ ...settings, source: options.referenceData, dryRun: true });
    tables = result.tables.map((t) => ({ table: t.table, file: t.file, differing: t.inserted + t.updated }));
    for (const t of tables) if (t.differing > 0) problems.push(`${t.table} differs from ${t.file} in ${t.differing} row(s)`);
  }
  return { ok: problems.length === 0, schemaVersion, expectedSchemaVersion: options.expectedSchemaVersion, tables, problems };
}
