import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import pg from "pg";
import type { EngineName } from "../../engine";

/** The local servers the benchmark uses (see the machine's services). */
export const URLS = {
  postgres: (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`,
  mysql: (db: string) => `mysql://root@127.0.0.1:3306/${db}`,
} as const;

/** Creates a uniquely named database and returns its name; drop it with dropDatabase. */
export async function createDatabase(engine: EngineName, ddl: readonly string[] = []): Promise<string> {
  const name = `engbench_${randomBytes(5).toString("hex")}`;
  await run(engine, engine === "postgres" ? "postgres" : "mysql", `CREATE DATABASE ${name}`);
  for (const sql of ddl) await run(engine, name, sql);
  return name;
}

export async function dropDatabase(engine: EngineName, name: string): Promise<void> {
  await run(engine, engine === "postgres" ? "postgres" : "mysql", engine === "postgres" ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`);
}

export async function scalar(engine: EngineName, db: string, sql: string): Promise<unknown> {
  const rows = await run(engine, db, sql);
  const first = rows[0];
  return first ? Object.values(first)[0] : undefined;
}

async function run(engine: EngineName, db: string, sql: string): Promise<Record<string, unknown>[]> {
  if (engine === "postgres") {
    const client = new pg.Client({ connectionString: URLS.postgres(db) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }
  const connection = await mysql.createConnection({ uri: URLS.mysql(db) });
  try {
    const [rows] = await connection.query(sql);
    return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
  } finally {
    await connection.end();
  }
}

/** Runs a command to completion and returns its wall time in ms; fails on a non-zero exit. */
export function timeCommand(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
    child.stdin.end(options.input ?? "");
  });
}
