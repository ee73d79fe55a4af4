/**
 * The SQL of a rotation, per engine: a user sets its own password (single user), and the master
 * creates or updates an application user with exactly the grants of its level (alternating users).
 * Passwords travel only as the server's verifier (verifiers.ts), never as a literal in a statement.
 * Concurrent runs for the same user are serialized by a server-side lock, so two rotations cannot
 * interleave their CREATE / GRANT statements.
 */
import { advisoryKey } from "../../engine/dialects/postgres";
import type { GrantLevel } from "./config";
import type { Session } from "./database-access";
import { mysqlNativePasswordHash, scramSha256Verifier } from "./verifiers";

const LOCK_TIMEOUT_SECONDS = 30;

/** The user of `session` changes its own password. */
export async function setOwnPassword(session: Session, username: string, password: string): Promise<void> {
  if (session.engine === "postgres") {
    await session.query(`ALTER ROLE ${pgIdent(username)} WITH PASSWORD ${pgLiteral(scramSha256Verifier(password))}`);
  } else {
    // The account as the server matched it (`name@host`); MariaDB ignores `ALTER USER CURRENT_USER()` with `AS`.
    const [row] = await session.query("SELECT CURRENT_USER() AS account");
    const account = String(row?.account ?? "");
    const at = account.lastIndexOf("@");
    if (account.slice(0, at) !== username) throw new Error(`the session is ${account}, not ${username}`);
    await session.query("ALTER USER ?@? IDENTIFIED WITH mysql_native_password AS ?", [username, account.slice(at + 1), mysqlNativePasswordHash(password)]);
  }
}

/** Creates `username` if missing, sets its password, and leaves it exactly the privileges of `grant` on `database`. */
export async function ensureUser(session: Session, database: string, username: string, password: string, grant: GrantLevel): Promise<void> {
  if (session.engine === "postgres") await ensurePostgresUser(session, database, username, password, grant);
  else await ensureMysqlUser(session, database, username, password, grant);
}

/** PostgreSQL privileges of each level on the database, its `public` schema, tables and sequences. */
const PG_PRIVILEGES: Readonly<Record<GrantLevel, { database: string; schema: string; tables: string; sequences?: string }>> = {
  "read-only": { database: "CONNECT", schema: "USAGE", tables: "SELECT" },
  "read-write": { database: "CONNECT", schema: "USAGE", tables: "SELECT, INSERT, UPDATE, DELETE", sequences: "USAGE, SELECT" },
  owner: { database: "ALL PRIVILEGES", schema: "ALL PRIVILEGES", tables: "ALL PRIVILEGES", sequences: "ALL PRIVILEGES" },
};

async function ensurePostgresUser(session: Session, database: string, username: string, password: string, grant: GrantLevel): Promise<void> {
  const user = pgIdent(username);
  const db = pgIdent(database);
  const privileges = PG_PRIVILEGES[grant];
  // One transaction: the user never exists half-granted, and a revoke and its re-grant land together.
  await session.query("BEGIN");
  try {
    await session.query("SELECT pg_advisory_xact_lock($1::bigint)", [advisoryKey(`secret-rotation:${username}`)]);
    const exists = (await session.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [username])).length > 0;
    const verifier = pgLiteral(scramSha256Verifier(password));
    await session.query(exists ? `ALTER ROLE ${user} WITH LOGIN PASSWORD ${verifier}` : `CREATE ROLE ${user} WITH LOGIN PASSWORD ${verifier}`);
    for (const statement of [
      `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM ${user}`,
      `REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM ${user}`,
      `REVOKE ALL PRIVILEGES ON SCHEMA public FROM ${user}`,
      `REVOKE ALL PRIVILEGES ON DATABASE ${db} FROM ${user}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL PRIVILEGES ON TABLES FROM ${user}`,
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL PRIVILEGES ON SEQUENCES FROM ${user}`,
      `GRANT ${privileges.database} ON DATABASE ${db} TO ${user}`,
      `GRANT ${privileges.schema} ON SCHEMA public TO ${user}`,
      `GRANT ${privileges.tables} ON ALL TABLES IN SCHEMA public TO ${user}`,
      // Tables the master (schema sync) creates later get the same privileges.
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ${privileges.tables} ON TABLES TO ${user}`,
      ...(privileges.sequences
        ? [`GRANT ${privileges.sequences} ON ALL SEQUENCES IN SCHEMA public TO ${user}`, `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ${privileges.sequences} ON SEQUENCES TO ${user}`]
        : []),
    ]) {
      await session.query(statement);
    }
    await session.query("COMMIT");
  } catch (error) {
    await session.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

const MYSQL_PRIVILEGES: Readonly<Record<GrantLevel, string>> = {
  "read-only": "SELECT",
  "read-write": "SELECT, INSERT, UPDATE, DELETE",
  owner: "ALL PRIVILEGES",
};

async function ensureMysqlUser(session: Session, database: string, username: string, password: string, grant: GrantLevel): Promise<void> {
  const lock = `secret-rotation:${username}`;
  const [row] = await session.query("SELECT GET_LOCK(?, ?) AS got", [lock, LOCK_TIMEOUT_SECONDS]);
  if (Number(row?.got) !== 1) throw new Error(`another rotation of ${username} held the lock for ${LOCK_TIMEOUT_SECONDS} s`);
  try {
    const hash = mysqlNativePasswordHash(password);
    await session.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED WITH mysql_native_password AS ?", [username, hash]);
    await session.query("ALTER USER ?@'%' IDENTIFIED WITH mysql_native_password AS ?", [username, hash]);
    // MySQL has no transactional DDL: the revoke and the grant follow each other under the lock.
    await session.query("REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@'%'", [username]);
    await session.query(`GRANT ${MYSQL_PRIVILEGES[grant]} ON ${mysqlIdent(database)}.* TO ?@'%'`, [username]);
  } finally {
    await session.query("SELECT RELEASE_LOCK(?)", [lock]).catch(() => undefined);
  }
}

function pgIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function pgLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function mysqlIdent(name: string): string {
  return `\`${name.replace(/`/g, "``")}\``;
}
