import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { MigrationFailedError, messageOf } from "../errors";
import { STARTED_NOTE } from "../migration-history";
import type { MigrationFile } from "../migration-files";
import { lineOf } from "../sql-splitter";
import { verifiedTls } from "../tls";
import type { ConnectionInput, Database, PendingMigration, ForeignKeyEdge, HistoryRow, MergeCounts, StagedRow, TableInfo } from "./types";

const ROW_COLUMN = "_eng_row";
/** Migrations sent per round trip, and the script size after which a group closes. */
const GROUP_MIGRATIONS = 50;
const GROUP_CHARS = 256 * 1024;

/** Opens a PostgreSQL connection. */
export async function connectPostgres(input: ConnectionInput, connect: { connectTimeoutMs: number }): Promise<Database> {
  if (typeof input === "string") refuseUnverifiedTls(input);
  const host = typeof input === "string" ? "" : (input.host ?? "127.0.0.1");
  const config: pg.ClientConfig =
    typeof input === "string"
      ? { connectionString: input, connectionTimeoutMillis: connect.connectTimeoutMs }
      : {
          connectionTimeoutMillis: connect.connectTimeoutMs,
          host,
          port: input.port ?? 5432,
          user: input.user,
          password: input.password,
          database: input.database,
          ssl: verifiedTls(input.ssl, host)?.options as pg.ClientConfig["ssl"],
        };
  const client = new pg.Client(config);
  await client.connect();
  // A dropped connection must reject the pending query, not crash the process.
  client.on("error", () => undefined);
  const database = client.database ?? (await client.query<{ db: string }>("SELECT current_database() AS db")).rows[0]!.db;
  return new PostgresDatabase(client, database);
}

/**
 * pg gives a URL's sslmode=require, prefer and verify-ca the verify-full meaning (chain and host
 * name); sslmode=no-verify and libpq's compatibility mode (uselibpqcompat=true, where require
 * checks nothing) would connect to any server that answers, so they are refused.
 */
function refuseUnverifiedTls(url: string): void {
  const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  const mode = query.get("sslmode");
  if (mode === "no-verify" || (query.get("uselibpqcompat") === "true" && mode !== "verify-full" && mode !== "disable" && mode !== null)) {
    throw new Error(
      `sslmode=${mode}${query.has("uselibpqcompat") ? " with uselibpqcompat" : ""} does not verify the server; use sslmode=verify-full (sslrootcert=<CA file> for a private CA)`,
    );
  }
}

/** A signed 64-bit advisory lock key derived from the lock name. */
export function advisoryKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

interface PgError {
  message: string;
  code?: string;
  position?: string;
  column?: string;
  detail?: string;
}

class PostgresDatabase implements Database {
  readonly engine = "postgres" as const;
  readonly flavor = "postgres" as const;
  readonly transactionalDdl = true;

  constructor(
    private readonly client: pg.Client,
    readonly databaseName: string,
  ) {}

