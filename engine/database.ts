import { EngineError, messageOf } from "./errors";
import { rememberSecret } from "./redact";
import type { ConnectionInput, Database, EngineName } from "./dialects/types";

/** Settings shared by every engine command. */
export interface ConnectionSettings {
  /** Which server. @default inferred from the URL scheme (postgres://, postgresql://, mysql://, mariadb://) */
  readonly engine?: EngineName;
  /** A connection URL or the connection settings. */
  readonly connection: ConnectionInput;
  /** How long one connection attempt may take before it fails (a server that does not answer). @default 10000 (10 s) */
  readonly connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The engine a URL's scheme names, if any. */
export function engineFromUrl(url: string): EngineName | undefined {
  const scheme = /^([a-z0-9+]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return "postgres";
  if (scheme === "mysql" || scheme === "mariadb") return "mysql";
  return undefined;
}

/**
 * Resolves the engine and opens one connection, within the connect timeout: the drivers' own
 * timeouts do not cover every stage (a server that accepts TCP and never answers the TLS or the
 * protocol handshake), so the attempt is also raced against a timer, and one still pending then is
 * closed whenever it settles. Every failure reads `cannot connect to <server> at <host>:<port>[ within
 * <s> s]: <reason>`, naming the endpoint and never the credentials.
 */
export async function openDatabase(settings: ConnectionSettings): Promise<Database> {
  const engine = resolveEngine(settings);
  let connection = settings.connection;
  // A driver's message may quote the password: every engine message hides it from now on.
  rememberSecret(connectionPassword(connection));
  // mysql2 only understands the mysql:// scheme.
  if (engine === "mysql" && typeof connection === "string") connection = connection.replace(/^mariadb:\/\//i, "mysql://");
  const connectTimeoutMs = settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const server = `${engine === "postgres" ? "PostgreSQL" : "MySQL"} at ${endpointOf(engine, connection)}`;
  // Each driver loads only when used: a PostgreSQL run never pays for loading mysql2, and back.
  const attempt =
    engine === "postgres"
      ? import("./dialects/postgres").then((d) => d.connectPostgres(connection, { connectTimeoutMs }))
      : import("./dialects/mysql").then((d) => d.connectMysql(connection, { connectTimeoutMs }));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), connectTimeoutMs);
  });
  const within = `within ${formatSeconds(connectTimeoutMs)} s`;
  try {
    const outcome = await Promise.race([attempt, timedOut]);
    if (outcome !== "timeout") return outcome;
    attempt.then((db) => db.close()).catch(() => undefined);
    throw new EngineError("CONNECTION", `cannot connect to ${server} ${within}: the server did not answer; ${UNREACHABLE_HINT}`);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    const reason = messageOf(error);
    const timeout = isTimeout(error);
    throw new EngineError("CONNECTION", `cannot connect to ${server}${timeout ? ` ${within}` : ""}: ${reason}${timeout ? `; ${UNREACHABLE_HINT}` : ""}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

const UNREACHABLE_HINT = "check that the server runs and that the network lets this client reach it (security groups, routes, firewall)";

/** Seconds for a message: 0.3, 10, 2.5. */
function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** Whether a driver's connection error is its connect timeout. */
function isTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  return e.code === "ETIMEDOUT" || /timeout|timed out/i.test(String(e.message ?? ""));
}

/** `host:port` of a URL or of connection options (defaults filled in), for messages: never the credentials. */
function endpointOf(engine: EngineName, connection: ConnectionInput): string {
  const defaultPort = engine === "postgres" ? 5432 : 3306;
  if (typeof connection !== "string") return `${connection.host ?? "127.0.0.1"}:${connection.port ?? defaultPort}`;
  try {
    const url = new URL(connection);
    return `${url.hostname || "localhost"}:${url.port || defaultPort}`;
  } catch {
    return "the given URL";
  }
}

/** The password of a URL (percent-decoded) or of connection options. */
function connectionPassword(connection: ConnectionInput): string | undefined {
  if (typeof connection !== "string") return connection.password;
  const raw = /^[a-z0-9+.-]+:\/\/[^/@]*?:([^/@]*)@/i.exec(connection)?.[1];
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function resolveEngine(settings: ConnectionSettings): EngineName {
  const inferred = typeof settings.connection === "string" ? engineFromUrl(settings.connection) : undefined;
  const engine = settings.engine ?? inferred;
  if (engine !== "postgres" && engine !== "mysql") {
    throw new EngineError("INVALID_OPTIONS", `unknown engine ${String(engine)}: use postgres or mysql (MySQL, MariaDB and Aurora MySQL)`);
  }
  return engine;
}

/** Takes a lock on its own connection, or fails with a message naming the lock and the wait. */
export async function acquireLock(db: Database, name: string, timeoutMs: number, purpose: string): Promise<void> {
  const started = performance.now();
  const ok = await db.lock(name, timeoutMs);
  if (!ok) {
    const waited = ((performance.now() - started) / 1000).toFixed(1);
    throw new EngineError(
      "LOCK_TIMEOUT",
      `gave up after waiting ${waited} s for the ${purpose} lock, ${db.describeLock(name)}: another run holds it. ` +
        `Try again when it has finished, or wait longer (lockTimeoutMs / --lock-timeout)`,
    );
  }
}

/** Opens a work connection and a lock connection at the same time. */
export async function openPair(settings: ConnectionSettings): Promise<[Database, Database]> {
  const [work, lock] = await Promise.allSettled([openDatabase(settings), openDatabase(settings)]);
  if (work.status === "fulfilled" && lock.status === "fulfilled") return [work.value, lock.value];
  if (work.status === "fulfilled") await work.value.close();
  if (lock.status === "fulfilled") await lock.value.close();
  throw work.status === "rejected" ? work.reason : (lock as PromiseRejectedResult).reason;
}

/**
 * Opens one connection, retrying with growing, jittered pauses while the server turns connections
 * away because it is full (PostgreSQL 53300 "too many clients" / "too many connections for role";
 * MySQL 1040 / 1203), until `deadline` (a performance.now() time), telling `onRetry` of each
 * refusal. Any other failure is final.
 */
export async function openDatabaseWithRetry(
  settings: ConnectionSettings,
  deadline: number,
  onRetry?: (reason: string, waitMs: number) => void,
): Promise<Database> {
  for (let pause = 25; ; pause = Math.min(pause * 2, 1000)) {
    try {
      return await openDatabase(settings);
    } catch (error) {
      const wait = pause / 2 + Math.random() * pause;
      if (!isServerFull(error) || performance.now() + wait >= deadline) throw error;
      onRetry?.(messageOf(error), wait);
      await new Promise((done) => setTimeout(done, wait));
    }
  }
}

/** Whether a connection failure says the server (or the user's quota) has no connection slot free. */
export function isServerFull(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown; errno?: unknown } }).cause ?? (error as { code?: unknown; errno?: unknown });
  return cause.code === "53300" || cause.errno === 1040 || cause.errno === 1203 || cause.errno === 1226;
}
