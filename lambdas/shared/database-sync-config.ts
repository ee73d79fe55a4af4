/**
 * Configuration shared by the schema-sync and data-sync functions, read from environment variables
 * once per cold start. See docs/database-sync.md for every variable.
 */
import type { ConnectionOptions } from "../../engine/dialects/types";
import { InvalidEnvironmentError, parseEnumEnv, parseJsonEnv, readEnv, type Env } from "./env";
import type { DatabaseSecrets } from "./db-secret";

/** One database the functions run the engine against. */
export interface DatabaseTarget {
  /** The database's short name: the folder under the prefixes (`migrations/<name>/`) and the ledger subject. */
  readonly name: string;
  readonly engine: "postgres" | "mysql";
  readonly host: string;
  readonly port: number;
  /** Name of the database inside the cluster. */
  readonly database: string;
  /** Secrets Manager secret with `{"username","password"}`. */
  readonly secretArn: string;
  /** Apply late migrations (version below the last applied) instead of refusing them. @default false */
  readonly allowOutOfOrder: boolean;
}

/** Where this environment's files are read, and where clean ones are copied for the next environment. */
export interface ArtifactLocation {
  /** Bucket the files are read from (the environment's artifacts bucket). */
  readonly bucket: string;
  /** Files of database `<name>` are the objects directly under `<prefix><name>/`. Ends with "/". */
  readonly prefix: string;
  /** Files that applied cleanly are copied to `<promotion.prefix><name>/<file>`; absent in the last environment. */
  readonly promotion?: { readonly bucket: string; readonly prefix: string };
}

export const TLS_MODES = ["verify", "off"] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export interface DatabaseSyncConfig {
  readonly environment: string;
  readonly region: string;
  readonly ledgerTableName: string;
  readonly metricsNamespace: string;
  readonly databases: readonly DatabaseTarget[];
  readonly location: ArtifactLocation;
  /**
   * `verify`: TLS, server certificate checked against the trusted CAs (on Lambda the Amazon RDS CAs
   * of `/var/runtime/ca-cert.pem`, loaded through NODE_EXTRA_CA_CERTS). `off`: plain TCP, for local
   * servers in tests. @default "verify" (DB_TLS)
   */
  readonly tls: TlsMode;
}

/** Which prefix variable a function reads: migrations or reference data. */
export type SyncKind = "schema" | "data";
export const PREFIX_VARIABLE: Readonly<Record<SyncKind, "MIGRATIONS_PREFIX" | "DATA_PREFIX">> = { schema: "MIGRATIONS_PREFIX", data: "DATA_PREFIX" };

export function readDatabaseSyncConfig(kind: SyncKind, env: Env = process.env): DatabaseSyncConfig {
  const prefixVariable = PREFIX_VARIABLE[kind];
  const e = readEnv(
    ["ENVIRONMENT", "AWS_REGION", "ARTIFACTS_BUCKET", "LEDGER_TABLE_NAME", "METRICS_NAMESPACE", "DATABASES", prefixVariable],
    ["PROMOTION_BUCKET", "PROMOTION_PREFIX", "DB_TLS"],
    env,
  );
  const prefix = folder(prefixVariable, e[prefixVariable]);
  if ((e.PROMOTION_BUCKET === undefined) !== (e.PROMOTION_PREFIX === undefined)) {
    throw new InvalidEnvironmentError("PROMOTION_PREFIX", "set PROMOTION_BUCKET and PROMOTION_PREFIX together (both absent in the last environment)");
  }
  const promotion =
    e.PROMOTION_BUCKET !== undefined && e.PROMOTION_PREFIX !== undefined ? { bucket: e.PROMOTION_BUCKET, prefix: folder("PROMOTION_PREFIX", e.PROMOTION_PREFIX) } : undefined;
  if (promotion !== undefined && promotion.bucket === e.ARTIFACTS_BUCKET && (promotion.prefix.startsWith(prefix) || prefix.startsWith(promotion.prefix))) {
    // Copies into the folder the function listens on would trigger it again and again.
    throw new InvalidEnvironmentError("PROMOTION_PREFIX", `"${promotion.prefix}" overlaps ${prefixVariable} "${prefix}"; promoted copies must land outside the folder the function reads`);
  }
  return {
    environment: e.ENVIRONMENT,
    region: e.AWS_REGION,
    ledgerTableName: e.LEDGER_TABLE_NAME,
    metricsNamespace: e.METRICS_NAMESPACE,
    databases: parseDatabases(e.DATABASES),
    location: { bucket: e.ARTIFACTS_BUCKET, prefix, promotion },
    tls: parseEnumEnv("DB_TLS", e.DB_TLS, TLS_MODES, "verify"),
  };
}

function folder(name: string, value: string): string {
  if (!value.endsWith("/") || value.startsWith("/")) throw new InvalidEnvironmentError(name, `"${value}" must be a key prefix ending with "/" and not starting with "/"`);
  return value;
}

/** Parses DATABASES: a JSON list of `{name, engine, host, port, database, secretArn, allowOutOfOrder?}`. */
export function parseDatabases(raw: string): DatabaseTarget[] {
  const list = parseJsonEnv<unknown>("DATABASES", raw, []);
  if (!Array.isArray(list)) throw new InvalidEnvironmentError("DATABASES", "expected a JSON list of {name, engine, host, port, database, secretArn}");
  const names = new Set<string>();
  return list.map((item: unknown, i): DatabaseTarget => {
    const d = (item ?? {}) as Record<string, unknown>;
    const where = `entry ${i + 1}`;
    for (const field of ["name", "host", "database", "secretArn"]) {
      if (typeof d[field] !== "string" || d[field] === "") throw new InvalidEnvironmentError("DATABASES", `${where} lacks string field "${field}"`);
    }
    if (d.engine !== "postgres" && d.engine !== "mysql") throw new InvalidEnvironmentError("DATABASES", `${where}: engine must be postgres or mysql, got ${JSON.stringify(d.engine)}`);
    if (!Number.isInteger(d.port) || (d.port as number) < 1 || (d.port as number) > 65535) throw new InvalidEnvironmentError("DATABASES", `${where}: port must be an integer 1-65535`);
    const name = d.name as string;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new InvalidEnvironmentError("DATABASES", `${where}: name "${name}" must be letters, digits, "_" or "-" (it is a key folder)`);
    if (d.allowOutOfOrder !== undefined && typeof d.allowOutOfOrder !== "boolean") throw new InvalidEnvironmentError("DATABASES", `${where}: allowOutOfOrder must be true or false`);
    if (names.has(name)) throw new InvalidEnvironmentError("DATABASES", `name "${name}" appears twice`);
    names.add(name);
    return { name, engine: d.engine, host: d.host as string, port: d.port as number, database: d.database as string, secretArn: d.secretArn as string, allowOutOfOrder: d.allowOutOfOrder ?? false };
  });
}

/** The engine's connection settings for one database: credentials from its secret, TLS per `tls`. */
export async function connectionFor(target: DatabaseTarget, secrets: DatabaseSecrets, tls: TlsMode): Promise<ConnectionOptions> {
  const { username, password } = await secrets.get(target.secretArn);
  return {
    host: target.host,
    port: target.port,
    database: target.database,
    user: username,
    password,
    // Both pg and mysql2 verify the chain and the host name against Node's CAs plus NODE_EXTRA_CA_CERTS.
    ssl: tls === "verify" ? { rejectUnauthorized: true } : undefined,
  };
}
