import { createHash } from "node:crypto";
import { connect as netConnect } from "node:net";
import { Readable } from "node:stream";
import mysql from "mysql2/promise";
import { MigrationFailedError, messageOf } from "../errors";
import { STARTED_NOTE } from "../migration-history";
import type { MigrationFile } from "../migration-files";
import type { SqlStatement } from "../sql-splitter";
import { verifiedTls } from "../tls";
import type { ConnectionInput, ConnectionOptions, Database, PendingMigration, ForeignKeyEdge, HistoryRow, MergeCounts, StagedRow, TableInfo } from "./types";

const ROW_COLUMN = "_eng_row";
/** Types whose value the driver's text (or number) gives exactly; see readRows. */
const EXACT_TEXT_TYPES = new Set([
  ...["tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "year"],
  ...["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"],
  // Not timestamp: it prints in the session's time zone, where two instants can share one text.
  ...["date", "datetime", "time"],
]);
const STRING_TYPES = new Set(["char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"]);

/** Opens a MySQL / MariaDB connection. */
export async function connectMysql(input: ConnectionInput, connect: { connectTimeoutMs: number }): Promise<Database> {
  // Multiple statements let a history row and its COMMIT travel together; migration files are still
  // sent one statement at a time, as split by the engine.
  const common = {
    multipleStatements: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: connect.connectTimeoutMs,
  } as const;
  let options: mysql.ConnectionOptions;
  if (typeof input === "string") {
    const url = new URL(input);
    // An explicit ssl option wins over the URL's, so the URL's is replaced by its verified form.
    options = { uri: input, ...common, ...tlsOptions(urlSsl(url), decodeURIComponent(url.hostname.replace(/^\[|\]$/g, "")), Number(url.port || 3306)) };
  } else {
    const host = input.host ?? "127.0.0.1";
    const port = input.port ?? 3306;
    options = { host, port, user: input.user, password: input.password, database: input.database, ...common, ...tlsOptions(input.ssl, host, port) };
  }
  const connection = await mysql.createConnection(options);
  connection.on("error", () => undefined);
  const db = connection.config.database;
  if (!db) {
    await connection.end();
    throw new Error("the connection names no database: add it to the URL (mysql://user@host:3306/<database>)");
  }
  return new MysqlDatabase(connection, db);
}

/**
 * mysql2's TLS options with the host name verified (verifiedTls; mysql2 checks only the chain unless
 * verifyIdentity is set). mysql2 checks the name it connects to, so when the certificate must carry
 * another name (a tunnel), it is told that name and given a socket to the real address.
 */
function tlsOptions(ssl: ConnectionOptions["ssl"], host: string, port: number): Partial<mysql.ConnectionOptions> {
  const tls = verifiedTls(ssl, host);
  if (!tls) return {};
  const verified = { ...tls.options, verifyIdentity: tls.options.rejectUnauthorized } as mysql.SslOptions;
  if (tls.servername === host) return { ssl: verified };
  return { ssl: verified, host: tls.servername, port, stream: () => netConnect(port, host) };
}

/** The URL's `ssl` parameter as ConnectionOptions.ssl: `true` or a JSON object of TLS options. */
function urlSsl(url: URL): ConnectionOptions["ssl"] {
  const raw = url.searchParams.get("ssl");
  if (raw === null) return undefined;
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // A profile name such as "Amazon RDS": refused below.
  }
  if (value === true || value === false) return value;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new Error(`the URL's ssl=${raw} is not supported: use ssl=true (default CAs) or connection options with ssl: { ca }`);
}

/** GET_LOCK names are limited to 64 characters. */
export function mysqlLockName(name: string): string {
  return name.length <= 64 ? name : `${name.slice(0, 47)}:${createHash("sha256").update(name).digest("hex").slice(0, 16)}`;
}

interface MysqlError {
  message: string;
  code?: string;
  errno?: number;
  sqlMessage?: string;
}

class MysqlDatabase implements Database {
  readonly engine = "mysql" as const;
  readonly flavor = "mysql" as const;
  readonly transactionalDdl = false;

  constructor(
    private readonly connection: mysql.Connection,
    readonly databaseName: string,
  ) {}

