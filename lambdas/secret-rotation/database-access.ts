/**
 * Logins to the clusters whose users rotate: whether a password works, and sessions to change users.
 * Every driver error is rethrown as a RotationError with any password scrubbed from its text, so
 * nothing a driver says about a statement or a login can carry a credential into the logs.
 */
import mysql from "mysql2/promise";
import pg from "pg";
import type { TlsMode } from "../shared/database-sync-config";
import type { RotationDatabase, RotationEngine } from "./config";
import { RotationError } from "./secret-versions";

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** An open connection as one user. */
export interface Session {
  readonly engine: RotationEngine;
  query(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * `accepted`: the server checked the password and let the user in. `refused`: wrong password or no
 * such user. `unchecked`: the server let the user in without asking for a password (a `trust` rule),
 * which proves nothing about the password.
 */
export type LoginOutcome = "accepted" | "refused" | "unchecked";

export interface DatabaseAccess {
  login(database: RotationDatabase, credentials: Credentials): Promise<LoginOutcome>;
  /** Runs `work` on a session as `credentials`, then closes it. */
  withSession<T>(database: RotationDatabase, credentials: Credentials, work: (session: Session) => Promise<T>): Promise<T>;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** PostgreSQL SQLSTATEs of a refused login: invalid_password, invalid_authorization_specification. */
const PG_REFUSED = new Set(["28P01", "28000"]);
/**
 * MySQL errors of a refused login: access denied to the server or to the database; MariaDB answers
 * ER_ACCESS_DENIED_NO_PASSWORD_ERROR while another session is changing the account.
 */
const MYSQL_REFUSED = new Set(["ER_ACCESS_DENIED_ERROR", "ER_DBACCESS_DENIED_ERROR", "ER_ACCESS_DENIED_NO_PASSWORD_ERROR"]);

/** The real drivers (pg, mysql2), over TLS that verifies the server unless `tls` is `off`. */
export class DriverDatabaseAccess implements DatabaseAccess {
  constructor(private readonly tls: TlsMode) {}

  async login(database: RotationDatabase, credentials: Credentials): Promise<LoginOutcome> {
    try {
      return await this.open(database, credentials, async (session, passwordAsked) => {
        await session.query("SELECT 1");
        return passwordAsked() ? "accepted" : "unchecked";
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== undefined && (PG_REFUSED.has(code) || MYSQL_REFUSED.has(code))) return "refused";
      throw sanitized(`cannot log in to ${database.host}:${database.port} as ${credentials.username}`, error, [credentials.password]);
    }
  }

  async withSession<T>(database: RotationDatabase, credentials: Credentials, work: (session: Session) => Promise<T>): Promise<T> {
    try {
      return await this.open(database, credentials, (session) => work(session));
    } catch (error) {
      if (error instanceof RotationError) throw sanitized("", error, [credentials.password]);
      throw sanitized(`on ${database.host}:${database.port} as ${credentials.username}`, error, [credentials.password]);
    }
  }

  private async open<T>(database: RotationDatabase, credentials: Credentials, work: (session: Session, passwordAsked: () => boolean) => Promise<T>): Promise<T> {
    const ssl = this.tls === "verify" ? { rejectUnauthorized: true } : undefined;
    if (database.engine === "postgres") {
      const client = new pg.Client({ host: database.host, port: database.port, database: database.database, user: credentials.username, password: credentials.password, ssl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
      let asked = false;
      // The server asks for a password (SCRAM, MD5 or clear text) unless a trust rule admits the user.
      for (const event of ["authenticationSASL", "authenticationMD5Password", "authenticationCleartextPassword"]) client.connection.once(event, () => (asked = true));
      client.on("error", () => undefined);
      await client.connect();
      try {
        return await work({ engine: "postgres", query: async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows }, () => asked);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    const connection = await mysql.createConnection({ host: database.host, port: database.port, database: database.database, user: credentials.username, password: credentials.password, ssl, connectTimeout: CONNECT_TIMEOUT_MS });
    connection.on("error", () => undefined);
    try {
      // MySQL always checks the password of an account that has one (it has no trust rules).
      return await work(
        {
          engine: "mysql",
          query: async (sql, params) => {
            const [rows] = await connection.query(sql, params as unknown[] | undefined);
            return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
          },
        },
        () => true,
      );
    } finally {
      await connection.end().catch(() => undefined);
    }
  }
}

/** A RotationError with `context`, the driver's message, and every given secret replaced by `[redacted]`. */
export function sanitized(context: string, error: unknown, secrets: readonly string[]): RotationError {
  let message = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) if (secret !== "") message = message.split(secret).join("[redacted]");
  // Verifiers are not passwords, but a server quoting a statement back must not leak them either.
  message = message.replace(/SCRAM-SHA-256\$[^'"\s]+/g, "[redacted]").replace(/\*[0-9A-F]{40}/g, "[redacted]");
  return new RotationError(context === "" ? message : `${context}: ${message}`);
}