  async query(sql: string, params?: readonly unknown[]) {
    const result = await this.client.query(sql, params as unknown[] | undefined);
    return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount ?? 0 };
  }

  quoteIdent(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  async lock(name: string, timeoutMs: number): Promise<boolean> {
    const key = advisoryKey(name);
    const { rows } = await this.query("SELECT pg_try_advisory_lock($1) AS ok", [key]);
    if (rows[0]!.ok === true || timeoutMs <= 0) return rows[0]!.ok === true;
    // lock_timeout bounds the wait of pg_advisory_lock exactly, without polling.
    await this.query(`SET lock_timeout = ${Math.ceil(timeoutMs)}`);
    try {
      await this.query("SELECT pg_advisory_lock($1)", [key]);
      return true;
    } catch (error) {
      if ((error as PgError).code === "55P03") return false;
      throw error;
    } finally {
      await this.query("RESET lock_timeout");
    }
  }

  async unlock(name: string): Promise<void> {
    await this.query("SELECT pg_advisory_unlock($1)", [advisoryKey(name)]);
  }

  describeLock(name: string): string {
    return `PostgreSQL advisory lock ${advisoryKey(name)} ("${name}")`;
  }

  async configureMigrationSession(limits: { tableLockTimeoutMs: number; statementTimeoutMs: number }): Promise<void> {
    await this.client.query(`SET lock_timeout = ${Math.ceil(limits.tableLockTimeoutMs)}; SET statement_timeout = ${Math.ceil(limits.statementTimeoutMs)}`);
    // PostgreSQL 14+: while a statement runs, check every second that the client is still there,
    // so the statements of a killed run stop (and roll back) instead of running on unseen.
    await this.client.query("SET client_connection_check_interval = 1000").catch((error: PgError) => {
      if (error.code !== "42704") throw error;
    });
  }

  async begin() {
    await this.client.query("BEGIN");
  }
  async commit() {
    await this.client.query("COMMIT");
  }
  async rollback() {
    await this.client.query("ROLLBACK");
  }
  async savepoint(name: string) {
    await this.client.query(`SAVEPOINT ${name}`);
  }
  async rollbackToSavepoint(name: string) {
    await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
  }
  async releaseSavepoint(name: string) {
    await this.client.query(`RELEASE SAVEPOINT ${name}`);
  }

  async createHistory(table: string): Promise<void> {
    await this.query(`CREATE TABLE IF NOT EXISTS ${this.quoteIdent(table)} (
      version varchar(100) PRIMARY KEY,
      description varchar(500) NOT NULL,
      script varchar(1000) NOT NULL,
      checksum char(64) NOT NULL,
      applied_by varchar(255) NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      duration_ms integer NOT NULL,
      success boolean NOT NULL,
      error text
    )`);
  }

  async readHistory(table: string): Promise<HistoryRow[] | undefined> {
    const result = await this.query(
      `SELECT version, description, script, checksum, applied_by, applied_at, duration_ms, success, error
       FROM ${this.quoteIdent(table)} ORDER BY applied_at, version`,
    ).catch((error: PgError) => {
      if (error.code === "42P01") return undefined;
      throw error;
    });
    return result?.rows.map(toHistoryRow);
  }

  async deleteHistory(table: string, version: string): Promise<void> {
    await this.query(`DELETE FROM ${this.quoteIdent(table)} WHERE version = $1`, [version]);
  }

  async markHistoryApplied(table: string, version: string, checksum: string): Promise<void> {
    await this.query(`UPDATE ${this.quoteIdent(table)} SET success = true, error = NULL, checksum = $2 WHERE version = $1`, [
      version,
      checksum,
    ]);
  }

  async insertHistory(table: string, m: MigrationFile, appliedBy: string): Promise<void> {
    await this.query(
      `INSERT INTO ${this.quoteIdent(table)} (version, description, script, checksum, applied_by, duration_ms, success) VALUES ($1, $2, $3, $4, $5, 0, true)`,
      [m.version, m.description, m.script, m.checksum, appliedBy],
    );
  }

  /**
   * Each migration is BEGIN, its statements, its history row and COMMIT; several migrations travel
   * in one simple-protocol query (one round trip per group), each still its own transaction. The
   * server measures each duration from its transaction's start. On failure the open transaction is
   * rolled back, the history tells which migrations of the group committed, and the failing
   * statement is found from the error position, or by replaying the failing file's statements in a
   * transaction that is rolled back.
   */
  async applyMigrations(
    table: string,
    batch: readonly PendingMigration[],
    appliedBy: string,
    onApplied: (migration: MigrationFile, durationMs: number) => void,
  ): Promise<void> {
    for (let start = 0; start < batch.length; ) {
      const first = batch[start]!;
      if (!first.migration.transactional) {
        onApplied(first.migration, await this.applyOutsideTransaction(table, first, appliedBy));
        start++;
        continue;
      }
      let size = 0;
      let end = start;
      while (end < batch.length && batch[end]!.migration.transactional && end - start < GROUP_MIGRATIONS && (end === start || size < GROUP_CHARS)) {
        size += batch[end]!.migration.sql.length;
        end++;
      }
      await this.applyGroup(table, batch.slice(start, end), appliedBy, onApplied);
      start = end;
    }
  }

  /**
   * One round trip for the whole group. On failure the server has run the commands up to the
   * failing one and no further: the number of commands it completed tells which files committed
   * and which statement failed, without running anything again. The server parses the whole text
   * before running any of it, so a syntax error in a later file ran nothing: the files before it
   * are then sent again (for the first time, in effect) and the bad one is reported.
   */
  private async applyGroup(
    table: string,
    group: readonly PendingMigration[],
    appliedBy: string,
    onApplied: (migration: MigrationFile, durationMs: number) => void,
  ): Promise<void> {
    const lit = (v: string) => this.client.escapeLiteral(v);
    const hist = this.quoteIdent(table);
    let text = "";
    const layout: { offsets: number[]; end: number }[] = [];
    // What each command the server completes is, in order: a file's statement, or the engine's own
    // BEGIN / SET (-1), history row (-2) and COMMIT (-3).
    const commands: { file: number; statement: number }[] = [];
    const commitAt: number[] = [];
    group.forEach(({ migration: m, statements }, file) => {
      // Commits do not wait for the WAL flush; flushDurably() at the end of the run waits for all
      // of them at once. A server crash before that loses whole migrations with their history
      // rows, never half of one, and the next run applies them again.
      text += "BEGIN;\nSET LOCAL synchronous_commit TO off;\n";
      commands.push({ file, statement: -1 }, { file, statement: -1 });
      const offsets: number[] = [];
      statements.forEach((s, statement) => {
        offsets.push(text.length);
        // The newline before the delimiter ends a trailing line comment.
        text += `${s.text}\n;\n`;
        commands.push({ file, statement });
      });
      layout.push({ offsets, end: text.length });
      // A repeatable file's row is replaced; a versioned file's row is new (a conflict is an error).
      const upsert =
        m.kind === "repeatable"
          ? " ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, script = EXCLUDED.script, checksum = EXCLUDED.checksum, " +
            "applied_by = EXCLUDED.applied_by, applied_at = EXCLUDED.applied_at, duration_ms = EXCLUDED.duration_ms, success = true, error = NULL"
          : "";
      text +=
        `INSERT INTO ${hist} (version, description, script, checksum, applied_by, applied_at, duration_ms, success) ` +
        `VALUES (${lit(m.version)}, ${lit(m.description)}, ${lit(m.script)}, ${lit(m.checksum)}, ${lit(appliedBy)}, now(), ` +
        `(extract(epoch FROM clock_timestamp() - now()) * 1000)::integer, true)${upsert} RETURNING version AS "_eng_version", duration_ms AS "_eng_duration";\nCOMMIT;\n`;
      commands.push({ file, statement: -2 }, { file, statement: -3 });
      commitAt.push(commands.length - 1);
    });
    const query = new pg.Query(text) as pg.Query & { handleCommandComplete(message: unknown, connection: unknown): void };
    let completed = 0;
    const complete = query.handleCommandComplete.bind(query);
    query.handleCommandComplete = (message, connection) => {
      completed++;
      complete(message, connection);
    };
    try {
      const results = await new Promise<pg.QueryResult | pg.QueryResult[]>((done, fail) => {
        query.on("end", done);
        query.on("error", fail);
        this.client.query(query);
      });
      const durations = new Map<string, number>();
      for (const r of Array.isArray(results) ? results : [results]) {
        for (const row of r.rows ?? []) if (row && "_eng_version" in row) durations.set(String(row._eng_version), Number(row._eng_duration));
      }
      for (const { migration } of group) onApplied(migration, durations.get(migration.version) ?? 0);
      return;
    } catch (error) {
      await this.client.query("ROLLBACK").catch(() => undefined);
      const e = error as PgError;
      const failing = commands[completed];
      if (failing === undefined) throw error;
      // Files whose COMMIT completed stay applied.
      const committed = group.filter((_, file) => commitAt[file]! < completed);
      if (committed.length > 0) {
        // Their durations came back with the results the error discarded. A lost connection fails
        // this too; the files are reported all the same, and the error below says what happened.
        const durations = new Map<string, number>();
        await this.query(`SELECT version, duration_ms FROM ${hist} WHERE version = ANY($1)`, [committed.map((g) => g.migration.version)]).then(
          ({ rows }) => rows.forEach((r) => durations.set(String(r.version), Number(r.duration_ms))),
          () => undefined,
        );
        for (const { migration } of committed) onApplied(migration, durations.get(migration.version) ?? 0);
      }
      const at = locateByPosition(text, layout, e) ?? { file: failing.file, statement: failing.statement, offset: undefined };
      if (completed === 0 && at.file > 0) await this.applyGroup(table, group.slice(0, at.file), appliedBy, onApplied);
      const { migration: m, statements } = group[at.file]!;
      const s = statements[at.statement];
      if (s === undefined) {
        const step = at.statement === -3 ? "at COMMIT" : at.statement === -2 ? "recording the history row" : "starting the transaction";
        throw new MigrationFailedError({ script: m.script, databaseMessage: `${step}: ${e.message}` });
      }
      const line = at.offset === undefined ? s.line : lineOf(m.sql, s.start + at.offset);
      throw new MigrationFailedError({ script: m.script, statement: s.index, line, databaseMessage: e.message });
    }
  }

  /**
   * A `-- migrate:no-transaction` file: a committed "started" row first, then each statement on its
   * own (as psql would send them, so CREATE INDEX CONCURRENTLY runs), then the row is completed. A
   * failure is recorded on the row; a killed run leaves the started row, which the next run refuses.
   */
  private async applyOutsideTransaction(table: string, { migration: m, statements }: PendingMigration, appliedBy: string): Promise<number> {
    const hist = this.quoteIdent(table);
    const started = performance.now();
    await this.query(
      `INSERT INTO ${hist} (version, description, script, checksum, applied_by, applied_at, duration_ms, success, error) VALUES ($1, $2, $3, $4, $5, now(), 0, false, $6)
       ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, script = EXCLUDED.script, checksum = EXCLUDED.checksum,
         applied_by = EXCLUDED.applied_by, applied_at = EXCLUDED.applied_at, duration_ms = 0, success = false, error = EXCLUDED.error`,
      [m.version, m.description, m.script, m.checksum, appliedBy, STARTED_NOTE],
    );
    for (const s of statements) {
      try {
        await this.client.query(s.text);
      } catch (error) {
        const e = error as PgError;
        const position = e.position ? codeUnitOffset(s.text, Number(e.position) - 1) : undefined;
        const line = position === undefined ? s.line : lineOf(m.sql, s.start + position);
        const failure = { script: m.script, statement: s.index, line, databaseMessage: messageOf(error) };
        const duration = Math.round(performance.now() - started);
        try {
          await this.query(`UPDATE ${hist} SET error = $2, duration_ms = $3 WHERE version = $1`, [m.version, new MigrationFailedError(failure).message, duration]);
        } catch (recordError) {
          throw new MigrationFailedError(failure, `; recording the failure also failed: ${messageOf(recordError)}`);
        }
        throw new MigrationFailedError(failure, `. The failure is recorded; fix the database by hand, then run repair (see docs/engine.md)`);
      }
    }
    const duration = Math.round(performance.now() - started);
    await this.query(`UPDATE ${hist} SET success = true, error = NULL, duration_ms = $2, applied_at = now() WHERE version = $1`, [m.version, duration]);
    return duration;
  }

  /** A synchronous commit of a transaction with an id flushes the WAL of every earlier commit. */
  async flushDurably(): Promise<void> {
    await this.client.query("BEGIN; SELECT txid_current(); COMMIT");
  }

  async describeTable(table: string): Promise<TableInfo | undefined> {
    // One round trip: the columns, each row carrying the primary key's columns in key order.
    const { rows: columns } = await this.query(
      `SELECT column_name AS name, CASE WHEN data_type IN ('USER-DEFINED', 'ARRAY') THEN udt_name ELSE data_type END AS type,
         (SELECT coalesce(array_agg(k.column_name::text ORDER BY k.ordinal_position), '{}') FROM information_schema.table_constraints c
          JOIN information_schema.key_column_usage k
            ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name
          WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = current_schema() AND c.table_name = $1) AS primary_key
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    if (columns.length === 0) return undefined;
    return {
      name: table,
      columns: columns.map((c) => ({ name: String(c.name), type: String(c.type).toLowerCase() })),
      primaryKey: (columns[0]!.primary_key as string[]).map(String),
    };
  }

  async foreignKeys(): Promise<ForeignKeyEdge[]> {
    const { rows } = await this.query(
      `SELECT DISTINCT c.table_name AS child, u.table_name AS parent
       FROM information_schema.table_constraints c
       JOIN information_schema.constraint_column_usage u
         ON u.constraint_schema = c.constraint_schema AND u.constraint_name = c.constraint_name
       WHERE c.constraint_type = 'FOREIGN KEY' AND c.table_schema = current_schema() AND u.table_schema = current_schema()`,
    );
    return rows.map((r) => ({ child: String(r.child), parent: String(r.parent) }));
  }

  /**
   * Memory for the sync's own session (it opens and closes it): the stage of a large file then stays
   * in memory (temp_buffers, 8 MB by default, can only change before the session's first temporary
   * table), and the merge and prune join it with the table in one in-memory hash instead of sorting
   * both on disk (work_mem, 4 MB by default).
   */
  async prepareSync(): Promise<void> {
    await this.query("SET temp_buffers = '64MB'; SET work_mem = '64MB'");
  }

  async createStage(table: TableInfo, columns: readonly string[], index: number): Promise<string> {
    const stage = `_eng_stage_${index}`;
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    // CREATE TABLE AS copies the column types but no constraints: violations surface in the merge,
    // against the real table, with its constraint names.
    await this.query(
      `CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${cols}, 0::integer AS ${ROW_COLUMN} FROM ${this.quoteIdent(table.name)} WITH NO DATA`,
    );
    return stage;
  }

  /** COPY FROM STDIN in text format: the server's fastest path, into an unlogged temporary table. */
  async loadStage(stage: string, table: TableInfo, columns: readonly string[], rows: readonly StagedRow[]): Promise<void> {
    await this.copyRows(`${stage} (${columns.map((c) => this.quoteIdent(c)).join(", ")}, ${ROW_COLUMN})`, table, columns, rows, true);
  }

  async loadTable(table: TableInfo, columns: readonly string[], rows: readonly StagedRow[]): Promise<void> {
    await this.copyRows(`${this.quoteIdent(table.name)} (${columns.map((c) => this.quoteIdent(c)).join(", ")})`, table, columns, rows, false);
  }

  /** The file's own text through COPY's CSV reader: nothing to convert row by row. */
  async loadCsv(table: TableInfo, columns: readonly string[], csvText: string): Promise<void> {
    await this.copyCsv(this.quoteIdent(table.name), columns, csvText);
  }

  /**
   * A stage like createStage's whose position column numbers the rows as COPY reads them (in file
   * order, from 1), filled from the file's own text.
   */
  async stageCsv(table: TableInfo, columns: readonly string[], csvText: string, index: number, numbered = true): Promise<string> {
    const stage = `_eng_stage_${index}`;
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    await this.query(
      numbered
        ? `CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${cols} FROM ${this.quoteIdent(table.name)} WITH NO DATA;
       ALTER TABLE ${stage} ADD COLUMN ${ROW_COLUMN} integer GENERATED ALWAYS AS IDENTITY`
        : `CREATE TEMP TABLE ${stage} ON COMMIT DROP AS SELECT ${cols}, NULL::integer AS ${ROW_COLUMN} FROM ${this.quoteIdent(table.name)} WITH NO DATA`,
    );
    await this.copyCsv(stage, columns, csvText);
    return stage;
  }

  private async copyCsv(target: string, columns: readonly string[], csvText: string): Promise<void> {
    const { from: copyFrom } = await import("pg-copy-streams");
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    const copy = this.client.query(copyFrom(`COPY ${target} (${cols}) FROM STDIN WITH (FORMAT csv, HEADER true)`));
    // Encoded once: slicing the text into chunks first could split a surrogate pair in two.
    const bytes = Buffer.from(csvText, "utf8");
    const chunks = function* () {
      for (let start = 0; start < bytes.length; start += 1 << 20) yield bytes.subarray(start, start + (1 << 20));
    };
    await pipeline(Readable.from(chunks()), copy);
  }

  private async copyRows(target: string, table: TableInfo, columns: readonly string[], rows: readonly StagedRow[], withPosition: boolean): Promise<void> {
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    const isArray = columns.map((c) => (typeOf.get(c) ?? "").startsWith("_"));
    // Loaded on first use: migrations never need it.
    const { from: copyFrom } = await import("pg-copy-streams");
    const copy = this.client.query(copyFrom(`COPY ${target} FROM STDIN`));
    const chunks = function* () {
      let chunk = "";
      for (const row of rows) {
        for (let i = 0; i < row.values.length; i++) chunk += `${i === 0 ? "" : "\t"}${copyText(row.values[i], isArray[i]!)}`;
        chunk += withPosition ? `\t${row.row}\n` : "\n";
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = "";
        }
      }
      if (chunk.length > 0) yield chunk;
    };
    await pipeline(Readable.from(chunks()), copy);
  }

  async readKeys(table: TableInfo, limit: number): Promise<unknown[][]> {
    const result = await this.client.query({
      text: `SELECT ${table.primaryKey.map((k) => this.quoteIdent(k)).join(", ")} FROM ${this.quoteIdent(table.name)} LIMIT ${Math.floor(limit)}`,
      rowMode: "array",
    });
    return result.rows as unknown[][];
  }

  /**
   * COPY's text output of the keys and the columns: every type's output is its exact value once
   * floats print all their digits (the default from PostgreSQL 12; set here for older servers).
   * Keys come back as text, which the server casts back when they are used.
   */
  async readRows(table: TableInfo, columns: readonly string[], limit: number): Promise<{ keys: unknown[][]; texts: string[] }> {
    const { to: copyTo } = await import("pg-copy-streams");
    await this.client.query("SET LOCAL extra_float_digits = 3");
    const q = (c: string) => this.quoteIdent(c);
    const select = `SELECT ${[...table.primaryKey, ...columns].map(q).join(", ")} FROM ${q(table.name)} LIMIT ${Math.floor(limit)}`;
    const chunks: Buffer[] = [];
    const copy = this.client.query(copyTo(`COPY (${select}) TO STDOUT`));
    for await (const chunk of copy) chunks.push(chunk as Buffer);
    const keyCount = table.primaryKey.length;
    const keys: unknown[][] = [];
    const texts: string[] = [];
    const text = Buffer.concat(chunks).toString("utf8");
    // COPY escapes newlines and tabs inside values, so lines are rows and tabs separate fields.
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      const key: unknown[] = [];
      let pos = start;
      for (let k = 0; k < keyCount; k++) {
        const tab = text.indexOf("\t", pos);
        const fieldEnd = tab === -1 || tab > end ? end : tab;
        key.push(fromCopyText(text.slice(pos, fieldEnd)));
        pos = fieldEnd + 1;
      }
      keys.push(key);
      texts.push(text.slice(pos, end));
      start = end + 1;
    }
    return { keys, texts };
  }

  /**
   * The text COPY would print for these values, where it can be told without the server: a boolean
   * column's spellings become t / f as the server reads them; any other spelling stays as it is
   * and simply compares unequal (the row is then staged and the server compares).
   */
  rowText(table: TableInfo, columns: readonly string[], row: StagedRow): string {
    const kinds = this.columnKinds(table, columns);
    let text = "";
    for (let i = 0; i < row.values.length; i++) {
      const value = row.values[i];
      const kind = kinds[i]!;
      const field = kind === "boolean" && typeof value === "string" ? (BOOLEAN_TEXT[value.trim().toLowerCase()] ?? value) : copyText(value, kind === "array");
      text += i === 0 ? field : `\t${field}`;
    }
    return text;
  }

  private readonly kindsCache = new WeakMap<TableInfo, { columns: readonly string[]; kinds: ("array" | "boolean" | "other")[] }>();
  private columnKinds(table: TableInfo, columns: readonly string[]): ("array" | "boolean" | "other")[] {
    const cached = this.kindsCache.get(table);
    if (cached && cached.columns === columns) return cached.kinds;
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    const kinds = columns.map((c) => {
      const type = typeOf.get(c) ?? "";
      return type.startsWith("_") ? "array" : type === "boolean" ? "boolean" : "other";
    });
    this.kindsCache.set(table, { columns, kinds });
    return kinds;
  }

  /**
   * COPY's CSV output, whose rules are the data files' (an empty unquoted field is NULL, `""` an
   * empty string), for tables whose columns all print their exact value (CSV_EXACT_TYPES); booleans
   * in the file's spelling. A value with a line break spans two output lines: such a table is left
   * to the server's comparison (undefined), as a plain file never holds one.
   */
  async readCsvLines(
    table: TableInfo,
    columns: readonly string[],
    sample: readonly (string | null)[],
    limit: number,
    stage?: string,
  ): Promise<Buffer | undefined> {
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    if (!columns.every((c) => CSV_EXACT_TYPES.has(typeOf.get(c) ?? ""))) return undefined;
    const q = (c: string) => this.quoteIdent(c);
    const lit = (v: string) => this.client.escapeLiteral(v);
    const fields = columns.map((c, i) => {
      if (typeOf.get(c) !== "boolean") return `t.${q(c)}`;
      const [yes, no] = booleanSpelling(sample[i]);
      return `CASE WHEN t.${q(c)} THEN ${lit(yes)} WHEN NOT t.${q(c)} THEN ${lit(no)} END`;
    });
    const keyMatch = table.primaryKey.map((k) => `s.${q(k)} = t.${q(k)}`).join(" AND ");
    const from = stage === undefined ? `${q(table.name)} AS t` : `${q(table.name)} AS t JOIN ${stage} AS s ON ${keyMatch}`;
    const { to: copyTo } = await import("pg-copy-streams");
    const chunks: Buffer[] = [];
    const copy = this.client.query(copyTo(`COPY (SELECT ${fields.join(", ")} FROM ${from} LIMIT ${Math.floor(limit)}) TO STDOUT (FORMAT csv)`));
    for await (const chunk of copy) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks);
    // Each row prints at least one line: as many lines as rows means none holds a line break.
    return lineCount(text) === copy.rowCount ? text : undefined;
  }

  async preferKeyLookups(on: boolean): Promise<void> {
    await this.client.query(on ? "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off" : "SET LOCAL enable_hashjoin = on; SET LOCAL enable_mergejoin = on");
  }

  async deleteKeys(table: TableInfo, keys: readonly (readonly unknown[])[]): Promise<number> {
    const columns = `(${table.primaryKey.map((k) => this.quoteIdent(k)).join(", ")})`;
    let n = 0;
    const tuples = keys.map((key) => `(${key.map(() => `$${++n}`).join(", ")})`).join(", ");
    return (await this.query(`DELETE FROM ${this.quoteIdent(table.name)} WHERE ${columns} IN (${tuples})`, keys.flat())).rowCount;
  }

  async duplicateKeys(stage: string, primaryKey: readonly string[]): Promise<number[] | undefined> {
    const key = primaryKey.map((c) => this.quoteIdent(c)).join(", ");
    const { rows } = await this.query(
      `SELECT array_agg(${ROW_COLUMN} ORDER BY ${ROW_COLUMN}) AS positions FROM ${stage}
       GROUP BY ${key} HAVING count(*) > 1 ORDER BY min(${ROW_COLUMN}) LIMIT 1`,
    );
    return rows[0] ? (rows[0].positions as number[]) : undefined;
  }

  async merge(table: TableInfo, stage: string, columns: readonly string[], maxPosition?: number): Promise<MergeCounts> {
    const t = this.quoteIdent(table.name);
    const keyMatch = (a: string, b: string) => table.primaryKey.map((k) => `${a}.${this.quoteIdent(k)} = ${b}.${this.quoteIdent(k)}`).join(" AND ");
    const limit = maxPosition === undefined ? "" : ` AND s.${ROW_COLUMN} <= ${Math.floor(maxPosition)}`;
    const nonKey = columns.filter((c) => !table.primaryKey.includes(c));
    const statements: string[] = [];
    if (nonKey.length > 0) {
      const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
      const comparable = (alias: string, c: string) => `${alias}.${this.quoteIdent(c)}${comparisonCast(typeOf.get(c) ?? "")}`;
      const set = nonKey.map((c) => `${this.quoteIdent(c)} = s.${this.quoteIdent(c)}`).join(", ");
      const before = nonKey.map((c) => comparable("t", c)).join(", ");
      const after = nonKey.map((c) => comparable("s", c)).join(", ");
      statements.push(`UPDATE ${t} AS t SET ${set} FROM ${stage} AS s WHERE ${keyMatch("t", "s")} AND ROW(${before}) IS DISTINCT FROM ROW(${after})${limit}`);
    }
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    const scols = columns.map((c) => `s.${this.quoteIdent(c)}`).join(", ");
    statements.push(`INSERT INTO ${t} (${cols}) SELECT ${scols} FROM ${stage} AS s WHERE NOT EXISTS (SELECT 1 FROM ${t} AS t WHERE ${keyMatch("t", "s")})${limit}`);
    // One round trip: the server runs the update before the insert, in the caller's transaction.
    const results = await this.client.query(statements.join(";\n"));
    const counts = (Array.isArray(results) ? results : [results]).map((r: pg.QueryResult) => r.rowCount ?? 0);
    return { inserted: counts[counts.length - 1]!, updated: counts.length > 1 ? counts[0]! : 0 };
  }

  async prune(table: TableInfo, stage: string): Promise<number> {
    const t = this.quoteIdent(table.name);
    const keyMatch = table.primaryKey.map((k) => `s.${this.quoteIdent(k)} = t.${this.quoteIdent(k)}`).join(" AND ");
    const result = await this.query(`DELETE FROM ${t} AS t WHERE NOT EXISTS (SELECT 1 FROM ${stage} AS s WHERE ${keyMatch})`);
    return result.rowCount;
  }

  async syncSequences(table: TableInfo): Promise<void> {
    const qualified = `${this.quoteIdent(table.name)}`;
    for (const key of table.primaryKey) {
      const { rows } = await this.query("SELECT pg_get_serial_sequence($1, $2) AS seq", [qualified, key]);
      const seq = rows[0]?.seq;
      if (typeof seq !== "string") continue;
      await this.query(
        `SELECT setval($1::regclass, m) FROM (SELECT max(${this.quoteIdent(key)})::bigint AS m FROM ${qualified}) x
         WHERE m IS NOT NULL AND m > COALESCE(pg_sequence_last_value($1::regclass), 0)`,
        [seq],
      );
    }
  }

  async dropStage(stage: string): Promise<void> {
    await this.query(`DROP TABLE IF EXISTS ${stage}`);
  }

  columnOfError(error: unknown): string | undefined {
    const e = error as PgError;
    if (e.column) return e.column;
    const key = /Key \(([^)]+)\)=/.exec(e.detail ?? "");
    if (key) return key[1]!.replace(/"/g, "");
    return undefined;
  }
}

/**
 * The file and statement a server error position (1-based, in characters of the whole query text)
 * falls in, with the offset inside the statement; undefined when there is no position or it lies in
 * the engine's own commands.
 */
function locateByPosition(
  text: string,
  layout: readonly { offsets: readonly number[]; end: number }[],
  error: PgError,
): { file: number; statement: number; offset: number } | undefined {
  if (!error.position) return undefined;
  const position = codeUnitOffset(text, Number(error.position) - 1);
  const file = layout.findIndex((l) => l.offsets.length > 0 && position >= l.offsets[0]! && position < l.end);
  if (file === -1) return undefined;
  const { offsets } = layout[file]!;
  let statement = offsets.length - 1;
  while (statement > 0 && offsets[statement]! > position) statement--;
  return { file, statement, offset: position - offsets[statement]! };
}

/** The server counts positions in characters; JavaScript strings index UTF-16 code units. */
function codeUnitOffset(text: string, characters: number): number {
  let units = 0;
  for (let c = 0; c < characters && units < text.length; c++) {
    const code = text.charCodeAt(units);
    units += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  }
  return units;
}

/** One value in COPY text format: \\N for NULL, backslash escapes for the separators. */
function copyText(value: unknown, isArray: boolean): string {
  if (value === null || value === undefined) return "\\N";
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "boolean") return value ? "t" : "f";
  else if (typeof value === "number" || typeof value === "bigint") return String(value);
  else if (Array.isArray(value) && isArray) text = arrayLiteral(value);
  else text = JSON.stringify(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : text;
}

const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * Types whose CSV output is their exact value: reading the text back gives the same value, so equal
 * text means equal values. Not floating point, binary, time zones, arrays, JSON or user types: their
 * rows are compared by the server.
 */
const CSV_EXACT_TYPES = new Set([
  ...["smallint", "integer", "bigint", "numeric", "boolean", "uuid"],
  ...["text", "character varying", "character"],
  ...["date", "timestamp without time zone", "time without time zone"],
]);

/** Pairs of boolean spellings that boolin reads (in any case). */
const BOOLEAN_PAIRS: readonly (readonly [string, string])[] = [
  ["t", "f"],
  ["true", "false"],
  ["y", "n"],
  ["yes", "no"],
  ["on", "off"],
  ["1", "0"],
];

/**
 * The spelling of true and false that a file writes, judged from one of its values (`1` gives
 * 1 / 0, `TRUE` gives TRUE / FALSE); t / f when it is none of PostgreSQL's spellings. Both
 * spellings are read by the server as the boolean they print, so equal text still means equal values.
 */
function booleanSpelling(value: string | null | undefined): readonly [string, string] {
  const lower = (value ?? "").toLowerCase();
  const pair = BOOLEAN_PAIRS.find((p) => p.includes(lower));
  if (!pair || value === undefined || value === null) return ["t", "f"];
  if (value === value.toUpperCase() && value !== lower) return [pair[0].toUpperCase(), pair[1].toUpperCase()];
  if (value[0] !== lower[0]) return [pair[0][0]!.toUpperCase() + pair[0].slice(1), pair[1][0]!.toUpperCase() + pair[1].slice(1)];
  return pair;
}

/** Line feeds in a buffer. */
function lineCount(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

/** PostgreSQL's spellings of a boolean (boolin), as COPY prints them. */
const BOOLEAN_TEXT: Record<string, string> = { t: "t", true: "t", y: "t", yes: "t", on: "t", "1": "t", f: "f", false: "f", n: "f", no: "f", off: "f", "0": "f" };

const COPY_UNESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

/** One field of COPY's text output: \N is NULL; backslash escapes undone. */
function fromCopyText(field: string): string | null {
  if (field === "\\N") return null;
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.)/g, (_m, c: string) => COPY_UNESCAPES[c] ?? c);
}

/** A JSON array as a PostgreSQL array literal, e.g. {1,2} or {"a b",NULL}. */
function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return "NULL";
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  });
  return `{${items.join(",")}}`;
}

/** Types without an equality operator are compared through one that has one. */
function comparisonCast(type: string): string {
  if (type === "json") return "::jsonb";
  if (["xml", "point", "line", "lseg", "box", "path", "polygon", "circle"].includes(type)) return "::text";
  return "";
}

function toHistoryRow(r: Record<string, unknown>): HistoryRow {
  return {
    version: String(r.version),
    description: String(r.description),
    script: String(r.script),
    checksum: String(r.checksum).trim(),
    appliedBy: String(r.applied_by),
    appliedAt: r.applied_at as Date,
    durationMs: Number(r.duration_ms),
    success: r.success === true || r.success === 1,
    error: r.error === null || r.error === undefined ? null : String(r.error),
  };
}
