import { acquireLock, openPair, type ConnectionSettings } from "./database";
import { loadDataFiles, rowLabel, type DataFile, type DataRow } from "./data-files";
import { resyncByLines } from "./data-resync";
import type { Database, ForeignKeyEdge, StagedRow, TableInfo } from "./dialects/types";
import { EngineError, messageOf } from "./errors";
import { JsonNumber, stringifyJson } from "./json-text";
import { DEFAULT_LOCK_TIMEOUT_MS } from "./migrator";
import type { FileSource } from "./source";

export const DEFAULT_BATCH_SIZE = 20_000;
/** The direct path reads at most this many of the table's keys per file row, plus KNOWN_KEYS_MIN. */
const KNOWN_KEYS_PER_FILE_ROW = 4;
const KNOWN_KEYS_MIN = 10_000;
/** Keys per DELETE statement when pruning by key (well below PostgreSQL's 65,535 parameters). */
const DELETE_BATCH = 1000;
/**
 * A prune may delete at most this fraction of the rows a table held before the run, unless the run
 * says it means it (allowMassPrune / --allow-mass-prune): a truncated or wrong file must not empty a
 * reference table that other tables and applications rely on.
 */
export const MASS_PRUNE_FRACTION = 0.5;

export interface DataSyncOptions extends ConnectionSettings {
  /** Where the `<table>.json` / `<table>.csv` files are read from. */
  readonly source: FileSource;
  /** Delete rows whose primary key is not in the file. @default false (rows are only inserted or updated) */
  readonly prune?: boolean;
  /**
   * Let a prune delete more than MASS_PRUNE_FRACTION (half) of a table's rows. Without it such a
   * run fails, naming the table and the counts, and changes nothing. @default false
   */
  readonly allowMassPrune?: boolean;
  /** Compute every count, then roll back. @default false */
  readonly dryRun?: boolean;
  /** Rows sent to the server per staging statement. @default 20000 */
  readonly batchSize?: number;
  /** How long to wait for another sync's lock before failing. @default 30000 (30 s) */
  readonly lockTimeoutMs?: number;
  /** Called once per table when its counts are final. @default no reporting */
  readonly onProgress?: (event: { readonly type: "table"; readonly result: TableSyncResult }) => void;
}

export interface TableSyncResult {
  readonly table: string;
  readonly file: string;
  /** Rows in the file. */
  readonly rows: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Rows removed because they are not in the file (0 unless pruning). */
  readonly deleted: number;
}

export interface DataSyncResult {
  /** One entry per file, in the order the tables were written (parents first). */
  readonly tables: readonly TableSyncResult[];
  readonly dryRun: boolean;
}

/** A file whose header fits its table. */
interface Checked {
  readonly file: DataFile;
  readonly table: TableInfo;
}

/** A file whose rows are checked too, ready to send. */
interface Prepared extends Checked {
  readonly rows: readonly StagedRow[];
  /**
   * Each row's primary key as a string that is equal exactly when the server's keys are equal, and
   * how to compute it from a key the server returns; `undefined` when the key types need the
   * server's comparison (e.g. MySQL collations that ignore case, or char padding).
   */
  readonly keys: RowKeys | undefined;
}

interface RowKeys {
  readonly ofRows: readonly string[];
  readonly of: (key: readonly unknown[]) => string | undefined;
}

/** What syncing one table did, and how to delete its rows that are not in the file. */
interface TableOutcome {
  readonly inserted: number;
  readonly updated: number;
  readonly prune: () => Promise<number>;
}

/**
 * Makes each reference table hold exactly the rows of its file (with `prune`), in one transaction,
 * parent tables before children (children first when pruning). A plain CSV file (DataFile.plainRows)
 * goes to a server that reads CSV as its own text: straight into an empty table, or into a staging
 * table that set-based statements merge and prune by primary key, without building its rows here.
 * Otherwise rows whose key the table lacks are bulk-loaded into it when keys compare exactly in
 * JavaScript, and the others are staged and merged. Any error leaves every table as it was and
 * names the file, row and column (a plain file that fails is synced again row by row to say where).
 */
