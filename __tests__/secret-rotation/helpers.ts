/**
 * Rotation test set-up: the fake Secrets Manager, throw-away users on the local servers (unique
 * names, dropped afterwards), and the rotation driven step by step as Secrets Manager drives it.
 */
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName } from "../../engine";
import type { RotationConfig, RotationDatabase } from "../../lambdas/secret-rotation/config";
import { DriverDatabaseAccess, type Credentials, type DatabaseAccess, type LoginOutcome } from "../../lambdas/secret-rotation/database-access";
import { handleRotation, type RotationDeps } from "../../lambdas/secret-rotation/handler-logic";
import { SecretVersions } from "../../lambdas/secret-rotation/secret-versions";
import { scramVerifierMatches } from "../../lambdas/secret-rotation/verifiers";
import { SERVERS, type TestDatabase } from "../engine/helpers/databases";
import { capture, type Captured } from "../lambdas/helpers";
import { FakeSecretsManager } from "./fake-secrets-manager";

export const STEP_ORDER = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;

/** The local servers' administrators: PostgreSQL trusts 127.0.0.1, MariaDB's root has no password. */
export const LOCAL_ADMIN: Readonly<Record<EngineName, Credentials>> = {
  postgres: { username: "postgres", password: "" },
  mysql: { username: "root", password: "" },
};

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

/** Runs SQL as the local administrator, in `database` (or the server's default database). */
export async function adminQuery(engine: EngineName, sql: string, params: unknown[] = [], database?: string): Promise<Record<string, unknown>[]> {
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: `${SERVERS.postgres.base}/${database ?? "postgres"}` });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection({ uri: `${SERVERS.mysql.base}/${database ?? "mysql"}` });
  try {
    const [rows] = await connection.query(sql, params);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await connection.end();
  }
}

/** Drops users the tests created (after their database, which holds their PostgreSQL privileges). */
export async function dropUsers(engine: EngineName, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await adminQuery(engine, engine === "postgres" ? `DROP ROLE IF EXISTS "${name}"` : `DROP USER IF EXISTS '${name}'@'%'`);
  }
}

/**
 * The real drivers, except that on the local PostgreSQL (a `trust` rule for 127.0.0.1 admits any
 * password) a login counts as accepted only when the server's stored SCRAM verifier matches the
 * password, which is exactly what password authentication would check.
 */
export class LocalDatabaseAccess implements DatabaseAccess {
  private readonly driver = new DriverDatabaseAccess("off");

  async login(database: RotationDatabase, credentials: Credentials): Promise<LoginOutcome> {
    const outcome = await this.driver.login(database, credentials);
    if (database.engine === "mysql" || outcome === "refused") return outcome;
    const [row] = await adminQuery("postgres", "SELECT rolpassword FROM pg_authid WHERE rolname = $1", [credentials.username]);
    const verifier = row?.rolpassword;
    return typeof verifier === "string" && scramVerifierMatches(verifier, credentials.password) ? "accepted" : "refused";
  }

  withSession: DatabaseAccess["withSession"] = (database, credentials, work) => this.driver.withSession(database, credentials, work);
}

export function rotationDatabase(db: TestDatabase, masterSecretArn: string): RotationDatabase {
  return { engine: db.engine, host: "127.0.0.1", port: db.engine === "postgres" ? 5432 : 3306, database: db.name, masterSecretArn };
}

export interface Harness {
  readonly fake: FakeSecretsManager;
  readonly captured: Captured;
  readonly deps: RotationDeps;
  /** Runs one step for `token`. */
  step(arn: string, token: string, step: string): Promise<string>;
  /** A whole rotation as Secrets Manager runs it; stops at the first failing step (and rethrows). */
  rotate(arn: string): Promise<string>;
}

export function harness(config: RotationConfig, fake = new FakeSecretsManager(), access: DatabaseAccess = new LocalDatabaseAccess()): Harness {
  const captured = capture();
  const deps: RotationDeps = { config, versions: new SecretVersions(fake.client), access, log: captured.log };
  const step = (arn: string, token: string, name: string) => handleRotation({ SecretId: arn, ClientRequestToken: token, Step: name }, deps);
  return {
    fake,
    captured,
    deps,
    step,
    async rotate(arn) {
      const token = fake.startRotation(arn);
      for (const name of STEP_ORDER) await step(arn, token, name);
      fake.endRotation(arn, token);
      return token;
    },
  };
}