  async query(sql: string, params?: readonly unknown[]) {
    const [result] = await this.connection.query(sql, params as unknown[] | undefined);
    if (Array.isArray(result)) return { rows: result as Record<string, unknown>[], rowCount: result.length };
    return { rows: [], rowCount: (result as mysql.ResultSetHeader).affectedRows ?? 0 };
  }

  quoteIdent(name: string): string {
    return `\`${name.replace(/`/g, "``")}\``;
  }

  async close(): Promise<void> {
    await this.connection.end().catch(() => undefined);
  }

  async lock(name: string, timeoutMs: number): Promise<boolean> {
    const { rows } = await this.query("SELECT GET_LOCK(?, ?) AS ok", [mysqlLockName(name), Math.max(0, timeoutMs) / 1000]);
    return Number(rows[0]!.ok) === 1;
  }

  async unlock(name: string): Promise<void> {
    await this.query("SELECT RELEASE_LOCK(?)", [mysqlLockName(name)]);
  }

  describeLock(name: string): string {
    return `MySQL lock GET_LOCK('${mysqlLockName(name)}')`;
  }

  /** Metadata and row lock waits (whole seconds, at least 1); MariaDB's max_statement_time, else MySQL's max_execution_time (SELECT only). */
  async configureMigrationSession(limits: { tableLockTimeoutMs: number; statementTimeoutMs: number }): Promise<void> {
    if (limits.tableLockTimeoutMs > 0) {
      const seconds = Math.max(1, Math.ceil(limits.tableLockTimeoutMs / 1000));
      await this.query(`SET SESSION lock_wait_timeout = ${seconds}, innodb_lock_wait_timeout = ${seconds}`);
    }
    await this.query(`SET SESSION max_statement_time = ${limits.statementTimeoutMs / 1000}`).catch(async (error: MysqlError) => {
      // ER_UNKNOWN_SYSTEM_VARIABLE: MySQL, not MariaDB.
      if (error.errno !== 1193) throw error;
      await this.query(`SET SESSION max_execution_time = ${Math.ceil(limits.statementTimeoutMs)}`);
    });
  }

  async begin() {
    await this.query("START TRANSACTION");
  }
  async commit() {
    await this.query("COMMIT");
  }
  async rollback() {
    await this.query("ROLLBACK");
  }
  async savepoint(name: string) {
    await this.query(`SAVEPOINT ${name}`);
  }
  async rollbackToSavepoint(name: string) {
    await this.query(`ROLLBACK TO SAVEPOINT ${name}`);
  }
  async releaseSavepoint(name: string) {
    await this.query(`RELEASE SAVEPOINT ${name}`);
  }

  async createHistory(table: string): Promise<void> {
    await this.query(`CREATE TABLE IF NOT EXISTS ${this.quoteIdent(table)} (
      version VARCHAR(100) NOT NULL PRIMARY KEY,
      description VARCHAR(500) NOT NULL,
      script VARCHAR(1000) NOT NULL,
      checksum CHAR(64) NOT NULL,
      applied_by VARCHAR(255) NOT NULL,
      applied_at DATETIME(3) NOT NULL COMMENT 'UTC',
      duration_ms INT NOT NULL,
      success BOOLEAN NOT NULL,
      error TEXT NULL
    ) ENGINE=InnoDB`);
  }

  async readHistory(table: string): Promise<HistoryRow[] | undefined> {
    const result = await this.query(
      `SELECT version, description, script, checksum, applied_by, applied_at, duration_ms, success, error
       FROM ${this.quoteIdent(table)} ORDER BY applied_at, version`,
    ).catch((error: MysqlError) => {
      // ER_NO_SUCH_TABLE
      if (error.errno === 1146) return undefined;
      throw error;
    });
    return result?.rows.map((r) => ({
      version: String(r.version),
      description: String(r.description),
      script: String(r.script),
      checksum: String(r.checksum),
      appliedBy: String(r.applied_by),
      appliedAt: new Date(`${String(r.applied_at).replace(" ", "T")}Z`),
      durationMs: Number(r.duration_ms),
      success: Number(r.success) === 1,
      error: r.error === null || r.error === undefined ? null : String(r.error),
    }));
  }

  async deleteHistory(table: string, version: string): Promise<void> {
    await this.query(`DELETE FROM ${this.quoteIdent(table)} WHERE version = ?`, [version]);
  }

  async markHistoryApplied(table: string, version: string, checksum: string): Promise<void> {
    await this.query(`UPDATE ${this.quoteIdent(table)} SET success = TRUE, error = NULL, checksum = ? WHERE version = ?`, [checksum, version]);
  }

  async insertHistory(table: string, m: MigrationFile, appliedBy: string): Promise<void> {
    await this.query(
      `INSERT INTO ${this.quoteIdent(table)} (version, description, script, checksum, applied_by, duration_ms, success, error, applied_at)
       VALUES (?, ?, ?, ?, ?, 0, TRUE, NULL, UTC_TIMESTAMP(3))`,
      [m.version, m.description, m.script, m.checksum, appliedBy],
    );
  }

  /**
   * MySQL commits DDL implicitly, so a migration cannot be undone: statements run one by one, a
   * "started" row is written before the first, and a failure is recorded (success = false), so that
   * later runs stop until someone repairs it, also when the run is killed in the middle of a file.
   */
  async applyMigrations(
    table: string,
    batch: readonly PendingMigration[],
    appliedBy: string,
    onApplied: (migration: MigrationFile, durationMs: number) => void,
  ): Promise<void> {
    let startRecorded = false;
    for (let i = 0; i < batch.length; i++) {
      const { migration, statements } = batch[i]!;
      // When the next file starts with DDL, whose implicit commit would commit its started row
      // anyway, that row travels in this file's final commit: one commit (one disk flush) less.
      const next = batch[i + 1];
      const carryNext = next !== undefined && commitsImplicitly(next.statements[0]?.text ?? "") ? next.migration : undefined;
      onApplied(migration, await this.applyOne(table, migration, statements, appliedBy, startRecorded, carryNext));
      startRecorded = carryNext !== undefined;
    }
  }

  /**
   * One file in as few round trips as fit (usually one; the client makes one per statement): the
   * started row, the statements (formatted here, so a `?` in the file is never a parameter), the
   * completed history row, the next file's started row and the COMMIT travel together. The server
   * runs a multi-statement query in order and stops at its first error, so nothing after a failing
   * statement runs; each statement is preceded by `SET @<marker> = <its position>`, so after an
   * error the session says which statement failed without running anything again. A statement that
   * holds a `;` of its own (a procedure body) is sent alone, and a round trip is closed once it
   * holds ROUND_TRIP_BYTES, well below the server's max_allowed_packet.
   */
  private async applyOne(
    table: string,
    m: MigrationFile,
    statements: readonly SqlStatement[],
    appliedBy: string,
    startRecorded: boolean,
    carryNext: MigrationFile | undefined,
  ): Promise<number> {
    const started = performance.now();
    const hist = this.quoteIdent(table);
    // A row with the same key is a repeatable file applied before, or nothing: the lock is held.
    const record = (f: MigrationFile, duration: number, success: boolean, error: string | null) =>
      this.connection.format(
        `INSERT INTO ${hist} (version, description, script, checksum, applied_by, duration_ms, success, error, applied_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(3))
      ON DUPLICATE KEY UPDATE description = VALUES(description), script = VALUES(script), checksum = VALUES(checksum), applied_by = VALUES(applied_by),
        duration_ms = VALUES(duration_ms), success = VALUES(success), error = VALUES(error), applied_at = VALUES(applied_at)`,
        [f.version, f.description, f.script, f.checksum, appliedBy, duration, success, error],
      );
    // Without autocommit, the data statements after the file's last DDL and the history row commit
    // together: one commit instead of one per statement, and no success row without its data.
    if (this.autocommit) {
      await this.query("SET autocommit = 0");
      this.autocommit = false;
    }
    // The started row needs no commit of its own: the file's first DDL commits it (implicitly, before
    // the DDL runs); a file without DDL commits nothing before its end, so a killed run leaves neither
    // the row nor any of the file's changes. The server measures the file's duration from that row.
    // A failure of the history writes is reported against the first or the last statement.
    const marker = (position: number) => `SET ${STATEMENT_MARKER} = ${position}`;
    const last = Math.max(0, statements.length - 1);
    const parts: RoundTripPart[] = [];
    if (!startRecorded) parts.push({ sql: `${marker(0)};\n${record(m, 0, false, STARTED_NOTE)}`, alone: false, position: 0 });
    for (const [i, s] of statements.entries()) {
      const alone = s.text.includes(";");
      // The newline before a delimiter ends a trailing line comment.
      parts.push({ sql: alone ? s.text : `${marker(i)};\n${s.text}\n`, alone, position: i });
    }
    const finish = [
      marker(last),
      this.connection.format(
        `UPDATE ${hist} SET success = TRUE, error = NULL, duration_ms = GREATEST(0, TIMESTAMPDIFF(MICROSECOND, applied_at, UTC_TIMESTAMP(6)) DIV 1000), applied_at = UTC_TIMESTAMP(3) WHERE version = ?`,
        [m.version],
      ),
      ...(carryNext ? [record(carryNext, 0, false, STARTED_NOTE)] : []),
      "COMMIT",
    ];
    parts.push({ sql: finish.join(";\n"), alone: false, position: last });
    for (const trip of roundTrips(parts)) {
      try {
        await this.connection.query(trip.sql);
      } catch (error) {
        // A shared round trip sets the marker before each of its statements, so the marker names the
        // statement that failed; a statement sent alone carries none and is the round trip itself.
        const position = trip.alone ? trip.first : await this.failedPosition().catch(() => trip.first);
        await this.query("ROLLBACK");
        const s = statements[Math.min(Math.max(position, 0), last)];
        const failure = { script: m.script, statement: s?.index ?? 1, line: s?.line ?? 1, databaseMessage: messageOf(error) };
        const recorded = new MigrationFailedError(failure).message;
        const duration = Math.round(performance.now() - started);
        try {
          await this.query(record(m, duration, false, recorded));
          await this.query("COMMIT");
        } catch (recordError) {
          throw new MigrationFailedError(failure, `; recording the failure also failed: ${messageOf(recordError)}`);
        }
        throw new MigrationFailedError(failure, `. The failure is recorded; fix the database by hand, then run repair (see docs/engine.md)`);
      }
    }
    return Math.round(performance.now() - started);
  }

  /** The position the statement marker holds: the statement that failed in the last round trip. */
  private async failedPosition(): Promise<number> {
    const { rows } = await this.query(`SELECT ${STATEMENT_MARKER} AS position`);
    const position = Number(rows[0]?.position);
    if (!Number.isInteger(position)) throw new Error("no statement marker");
    return position;
  }

  private autocommit = true;

  /** Every commit is durable already; this ends the migrations' manual-commit mode. */
  async flushDurably(): Promise<void> {
    if (!this.autocommit) {
      await this.query("SET autocommit = 1");
      this.autocommit = true;
    }
  }

  async describeTable(table: string): Promise<TableInfo | undefined> {
    const { rows: columns } = await this.query(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, COLUMN_KEY AS k FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [table],
    );
    if (columns.length === 0) return undefined;
    const { rows: keys } = await this.query(
      `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`,
      [table],
    );
    return {
      name: table,
      columns: columns.map((c) => ({ name: String(c.name), type: String(c.type).toLowerCase() })),
      primaryKey: keys.map((k) => String(k.name)),
    };
  }

  async foreignKeys(): Promise<ForeignKeyEdge[]> {
    const { rows } = await this.query(
      `SELECT DISTINCT TABLE_NAME AS child, REFERENCED_TABLE_NAME AS parent FROM information_schema.KEY_COLUMN_USAGE
       WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL`,
    );
    return rows.map((r) => ({ child: String(r.child), parent: String(r.parent) }));
  }

  /** Strict mode: a value that does not fit its column is an error, never silently truncated. */
  async prepareSync(): Promise<void> {
    await this.query("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'STRICT_ALL_TABLES')");
  }

  async createStage(table: TableInfo, columns: readonly string[], index: number): Promise<string> {
    const stage = `_eng_stage_${index}`;
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    const key = table.primaryKey.map((c) => this.quoteIdent(c)).join(", ");
    // One statement: CREATE TEMPORARY TABLE does not commit, but a later ALTER or CREATE INDEX would.
    await this.query(`DROP TEMPORARY TABLE IF EXISTS ${stage}`);
    await this.query(
      `CREATE TEMPORARY TABLE ${stage} (${ROW_COLUMN} INT NOT NULL DEFAULT 0, PRIMARY KEY (${key})) ENGINE=InnoDB
       SELECT ${cols} FROM ${this.quoteIdent(table.name)} LIMIT 0`,
    );
    return stage;
  }

  async loadStage(stage: string, _table: TableInfo, columns: readonly string[], rows: readonly StagedRow[]): Promise<void> {
    await this.loadRows(stage, columns, rows, true);
  }

  async loadTable(table: TableInfo, columns: readonly string[], rows: readonly StagedRow[]): Promise<void> {
    await this.loadRows(this.quoteIdent(table.name), columns, rows, false);
  }

  /**
   * LOAD DATA LOCAL INFILE from an in-memory stream: the server's bulk path. With LOCAL the server
   * turns bad values into warnings, so any warning undoes the batch and it is sent again as a strict
   * multi-row INSERT, which either stores the rows or fails with the error the caller then locates.
   * Servers that refuse LOCAL INFILE get the INSERT directly.
   */
  private async loadRows(target: string, columns: readonly string[], rows: readonly StagedRow[], withPosition: boolean): Promise<void> {
    if (this.localInfile) {
      try {
        await this.query("SAVEPOINT eng_load");
        const warnings = await this.loadDataLocal(target, columns, rows, withPosition);
        if (warnings === 0) {
          await this.query("RELEASE SAVEPOINT eng_load");
          return;
        }
        await this.query("ROLLBACK TO SAVEPOINT eng_load");
        await this.query("RELEASE SAVEPOINT eng_load");
      } catch (error) {
        const code = (error as MysqlError).errno;
        // 1148 / 3948: LOCAL INFILE disabled on the server; anything else is a real error.
        if (code !== 1148 && code !== 3948) throw error;
        this.localInfile = false;
        await this.query("ROLLBACK TO SAVEPOINT eng_load").catch(() => undefined);
      }
    }
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    const values = rows.map((row) => (withPosition ? [...row.values.map(toMysqlValue), row.row] : row.values.map(toMysqlValue)));
    await this.query(`INSERT INTO ${target} (${cols}${withPosition ? `, ${ROW_COLUMN}` : ""}) VALUES ?`, [values]);
  }

  private localInfile = true;

  /**
   * The file's own text through LOAD DATA's CSV reading (fields enclosed by optional quotes, `""`
   * inside them; no escape character), where that reads exactly the file's rows and NULLs: an
   * empty unquoted field is NULL through NULLIF, so a file with a quoted empty string (`""`, which
   * LOAD DATA cannot tell from an empty field), an unquoted NULL (which it reads as NULL) or a
   * carriage return is refused here and sent row by row instead. Any warning (LOCAL turns bad
   * values into warnings) refuses the load too; the caller then undoes it.
   */
  async loadPlainCsv(table: TableInfo, columns: readonly string[], csvText: string): Promise<void> {
    if (!this.localInfile || csvText.includes("\r") || /(?:^|,)""(?:,|$)/m.test(csvText) || /(?:^|,)null(?:,|$)/im.test(csvText)) {
      throw new Error("this CSV text is not read the same way by LOAD DATA");
    }
    const vars = columns.map((_, i) => `@v${i}`).join(", ");
    const set = columns.map((c, i) => `${this.quoteIdent(c)} = NULLIF(@v${i}, '')`).join(", ");
    // Encoded once: slicing the text into chunks first could split a surrogate pair.
    const bytes = Buffer.from(csvText, "utf8");
    const chunks = function* () {
      for (let start = 0; start < bytes.length; start += 1 << 20) yield bytes.subarray(start, start + (1 << 20));
    };
    const [result] = await this.connection.query({
      sql:
        `LOAD DATA LOCAL INFILE 'file' INTO TABLE ${this.quoteIdent(table.name)} CHARACTER SET utf8mb4 ` +
        `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' IGNORE 1 LINES (${vars}) SET ${set}`,
      infileStreamFactory: () => Readable.from(chunks()),
    });
    if (((result as mysql.ResultSetHeader).warningStatus ?? 0) > 0) throw new Error("LOAD DATA reported warnings");
  }

  private async loadDataLocal(target: string, columns: readonly string[], rows: readonly StagedRow[], withPosition: boolean): Promise<number> {
    const cols = columns.map((c) => this.quoteIdent(c)).join(", ");
    const chunks = function* () {
      let chunk = "";
      for (const row of rows) {
        for (let i = 0; i < row.values.length; i++) chunk += `${i === 0 ? "" : "\t"}${loadDataText(row.values[i])}`;
        chunk += withPosition ? `\t${row.row}\n` : "\n";
        if (chunk.length > 1 << 20) {
          yield Buffer.from(chunk, "utf8");
          chunk = "";
        }
      }
      if (chunk.length > 0) yield Buffer.from(chunk, "utf8");
    };
    const [result] = await this.connection.query({
      sql: `LOAD DATA LOCAL INFILE 'rows' INTO TABLE ${target} CHARACTER SET utf8mb4 (${cols}${withPosition ? `, ${ROW_COLUMN}` : ""})`,
      infileStreamFactory: () => Readable.from(chunks()),
    });
    return (result as mysql.ResultSetHeader).warningStatus ?? 0;
  }

  async readKeys(table: TableInfo, limit: number): Promise<unknown[][]> {
    const [rows] = await this.connection.query({
      sql: `SELECT ${table.primaryKey.map((k) => this.quoteIdent(k)).join(", ")} FROM ${this.quoteIdent(table.name)} LIMIT ${Math.floor(limit)}`,
      rowsAsArray: true,
    });
    return rows as unknown[][];
  }

  /**
   * The keys and the columns as the driver returns them (dates as strings, big numbers as strings),
   * for tables whose columns all have an exact text: not floating point (printed rounded), nor
   * binary or spatial types.
   */
  async readRows(table: TableInfo, columns: readonly string[], limit: number): Promise<{ keys: unknown[][]; texts: string[] } | undefined> {
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    if (!columns.every((c) => EXACT_TEXT_TYPES.has(typeOf.get(c) ?? ""))) return undefined;
    const q = (c: string) => this.quoteIdent(c);
    const [rows] = await this.connection.query({
      sql: `SELECT ${[...table.primaryKey, ...columns].map(q).join(", ")} FROM ${q(table.name)} LIMIT ${Math.floor(limit)}`,
      rowsAsArray: true,
    });
    const keyCount = table.primaryKey.length;
    const keys: unknown[][] = [];
    const texts: string[] = [];
    for (const row of rows as unknown[][]) {
      keys.push(row.slice(0, keyCount));
      let text = "";
      for (let i = keyCount; i < row.length; i++) text += `${i === keyCount ? "" : "\t"}${loadDataText(row[i])}`;
      texts.push(text);
    }
    return { keys, texts };
  }

  rowText(_table: TableInfo, _columns: readonly string[], row: StagedRow): string {
    let text = "";
    for (let i = 0; i < row.values.length; i++) text += `${i === 0 ? "" : "\t"}${loadDataText(row.values[i])}`;
    return text;
  }

  /**
   * Each row printed by the server as a CSV record by the data files' rules, for tables whose
   * columns all have an exact text (EXACT_TEXT_TYPES): NULL as an empty field, an empty string as
   * `""`, a value with a comma, quote or line break quoted (quotes doubled). Text is compared as
   * the connection receives it (utf8mb4), whatever the column's collation ignores (case, trailing
   * spaces): a row whose text differs is staged and compared by the server. A table whose columns
   * the server cannot concatenate (mixed character sets) fails here, and the caller's savepoint
   * sends it the server's way.
   */
  async readCsvLines(
    table: TableInfo,
    columns: readonly string[],
    _sample: readonly (string | null)[],
    limit: number,
    stage?: string,
  ): Promise<Buffer | undefined> {
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    if (!columns.every((c) => EXACT_TEXT_TYPES.has(typeOf.get(c) ?? ""))) return undefined;
    const q = (c: string) => this.quoteIdent(c);
    const fields = columns.map((c) => {
      if (!STRING_TYPES.has(typeOf.get(c) ?? "")) return `IFNULL(t.${q(c)}, '')`;
      const v = `t.${q(c)}`;
      // One REGEXP is several times cheaper than a LOCATE per character or a conversion per value.
      return `CASE WHEN ${v} IS NULL THEN '' WHEN LENGTH(${v}) = 0 THEN '""' WHEN ${v} REGEXP '[,"\\r\\n]' THEN CONCAT('"', REPLACE(${v}, '"', '""'), '"') ELSE ${v} END`;
    });
    const keyMatch = table.primaryKey.map((k) => `s.${q(k)} = t.${q(k)}`).join(" AND ");
    const from = stage === undefined ? `${q(table.name)} AS t` : `${q(table.name)} AS t JOIN ${stage} AS s ON ${keyMatch}`;
    const [rows] = await this.connection.query({
      sql: `SELECT CONCAT_WS(',', ${fields.join(", ")}) FROM ${from} LIMIT ${Math.floor(limit)}`,
      rowsAsArray: true,
    });
    const texts = (rows as unknown[][]).map((r) => String(r[0]));
    // A quoted line break would make one record two lines: such a table is compared by the server.
    if (texts.some((t) => t.includes("\n"))) return undefined;
    return Buffer.from(texts.length === 0 ? "" : `${texts.join("\n")}\n`, "utf8");
  }

  async deleteKeys(table: TableInfo, keys: readonly (readonly unknown[])[]): Promise<number> {
    const columns = `(${table.primaryKey.map((k) => this.quoteIdent(k)).join(", ")})`;
    // `?` expands a nested array to a list of tuples: ((1, 'a'), (2, 'b')).
    return (await this.query(`DELETE FROM ${this.quoteIdent(table.name)} WHERE ${columns} IN (?)`, [keys])).rowCount;
  }

  async duplicateKeys(stage: string, primaryKey: readonly string[]): Promise<number[] | undefined> {
    const key = primaryKey.map((c) => this.quoteIdent(c)).join(", ");
    const { rows } = await this.query(
      `SELECT GROUP_CONCAT(${ROW_COLUMN} ORDER BY ${ROW_COLUMN}) AS positions FROM ${stage}
       GROUP BY ${key} HAVING COUNT(*) > 1 ORDER BY MIN(${ROW_COLUMN}) LIMIT 1`,
    );
    return rows[0] ? String(rows[0].positions).split(",").map(Number) : undefined;
  }

  async merge(table: TableInfo, stage: string, columns: readonly string[], maxPosition?: number): Promise<MergeCounts> {
    const t = this.quoteIdent(table.name);
    const q = (c: string) => this.quoteIdent(c);
    const keyMatch = table.primaryKey.map((k) => `t.${q(k)} = s.${q(k)}`).join(" AND ");
    const limit = maxPosition === undefined ? "" : ` AND s.${ROW_COLUMN} <= ${Math.floor(maxPosition)}`;
    const nonKey = columns.filter((c) => !table.primaryKey.includes(c));
    const typeOf = new Map(table.columns.map((c) => [c.name, c.type]));
    let updated = 0;
    if (nonKey.length > 0) {
      // BINARY: a change of case or accents is a change, whatever the column's collation says.
      const same = nonKey
        .map((c) => (STRING_TYPES.has(typeOf.get(c) ?? "") ? `BINARY t.${q(c)} <=> BINARY s.${q(c)}` : `t.${q(c)} <=> s.${q(c)}`))
        .join(" AND ");
      const set = nonKey.map((c) => `t.${q(c)} = s.${q(c)}`).join(", ");
      updated = (await this.query(`UPDATE ${t} AS t JOIN ${stage} AS s ON ${keyMatch} SET ${set} WHERE NOT (${same})${limit}`)).rowCount;
    }
    const cols = columns.map(q).join(", ");
    const scols = columns.map((c) => `s.${q(c)}`).join(", ");
    const firstKey = q(table.primaryKey[0]!);
    const inserted = await this.query(
      `INSERT INTO ${t} (${cols}) SELECT ${scols} FROM ${stage} AS s LEFT JOIN ${t} AS t ON ${keyMatch} WHERE t.${firstKey} IS NULL${limit}`,
    );
    return { inserted: inserted.rowCount, updated };
  }

  async prune(table: TableInfo, stage: string): Promise<number> {
    const t = this.quoteIdent(table.name);
    const q = (c: string) => this.quoteIdent(c);
    const keyMatch = table.primaryKey.map((k) => `t.${q(k)} = s.${q(k)}`).join(" AND ");
    const result = await this.query(
      `DELETE t FROM ${t} AS t LEFT JOIN ${stage} AS s ON ${keyMatch} WHERE s.${q(table.primaryKey[0]!)} IS NULL`,
    );
    return result.rowCount;
  }

  /** AUTO_INCREMENT moves past explicit keys by itself. */
  async syncSequences(): Promise<void> {}

  async dropStage(stage: string): Promise<void> {
    await this.query(`DROP TEMPORARY TABLE IF EXISTS ${stage}`);
  }

  columnOfError(error: unknown): string | undefined {
    const message = (error as MysqlError).sqlMessage ?? (error as MysqlError).message ?? "";
    const patterns = [/Column '([^']+)'/, /for column `(?:[^`]*`\.`)*([^`]+)`/, /for column '([^']+)'/, /FOREIGN KEY \(`([^`]+)`/];
    for (const pattern of patterns) {
      const match = pattern.exec(message);
      if (match) return match[1];
    }
    return undefined;
  }
}

/** The session variable that holds the position of the migration statement running now. */
const STATEMENT_MARKER = "@_engine_migration_statement";
/** A round trip is closed once it holds this much SQL; the server's max_allowed_packet is 16 MiB or more. */
const ROUND_TRIP_BYTES = 1 << 20;

/** Part of a file's SQL: `position` is the statement it belongs to (history writes: the first or the last). */
interface RoundTripPart {
  readonly sql: string;
  /** Sent by itself: a statement with a `;` of its own cannot share a round trip, nor carry a marker. */
  readonly alone: boolean;
  readonly position: number;
}

/**
 * Groups a file's parts into round trips: consecutive parts together up to ROUND_TRIP_BYTES, a part
 * that must go alone by itself. `first` is the position a round trip starts with, for a failure
 * that the marker cannot locate.
 */
function roundTrips(parts: readonly RoundTripPart[]): { sql: string; alone: boolean; first: number }[] {
  const trips: { sql: string; alone: boolean; first: number }[] = [];
  let open: { texts: string[]; bytes: number; first: number } | undefined;
  const close = () => {
    if (open) trips.push({ sql: open.texts.join(";\n"), alone: false, first: open.first });
    open = undefined;
  };
  for (const part of parts) {
    if (part.alone) {
      close();
      trips.push({ sql: part.sql, alone: true, first: part.position });
      continue;
    }
    if (open && open.bytes + part.sql.length > ROUND_TRIP_BYTES) close();
    open ??= { texts: [], bytes: 0, first: part.position };
    open.texts.push(part.sql);
    open.bytes += part.sql.length;
  }
  close();
  return trips;
}

/**
 * Whether a statement commits implicitly (DDL), judged by its first keyword after comments. Only
 * used to save a commit: a wrong "yes" commits a started row one statement early, never loses one.
 */
function commitsImplicitly(statement: string): boolean {
  const code = statement.replace(/^(\s+|--[^\n]*\n?|#[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, "");
  return /^(create|alter|drop|rename|truncate)\b/i.test(code) && !/^create\s+temporary\b/i.test(code);
}

/** One value in LOAD DATA's default format: \\N for NULL, backslash escapes for the separators. */
function loadDataText(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[\\\t\n\r\0]/.test(text) ? text.replace(/[\\\t\n\r\0]/g, (c) => LOAD_ESCAPES[c]!) : text;
}

const LOAD_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0" };

/** Objects and arrays (JSON files) go to JSON / text columns as JSON text. */
function toMysqlValue(v: unknown): unknown {
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return v;
}