export async function syncData(options: DataSyncOptions): Promise<DataSyncResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new EngineError("INVALID_OPTIONS", `batchSize must be a positive integer, got ${batchSize}`);
  }
  const dryRun = options.dryRun ?? false;
  // Reading and parsing the files overlaps with opening the connections.
  const opening = openPair(options);
  // Marks a connection failure as handled until it is awaited below (after the files are read).
  opening.catch(() => undefined);
  const files = await loadDataFiles(options.source).catch(async (error: unknown) => {
    await opening.then(([a, b]) => Promise.all([a.close(), b.close()])).catch(() => undefined);
    throw error;
  });
  const [db, lockDb] = await opening;
  if (files.length === 0) {
    await Promise.all([db.close(), lockDb.close()]);
    return { tables: [], dryRun };
  }
  const lockName = `data-sync:${db.databaseName}`;
  let locked = false;
  try {
    await acquireLock(lockDb, lockName, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, "data sync");
    locked = true;
    const checked: Checked[] = [];
    for (const file of files) checked.push(checkFile(file, await db.describeTable(file.table), db));
    // The server checks a plain file's rows as it reads them; every other file's rows are checked
    // here, before anything is written.
    const plain = (c: Checked) => c.file.plainRows !== undefined && (db.loadPlainCsv ?? db.loadCsv) !== undefined;
    const prepared = new Map<Checked, Prepared>();
    for (const c of checked) if (!plain(c)) prepared.set(c, prepareRows(c, db));
    const ordered = orderByForeignKeys(checked, await db.foreignKeys());
    await db.prepareSync();
    await db.begin();
    try {
      const before = new Map<string, number>();
      if (options.prune === true && options.allowMassPrune !== true) {
        for (const p of ordered) before.set(p.table.name, await countRows(db, p.table));
      }
      const outcomes = new Map<string, TableOutcome>();
      for (const [i, c] of ordered.entries()) {
        const outcome = (plain(c) && (await syncPlainCsv(db, c, i))) || (await syncRows(db, prepared.get(c) ?? prepareRows(c, db), i, batchSize));
        if (outcome.inserted > 0 && !dryRun) await db.syncSequences(c.table);
        outcomes.set(c.table.name, outcome);
      }
      const deleted = new Map<string, number>();
      if (options.prune === true) {
        for (const p of [...ordered].reverse()) {
          let count: number;
          try {
            count = await outcomes.get(p.table.name)!.prune();
          } catch (error) {
            throw new EngineError("DATA_SYNC_FAILED", `${p.file.file}: deleting the rows that are not in the file failed: ${messageOf(error)}`, {
              cause: error,
            });
          }
          const held = before.get(p.table.name);
          // The whole run is rolled back below: nothing is deleted, nothing written.
          if (held !== undefined && count > held * MASS_PRUNE_FRACTION) throw massPruneError(p, count, held);
          deleted.set(p.table.name, count);
        }
      }
      const tables = ordered.map((p): TableSyncResult => {
        const { inserted, updated } = outcomes.get(p.table.name)!;
        const rows = p.file.plainRows ?? p.file.rows.length;
        return {
          table: p.table.name,
          file: p.file.file,
          rows,
          inserted,
          updated,
          unchanged: rows - inserted - updated,
          deleted: deleted.get(p.table.name) ?? 0,
        };
      });
      if (dryRun) await db.rollback();
      else await db.commit();
      for (const result of tables) options.onProgress?.({ type: "table", result });
      return { tables, dryRun };
    } catch (error) {
      await db.rollback().catch(() => undefined);
      throw error;
    }
  } finally {
    if (locked) await lockDb.unlock(lockName).catch(() => undefined);
    await Promise.all([lockDb.close(), db.close()]);
  }
}

/** Checks a file's header against its table before anything is written. */
function checkFile(file: DataFile, table: TableInfo | undefined, db: Database): Checked {
  if (!table) {
    throw new EngineError("UNKNOWN_TABLE", `${file.file}: table "${file.table}" does not exist in database ${db.databaseName}; create it with a migration first`);
  }
  const types = new Map(table.columns.map((c) => [c.name, c.type]));
  file.columns.forEach((column, i) => {
    if (!types.has(column)) {
      const where = file.format === "csv" ? `${file.file} line 1` : `${file.file} row ${file.firstRow[i]}`;
      throw new EngineError("UNKNOWN_COLUMN", `${where}, column "${column}": table ${table.name} has no such column`);
    }
  });
  if (table.primaryKey.length === 0) {
    throw new EngineError("DATA_FILE", `${file.file}: table ${table.name} has no primary key; reference data is matched by primary key, so add one`);
  }
  for (const k of table.primaryKey) {
    if (!file.columns.includes(k)) throw new EngineError("DATA_FILE", `${file.file}: primary key column "${k}" is missing; every row needs its key`);
  }
  return { file, table };
}

