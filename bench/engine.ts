/**
 * Engine benchmark: the migration and data-sync engine against the servers' own one-session
 * clients and bulk loaders, and against node-pg-migrate, all measured in the same run.
 *
 *   node --import tsx bench/engine.ts        (or `npm run bench -- engine`)
 *
 * Every scenario runs ENGINE_BENCH_RUNS times (default 3) on a fresh database; the median is shown.
 * ENGINE_BENCH_ONLY=migrations or =sync runs one half.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { directorySource, migrate, syncData, type EngineName } from "../engine";
import { concatenatedMigrations, migrationSql, REF_TABLE, refCsv, refTableDdl, writeMigrations, writeNodePgMigrateFiles } from "./engine/fixtures";
import { createDatabase, dropDatabase, scalar, timeCommand, URLS } from "./engine/servers";

const MIGRATIONS = 200;
const ROWS = 100_000;
const ROOT = resolve(__dirname, "..");

interface Row {
  readonly scenario: string;
  readonly engineMs: number;
  readonly baseline: string;
  readonly baselineMs: number | undefined;
  /** Largest acceptable engine/baseline ratio; undefined for figures shown for information. */
  readonly maxRatio: number | undefined;
}

export async function runEngineBench(): Promise<void> {
  const runs = Number(process.env.ENGINE_BENCH_RUNS ?? 3);
  const work = await mkdtemp(join(tmpdir(), "engine-bench-"));
  try {
    const migrationsDir = join(work, "migrations");
    await writeMigrations(migrationsDir, MIGRATIONS);
    const npmDir = join(work, "node-pg-migrate");
    await writeNodePgMigrateFiles(npmDir, MIGRATIONS);
    const oneScript = concatenatedMigrations(MIGRATIONS);
    const perFileTransactions = Array.from({ length: MIGRATIONS }, (_, i) => i + 1)
      .map((i) => `BEGIN;\n${migrationSql(i)}COMMIT;\n`)
      .join("");
    const dataDir = join(work, "data");
    const csvPath = join(dataDir, `${REF_TABLE}.csv`);
    await mkdir(dataDir, { recursive: true });
    await writeFile(csvPath, refCsv(ROWS));
    const changedDir = join(work, "data-changed");
    await mkdir(changedDir, { recursive: true });
    await writeFile(join(changedDir, `${REF_TABLE}.csv`), refCsv(ROWS - 500, 1));

    const rows: Row[] = [];
    const median = async (measure: () => Promise<number>) => {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) samples.push(await measure());
      samples.sort((a, b) => a - b);
      return samples[Math.floor(samples.length / 2)]!;
    };

    const only = process.env.ENGINE_BENCH_ONLY;
    // --- 200 migrations -------------------------------------------------------------------------
    if (only === undefined || only === "migrations") {
    const engineMigrate = (engine: EngineName) =>
      median(() =>
        withDatabase(engine, [], async (db) => {
          const started = performance.now();
          const result = await migrate({ engine, connection: URLS[engine](db), source: directorySource(migrationsDir) });
          const ms = performance.now() - started;
          expectEqual(result.applied.length, MIGRATIONS, "engine migrations applied");
          await expectTables(engine, db);
          return ms;
        }),
      );
    const psql = (script: string, single: boolean) =>
      median(() =>
        withDatabase("postgres", [], async (db) => {
          const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...(single ? ["-1"] : []), "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-f", "-"];
          const ms = await timeCommand("psql", args, { input: script });
          await expectTables("postgres", db);
          return ms;
        }),
      );
    const pgEngine = await engineMigrate("postgres");
    rows.push({ scenario: `${MIGRATIONS} migrations, PostgreSQL`, engineMs: pgEngine, baseline: "psql -1, one session", baselineMs: await psql(oneScript, true), maxRatio: 1.5 });
    rows.push({ scenario: `${MIGRATIONS} migrations, PostgreSQL`, engineMs: pgEngine, baseline: "psql, one session, BEGIN/COMMIT per file", baselineMs: await psql(perFileTransactions, false), maxRatio: 1.5 });

    const mysqlEngine = await engineMigrate("mysql");
    const mariadbClient = await median(() =>
      withDatabase("mysql", [], async (db) => {
        const ms = await timeCommand("mariadb", ["-h", "127.0.0.1", "-u", "root", db], { input: oneScript });
        await expectTables("mysql", db);
        return ms;
      }),
    );
    rows.push({ scenario: `${MIGRATIONS} migrations, MariaDB`, engineMs: mysqlEngine, baseline: "mariadb client, one session", baselineMs: mariadbClient, maxRatio: 1.5 });

    const engineCli = await median(() =>
      withDatabase("postgres", [], async (db) => {
        const ms = await timeCommand(process.execPath, ["--import", "tsx", "engine/cli.ts", "migrate", "--engine", "postgres", "--url", URLS.postgres(db), "--dir", migrationsDir], { cwd: ROOT });
        await expectTables("postgres", db);
        return ms;
      }),
    );
    const nodePgMigrate = await median(() =>
      withDatabase("postgres", [], async (db) => {
        const bin = join(ROOT, "node_modules", "node-pg-migrate", "bin", "node-pg-migrate.js");
        const ms = await timeCommand(process.execPath, [bin, "up", "-m", npmDir, "--no-verbose"], { cwd: ROOT, env: { ...process.env, DATABASE_URL: URLS.postgres(db) } });
        await expectTables("postgres", db);
        return ms;
      }),
    );
    rows.push({ scenario: `${MIGRATIONS} migrations, PostgreSQL, CLI end to end`, engineMs: engineCli, baseline: "node-pg-migrate up (CLI)", baselineMs: nodePgMigrate, maxRatio: 1 });

    }

    // --- 100,000 reference rows -----------------------------------------------------------------
    if (only === undefined || only === "sync") {
    const engineSync = (engine: EngineName) =>
      median(() =>
        withDatabase(engine, [refTableDdl(engine)], async (db) => {
          const started = performance.now();
          const result = await syncData({ engine, connection: URLS[engine](db), source: directorySource(dataDir) });
          const ms = performance.now() - started;
          expectEqual(result.tables[0]?.inserted, ROWS, "engine rows inserted");
          expectEqual(Number(await scalar(engine, db, `SELECT count(*) FROM ${REF_TABLE}`)), ROWS, "rows in table");
          return ms;
        }),
      );
    const copy = await median(() =>
      withDatabase("postgres", [refTableDdl("postgres")], async (db) => {
        const ms = await timeCommand("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c", `\\copy ${REF_TABLE} FROM '${csvPath}' WITH (FORMAT csv, HEADER)`]);
        expectEqual(Number(await scalar("postgres", db, `SELECT count(*) FROM ${REF_TABLE}`)), ROWS, "rows copied");
        return ms;
      }),
    );
    rows.push({ scenario: `${ROWS / 1000}k rows sync, PostgreSQL`, engineMs: await engineSync("postgres"), baseline: "psql \\copy (COPY FROM STDIN)", baselineMs: copy, maxRatio: 3 });
    const loadData = await median(() =>
      withDatabase("mysql", [refTableDdl("mysql")], async (db) => {
        const sql = `LOAD DATA LOCAL INFILE '${csvPath}' INTO TABLE ${REF_TABLE} FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\n' IGNORE 1 LINES`;
        const ms = await timeCommand("mariadb", ["--local-infile=1", "-h", "127.0.0.1", "-u", "root", db, "-e", sql]);
        expectEqual(Number(await scalar("mysql", db, `SELECT count(*) FROM ${REF_TABLE}`)), ROWS, "rows loaded");
        return ms;
      }),
    );
    rows.push({ scenario: `${ROWS / 1000}k rows sync, MariaDB`, engineMs: await engineSync("mysql"), baseline: "mariadb LOAD DATA LOCAL INFILE", baselineMs: loadData, maxRatio: 3 });

    for (const engine of ["postgres", "mysql"] as const) {
      const resync = await median(() =>
        withDatabase(engine, [refTableDdl(engine)], async (db) => {
          const url = URLS[engine](db);
          await syncData({ engine, connection: url, source: directorySource(dataDir) });
          const started = performance.now();
          const result = await syncData({ engine, connection: url, source: directorySource(changedDir), prune: true });
          const ms = performance.now() - started;
          const t = result.tables[0]!;
          expectEqual([t.inserted, t.updated, t.deleted], [0, (ROWS - 500) / 100, 500], "re-sync counts");
          return ms;
        }),
      );
      rows.push({ scenario: `${ROWS / 1000}k rows re-sync (1% changed, 500 pruned), ${engine === "postgres" ? "PostgreSQL" : "MariaDB"}`, engineMs: resync, baseline: "(no baseline: information)", baselineMs: undefined, maxRatio: undefined });
    }

    }

    printTable(rows, runs);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}


