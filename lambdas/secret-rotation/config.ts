/**
 * What the rotation function rotates, read once per cold start from ROTATION_TARGETS (JSON written by
 * src/secret-rotation/secret-rotation-function.ts) and DB_TLS. The function rotates only the secrets
 * named here, and takes the user names from here, never from a secret's contents: whoever can write a
 * secret cannot point the rotation at another user.
 */
import { TLS_MODES, type TlsMode } from "../shared/database-sync-config";
import { InvalidEnvironmentError, parseEnumEnv, parseJsonEnv, readEnv, type Env } from "../shared/env";

export type RotationEngine = "postgres" | "mysql";
export type GrantLevel = "read-only" | "read-write" | "owner";
export const GRANT_LEVELS: readonly GrantLevel[] = ["read-only", "read-write", "owner"];

/** A cluster the rotated users live in. */
export interface RotationDatabase {
  readonly engine: RotationEngine;
  readonly host: string;
  readonly port: number;
  /** Database inside the cluster: where logins are tested and grants given. */
  readonly database: string;
  /** The master user's secret (`{"username","password"}`), used to create and set application users. */
  readonly masterSecretArn: string;
}

/**
 * How one secret rotates.
 * - `single-user`: the user changes its own password (the master user: nobody else can).
 * - `alternating-users`: the password is set on `<user>` and `<user>_clone` in turn, by the master
 *   user, so the previous credentials keep working until the next rotation.
 */
export type RotationSecret =
  | { readonly strategy: "single-user"; readonly database: string; readonly user: string }
  | { readonly strategy: "alternating-users"; readonly database: string; readonly user: string; readonly grant: GrantLevel };

export interface RotationConfig {
  /** By the database's short name. */
  readonly databases: Readonly<Record<string, RotationDatabase>>;
  /** By secret name (the ARN's name part). */
  readonly secrets: Readonly<Record<string, RotationSecret>>;
  /** `verify`: TLS with the server's certificate checked (the RDS CAs); `off`: local servers in tests. @default "verify" */
  readonly tls: TlsMode;
}

export function readRotationConfig(env: Env = process.env): RotationConfig {
  const e = readEnv(["ROTATION_TARGETS"], ["DB_TLS"], env);
  return { ...parseRotationTargets(e.ROTATION_TARGETS), tls: parseEnumEnv("DB_TLS", e.DB_TLS, TLS_MODES, "verify") };
}

/** Parses `{"databases": {...}, "secrets": {...}}`; every problem names the entry. */
export function parseRotationTargets(raw: string): Omit<RotationConfig, "tls"> {
  const parsed = parseJsonEnv<unknown>("ROTATION_TARGETS", raw, {});
  const { databases, secrets } = (parsed ?? {}) as { databases?: unknown; secrets?: unknown };
  const fail = (reason: string): never => {
    throw new InvalidEnvironmentError("ROTATION_TARGETS", reason);
  };
  if (!isRecord(databases) || !isRecord(secrets)) fail('expected {"databases": {...}, "secrets": {...}}');
  const dbs: Record<string, RotationDatabase> = {};
  for (const [name, value] of Object.entries(databases as Record<string, unknown>)) {
    const d = (isRecord(value) ? value : {}) as Record<string, unknown>;
    if (d.engine !== "postgres" && d.engine !== "mysql") fail(`databases.${name}.engine must be postgres or mysql`);
    for (const field of ["host", "database", "masterSecretArn"]) if (typeof d[field] !== "string" || d[field] === "") fail(`databases.${name}.${field} must be a non-empty string`);
    if (!Number.isInteger(d.port) || (d.port as number) < 1 || (d.port as number) > 65535) fail(`databases.${name}.port must be an integer 1-65535`);
    dbs[name] = { engine: d.engine as RotationEngine, host: d.host as string, port: d.port as number, database: d.database as string, masterSecretArn: d.masterSecretArn as string };
  }
  const result: Record<string, RotationSecret> = {};
  for (const [name, value] of Object.entries(secrets as Record<string, unknown>)) {
    const s = (isRecord(value) ? value : {}) as Record<string, unknown>;
    if (typeof s.database !== "string" || dbs[s.database] === undefined) fail(`secrets.${name}.database must name one of the databases`);
    if (typeof s.user !== "string" || !/^[A-Za-z][A-Za-z0-9_]*$/.test(s.user)) fail(`secrets.${name}.user must be a user name`);
    if (s.strategy === "single-user") result[name] = { strategy: "single-user", database: s.database as string, user: s.user as string };
    else if (s.strategy === "alternating-users" && GRANT_LEVELS.includes(s.grant as GrantLevel)) {
      result[name] = { strategy: "alternating-users", database: s.database as string, user: s.user as string, grant: s.grant as GrantLevel };
    } else fail(`secrets.${name} must be single-user, or alternating-users with a grant of ${GRANT_LEVELS.join(", ")}`);
  }
  return { databases: dbs, secrets: result };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