/** Checks a file's rows (keys present, none twice where keys compare here) and converts JSON values. */
function prepareRows({ file, table }: Checked, db: Database): Prepared {
  const types = new Map(table.columns.map((c) => [c.name, c.type]));
  const keyIndexes = table.primaryKey.map((k) => file.columns.indexOf(k));
  for (const row of file.rows) {
    for (const i of keyIndexes) {
      if (row.values[i] === null) {
        throw new EngineError("DATA_SYNC_FAILED", `${rowLabel(file, row)}, column "${file.columns[i]}": primary key value is empty`);
      }
    }
  }
  const sent: readonly StagedRow[] = file.format === "json" ? file.rows.map(jsonRowConverter(file, types)) : file.rows;
  const prepared = { file, table, rows: sent, keys: rowKeys(sent, keyIndexes, table, db.engine) };
  const duplicates = prepared.keys && firstDuplicate(prepared.keys.ofRows, prepared.rows);
  if (duplicates) throw duplicateError(prepared, duplicates);
  return prepared;
}

/**
 * How the values of a JSON file's row are sent. A json column receives the value's JSON text
 * (numbers intact); a PostgreSQL array column the array; any other
 * column a document as its JSON text (MariaDB's JSON is a text column) and a number that a double
 * does not hold exactly as its digits, as a CSV cell sends them: the server converts them for the
 * column and the merge compares the converted values, so nothing is rounded on the way.
 */
function jsonRowConverter(file: DataFile, types: ReadonlyMap<string, string>): (row: StagedRow) => StagedRow {
  const kinds = file.columns.map((c) => {
    const type = types.get(c) ?? "";
    return type === "json" || type === "jsonb" ? "json" : type.startsWith("_") ? "array" : "other";
  });
  const anyJson = kinds.includes("json");
  return (row) => {
    if (!anyJson && !row.values.some((v) => v !== null && typeof v === "object")) return row;
    const values = row.values.map((v, i) => {
      if (v === null) return v;
      if (kinds[i] === "json") return jsonText(v);
      if (typeof v !== "object") return v;
      return kinds[i] === "array" ? exactValue(v) : jsonText(v);
    });
    return { values, row: row.row };
  };
}

/** JsonNumber values as their digits, also inside nested arrays. */
function exactValue(value: unknown): unknown {
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return value.map(exactValue);
  return value;
}

/** The JSON text of a value, numbers intact. */
function jsonText(value: unknown): string {
  return value instanceof JsonNumber ? value.text : stringifyJson(value);
}

const INTEGER_TYPES = new Set(["smallint", "integer", "bigint", "tinyint", "mediumint", "int"]);

/**
 * Keys compared in JavaScript, when every key column has a type whose equality is plain (integers;
 * PostgreSQL text, varchar and uuid): undefined otherwise, or when a value would need the server
 * to interpret it.
 */
function rowKeys(rows: readonly StagedRow[], keyIndexes: readonly number[], table: TableInfo, engine: string): RowKeys | undefined {
  const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
  const normalizers = table.primaryKey.map((k) => keyNormalizer(typeOf.get(k) ?? "", engine));
  if (normalizers.some((n) => n === undefined)) return undefined;
  const single = normalizers.length === 1 ? normalizers[0]! : undefined;
  const of = (key: readonly unknown[]): string | undefined => {
    if (single) return single(key[0]);
    let text = "";
    for (let i = 0; i < normalizers.length; i++) {
      const part = normalizers[i]!(key[i]);
      if (part === undefined) return undefined;
      text += `${part}\u0000`;
    }
    return text;
  };
  const ofRows: string[] = [];
  const key: unknown[] = new Array(keyIndexes.length);
  for (const row of rows) {
    for (let i = 0; i < keyIndexes.length; i++) key[i] = row.values[keyIndexes[i]!];
    const text = of(key);
    if (text === undefined) return undefined;
    ofRows.push(text);
  }
  return { ofRows, of };
}

/** Positions of the first group of rows that share a key, or undefined. */
function firstDuplicate(keys: readonly string[], rows: readonly StagedRow[]): number[] | undefined {
  const seen = new Map<string, number>();
  let group: { key: string; positions: number[] } | undefined;
  keys.forEach((key, i) => {
    const first = seen.get(key);
    if (first === undefined) seen.set(key, rows[i]!.row);
    else if (group === undefined) group = { key, positions: [first, rows[i]!.row] };
    else if (group.key === key) group.positions.push(rows[i]!.row);
  });
  return group?.positions;
}

