import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName } from "../../../engine";

/** Local servers: PostgreSQL (trust auth) and MariaDB (root, empty password). */
export const SERVERS = {
  postgres: { admin: "postgres://postgres@127.0.0.1:5432/postgres", base: "postgres://postgres@127.0.0.1:5432" },
  mysql: { admin: "mysql://root@127.0.0.1:3306/mysql", base: "mysql://root@127.0.0.1:3306" },
} as const;

export const ENGINES: readonly EngineName[] = ["postgres", "mysql"];

/** A throw-away database with a unique name, so parallel test files never collide. */
export interface TestDatabase {
  readonly engine: EngineName;
  readonly name: string;
  readonly url: string;
  /** Runs SQL in the database on a fresh connection and returns the rows. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

export async function createTestDatabase(engine: EngineName, prefix = "eng"): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  await adminQuery(engine, `CREATE DATABASE ${name}`);
  const url = `${SERVERS[engine].base}/${name}`;
  return {
    engine,
    name,
    url,
    query: (sql, params) => queryIn(engine, url, sql, params),
    drop: () => adminQuery(engine, engine === "postgres" ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`),
  };
}

async function adminQuery(engine: EngineName, sql: string): Promise<void> {
  await queryIn(engine, SERVERS[engine].admin, sql);
}

async function queryIn(engine: EngineName, url: string, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection({ uri: url, multipleStatements: true });
  try {
    const [rows] = await connection.query(sql, params);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await connection.end();
  }
}