async function withDatabase<T>(engine: EngineName, ddl: readonly string[], body: (db: string) => Promise<T>): Promise<T> {
  const db = await createDatabase(engine, ddl);
  try {
    return await body(db);
  } finally {
    await dropDatabase(engine, db);
  }
}

async function expectTables(engine: EngineName, db: string): Promise<void> {
  const sql =
    engine === "postgres"
      ? "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'bench_t%'"
      : "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'bench_t%'";
  expectEqual(Number(await scalar(engine, db, sql)), MIGRATIONS, "tables created");
}

function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`bench check failed: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function printTable(rows: readonly Row[], runs: number): void {
  const table = rows.map((r) => {
    const ratio = r.baselineMs === undefined ? undefined : r.engineMs / r.baselineMs;
    return {
      scenario: r.scenario,
      "engine ms": r.engineMs.toFixed(0),
      baseline: r.baseline,
      "baseline ms": r.baselineMs === undefined ? "-" : r.baselineMs.toFixed(0),
      ratio: ratio === undefined ? "-" : ratio.toFixed(2),
      target: r.maxRatio === undefined ? "-" : r.maxRatio === 1 ? "< 1 (faster)" : `<= ${r.maxRatio}x`,
      met: ratio === undefined || r.maxRatio === undefined ? "-" : (r.maxRatio === 1 ? ratio < 1 : ratio <= r.maxRatio) ? "yes" : "no",
    };
  });
  const columns = Object.keys(table[0]!) as (keyof (typeof table)[number])[];
  const widths = columns.map((c) => Math.max(c.length, ...table.map((t) => t[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ");
  console.log(`\nengine benchmark (median of ${runs} runs; engine figures in process unless marked CLI)`);
  console.log(line(columns));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const t of table) console.log(line(columns.map((c) => t[c])));
}

if (require.main === module) {
  runEngineBench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