function keyNormalizer(type: string, engine: string): ((value: unknown) => string | undefined) | undefined {
  if (INTEGER_TYPES.has(type)) {
    return (value) => {
      if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
      if (typeof value !== "string") return undefined;
      if (/^(?:0|[1-9]\d{0,14})$/.test(value)) return value;
      if (!/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
      return BigInt(value.trim()).toString();
    };
  }
  if (engine === "postgres" && (type === "text" || type === "character varying")) {
    return (value) => (typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined);
  }
  if (engine === "postgres" && type === "uuid") {
    return (value) => (typeof value === "string" ? value.toLowerCase().replace(/[-{}]/g, "") : undefined);
  }
  return undefined;
}

/** Parents before children, following foreign keys between the synced tables. */
export function orderByForeignKeys<T extends { readonly table: { readonly name: string }; readonly file: { readonly file: string } }>(
  items: readonly T[],
  edges: readonly ForeignKeyEdge[],
): T[] {
  const byName = new Map(items.map((p) => [p.table.name, p]));
  const parents = new Map<string, Set<string>>(items.map((p) => [p.table.name, new Set<string>()]));
  for (const { child, parent } of edges) {
    if (child !== parent && byName.has(child) && byName.has(parent)) parents.get(child)!.add(parent);
  }
  const ordered: T[] = [];
  const done = new Set<string>();
  const names = [...byName.keys()].sort();
  while (ordered.length < items.length) {
    const ready = names.find((n) => !done.has(n) && [...parents.get(n)!].every((p) => done.has(p)));
    if (ready === undefined) {
      const cycle = names.filter((n) => !done.has(n)).map((n) => byName.get(n)!.file.file);
      throw new EngineError("DATA_SYNC_FAILED", `foreign keys between ${cycle.join(", ")} form a cycle; sync those tables in separate runs`);
    }
    done.add(ready);
    ordered.push(byName.get(ready)!);
  }
  return ordered;
}

/**
 * A plain CSV file sent as its own text, with nothing built or compared here: into the table when
 * it is empty (a first load costs what the server's bulk loader costs), otherwise, where the server
 * stages CSV (PostgreSQL), into a stage that the server checks for repeated keys and then merges
 * (only rows that differ are written) and prunes with set-based statements. Returns undefined,
 * having changed nothing, when any step fails or the server cannot stage CSV: the caller then
 * syncs the file row by row, which names the row and column.
 */
async function syncPlainCsv(db: Database, { file, table }: Checked, index: number): Promise<TableOutcome | undefined> {
  const csvText = file.csvText!;
  const rows = file.plainRows!;
  let outcome: TableOutcome | undefined;
  const failed = await attempt(
    db,
    async () => {
      // Lines equal to the server's text of their row are unchanged: only the others are sent.
      const resynced = db.readCsvLines && (await resyncByLines(db, file, table, index, knownKeysLimit(rows), (keys) => deleteInBatches(db, table, keys)));
      if (resynced === "empty" || (!resynced && (await db.readKeys(table, 1)).length === 0)) {
        await (db.loadPlainCsv ?? db.loadCsv)!.call(db, table, file.columns, csvText);
        outcome = { inserted: rows, updated: 0, prune: async () => 0 };
        return;
      }
      if (resynced) {
        outcome = resynced;
        return;
      }
      // Where the server cannot stage CSV, the rows are compared here (syncByKnownKeys).
      if (!db.stageCsv) return;
      const stage = await db.stageCsv(table, file.columns, csvText, index);
      // A repeated key would update its row twice without an error. An empty key needs no check: it
      // matches no row, so the merge inserts it and the primary key's NOT NULL refuses it.
      if (await db.duplicateKeys(stage, table.primaryKey)) throw new Error("a key is repeated");
      const merged = await db.merge(table, stage, file.columns);
      outcome = { ...merged, prune: () => db.prune(table, stage) };
    },
    true,
  );
  return failed === undefined ? outcome : undefined;
}

/** A file's checked rows: by known keys where they compare here, else through the stage. */
async function syncRows(db: Database, p: Prepared, index: number, batchSize: number): Promise<TableOutcome> {
  return (p.keys && (await syncByKnownKeys(db, p, p.keys, index, batchSize))) || (await syncThroughStage(db, p, p.rows, index, batchSize));
}

/**
 * When keys compare exactly in JavaScript, the rows whose key the table lacks go straight into the
 * table with the bulk loader and only the others are staged and merged: a first load writes each
 * row once, as the server's own bulk loader would, and pruning deletes the known missing keys.
 * Returns undefined, having changed nothing, when the table holds far more rows than the file, when
 * it returns a key that cannot be compared here, or when the server rejects the direct load; the
 * caller then syncs the table through the stage (which also names a failing row and column).
 */
async function syncByKnownKeys(db: Database, p: Prepared, keys: RowKeys, index: number, batchSize: number): Promise<TableOutcome | undefined> {
  // Reading the table's keys must cost about as much as the file, not as much as the table: a large
  // table synced from a small file is left to the server's comparison through the stage.
  const limit = knownKeysLimit(p.rows.length);
  // With the rows' text, a row whose text is the table's is unchanged and is not even staged: a
  // re-sync that changes 1% of a table stages 1% of it.
  const read = (db.readRows && db.rowText && (await db.readRows(p.table, p.file.columns, limit + 1))) || { keys: await db.readKeys(p.table, limit + 1) };
  if (read.keys.length > limit) return undefined;
  const texts = "texts" in read ? read.texts : undefined;
  const existing = new Map<string, readonly unknown[]>();
  const textOf = new Map<string, string>();
  for (const [i, key] of read.keys.entries()) {
    const text = keys.of(key);
    if (text === undefined) return undefined;
    existing.set(text, key);
    if (texts) textOf.set(text, texts[i]!);
  }
  let fresh: readonly StagedRow[] = p.rows;
  let known: StagedRow[] = [];
  if (existing.size > 0) {
    const f: StagedRow[] = [];
    p.rows.forEach((row, i) => {
      const key = keys.ofRows[i]!;
      if (!existing.has(key)) f.push(row);
      else if (!texts || textOf.get(key) !== db.rowText!(p.table, p.file.columns, row)) known.push(row);
    });
    fresh = f;
  }
  const { csvText } = p.file;
  const rejected = await attempt(
    db,
    async () => {
      if (fresh.length === p.rows.length && csvText !== undefined && db.loadCsv) return db.loadCsv(p.table, p.file.columns, csvText);
      for (let start = 0; start < fresh.length; start += batchSize) await db.loadTable(p.table, p.file.columns, fresh.slice(start, start + batchSize));
    },
    true,
  );
  if (rejected !== undefined) return undefined;
  const merged = known.length > 0 ? await syncThroughStage(db, p, known, index, batchSize) : { inserted: 0, updated: 0 };
  return {
    inserted: fresh.length + merged.inserted,
    updated: merged.updated,
    prune: async () => {
      if (existing.size === 0) return 0;
      const inFile = new Set(keys.ofRows);
      return deleteInBatches(db, p.table, [...existing].filter(([key]) => !inFile.has(key)).map(([, key]) => key));
    },
  };
}

/** How many of the table's rows a re-sync of a file of `rows` rows reads, at most, to compare them here. */
function knownKeysLimit(rows: number): number {
  return KNOWN_KEYS_PER_FILE_ROW * rows + KNOWN_KEYS_MIN;
}

async function deleteInBatches(db: Database, table: TableInfo, keys: readonly (readonly unknown[])[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < keys.length; start += DELETE_BATCH) deleted += await db.deleteKeys(table, keys.slice(start, start + DELETE_BATCH));
  return deleted;
}

/** Stages the rows in a temporary table and merges them by primary key with set-based statements. */
async function syncThroughStage(db: Database, p: Prepared, rows: readonly StagedRow[], index: number, batchSize: number): Promise<TableOutcome> {
  const stage = await db.createStage(p.table, p.file.columns, index);
  for (let start = 0; start < rows.length; start += batchSize) await loadBatch(db, stage, p, rows.slice(start, start + batchSize));
  const duplicate = p.keys === undefined ? await db.duplicateKeys(stage, p.table.primaryKey) : undefined;
  if (duplicate) throw duplicateError(p, duplicate);
  const merged = await mergeTable(db, stage, p);
  return { ...merged, prune: () => db.prune(p.table, stage) };
}

async function loadBatch(db: Database, stage: string, p: Prepared, batch: readonly StagedRow[]): Promise<void> {
  const error = await attempt(db, () => db.loadStage(stage, p.table, p.file.columns, batch), true);
  if (error === undefined) return;
  // Find the first row that the server rejects, then the column of that row.
  const failing = await firstFailing(batch.length, error, (n) => attempt(db, () => db.loadStage(stage, p.table, p.file.columns, batch.slice(0, n))));
  const row = failing ? batch[failing.count - 1]! : undefined;
  let column = db.columnOfError(failing?.error ?? error);
  if (row && column === undefined) {
    for (const [i, c] of p.file.columns.entries()) {
      const one = { values: [row.values[i]], row: row.row };
      if ((await attempt(db, () => db.loadStage(stage, p.table, [c], [one]))) !== undefined) {
        column = c;
        break;
      }
    }
  }
  throw rowError(p, row, column, failing?.error ?? error);
}

async function mergeTable(db: Database, stage: string, p: Prepared) {
  let merged: { inserted: number; updated: number } | undefined;
  const error = await attempt(
    db,
    async () => {
      merged = await db.merge(p.table, stage, p.file.columns);
    },
    true,
  );
  if (error === undefined) return merged!;
  const failing = await firstFailing(p.rows.length, error, (n) => attempt(db, () => db.merge(p.table, stage, p.file.columns, n)));
  const row = failing ? p.rows[failing.count - 1] : undefined;
  throw rowError(p, row, db.columnOfError(failing?.error ?? error), failing?.error ?? error);
}

async function countRows(db: Database, table: TableInfo): Promise<number> {
  const { rows } = await db.query(`SELECT count(*) AS n FROM ${db.quoteIdent(table.name)}`);
  return Number(rows[0]!.n);
}

function massPruneError(p: Checked, deleting: number, held: number): EngineError {
  return new EngineError(
    "MASS_PRUNE",
    `${p.file.file}: pruning would delete ${deleting} of the ${held} rows of table ${p.table.name} (more than ${MASS_PRUNE_FRACTION * 100}%); ` +
      `nothing was changed. Check the file; if it is right, run again with --allow-mass-prune (allowMassPrune: true)`,
  );
}

function duplicateError(p: Checked, positions: readonly number[]): EngineError {
  const [first, ...others] = positions.map((position) => p.file.rows[position - 1]!);
  const rest = others.map((r) => rowLabel(p.file, r).slice(p.file.file.length + 1)).join(", ");
  return new EngineError("DATA_SYNC_FAILED", `${rowLabel(p.file, first!)} has the same primary key (${p.table.primaryKey.join(", ")}) as ${rest}`);
}

function rowError(p: Prepared, row: StagedRow | undefined, column: string | undefined, error: unknown): EngineError {
  const dataRow: DataRow | undefined = row ? p.file.rows[row.row - 1] : undefined;
  const where = dataRow ? rowLabel(p.file, dataRow) : p.file.file;
  const message = messageOf(error).replace(/ at row \d+$/, "");
  return new EngineError("DATA_SYNC_FAILED", `${where}${column ? `, column "${column}"` : ""}: ${message}`, { cause: error });
}

/**
 * Runs `step` inside a savepoint and returns its error, if any. With `keep`, a successful step is
 * kept; otherwise it is always undone (a probe).
 */
async function attempt(db: Database, step: () => Promise<unknown>, keep = false): Promise<unknown> {
  await db.savepoint("eng_step");
  try {
    await step();
  } catch (error) {
    await db.rollbackToSavepoint("eng_step");
    await db.releaseSavepoint("eng_step");
    return error;
  }
  if (!keep) await db.rollbackToSavepoint("eng_step");
  await db.releaseSavepoint("eng_step");
  return undefined;
}

/** Binary search for the shortest failing prefix: its last row is the one the server rejects. */
async function firstFailing(
  total: number,
  fullError: unknown,
  probe: (count: number) => Promise<unknown>,
): Promise<{ count: number; error: unknown } | undefined> {
  let lo = 1;
  let hi = total;
  let error = fullError;
  if (total === 0) return undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = await probe(mid);
    if (e === undefined) lo = mid + 1;
    else {
      hi = mid;
      error = e;
    }
  }
  // A failure that no prefix reproduces (e.g. a transient one) is reported without a row.
  if (hi === total && lo === total) {
    const e = await probe(total);
    if (e === undefined) return undefined;
    error = e;
  }
  return { count: lo, error };
}
