/**
 * Engine benchmark: the migration and data-sync engine against the servers' own one-session
 * clients and bulk loaders, and against node-pg-migrate, all measured in the same run.
 *
 *   node --import tsx bench/engine.ts        (or `npm run bench -- engine`)
 *
 * Every measurement runs on a fresh database. Engine and baseline samples alternate, run after
 * run (ENGINE_BENCH_RUNS, default 5), so that load from other work on the machine hits both alike;
 * the table shows the medians and the median of the per-run ratios.
 * ENGINE_BENCH_ONLY=migrations, =sync or =concurrency runs one part. The concurrency part runs once:
 * 100 migration runs at the same time against PostgreSQL with its own max_connections.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compiledEntry } from "../bin/compiled-entry.cjs";
import { directorySource, migrate, syncData, type EngineName } from "../engine";
import { concatenatedMigrations, migrationSql, REF_TABLE, refCsv, refTableDdl, writeMigrations, writeNodePgMigrateFiles } from "./engine/fixtures";
import { concurrentRuns } from "./engine/concurrency";
import { createDatabase, dropDatabase, scalar, timeCommand, URLS } from "./engine/servers";

const MIGRATIONS = 200;
const ROWS = 100_000;
const ROOT = resolve(__dirname, "..");

/** One timed action; `run` prepares its own database outside the timed part and returns ms. */
interface Measure {
  readonly label: string;
  readonly run: () => Promise<number>;
}

interface Comparison {
  readonly scenario: string;
  readonly engine: Measure;
  readonly baseline?: Measure;
  /** Largest acceptable engine/baseline ratio (exclusive when `faster`); none for information rows. */
  readonly maxRatio?: number;
  readonly faster?: boolean;
}

export async function runEngineBench(): Promise<void> {
  const runs = Number(process.env.ENGINE_BENCH_RUNS ?? 5);
  const only = process.env.ENGINE_BENCH_ONLY;
  const work = await mkdtemp(join(tmpdir(), "engine-bench-"));
  try {
    const comparisons: Comparison[] = [];
    if (only === undefined || only === "migrations") comparisons.push(...(await migrationComparisons(work)));
    if (only === undefined || only === "sync") comparisons.push(...(await syncComparisons(work)));

    const samples = new Map<Measure, number[]>();
    const ratios = new Map<Comparison, number[]>();
    for (let run = 0; run < runs; run++) {
      const thisRun = new Map<Measure, number>();
      const sample = async (m: Measure) => {
        if (!thisRun.has(m)) {
          const ms = await m.run();
          thisRun.set(m, ms);
          samples.set(m, [...(samples.get(m) ?? []), ms]);
        }
        return thisRun.get(m)!;
      };
      for (const c of comparisons) {
        const engineMs = await sample(c.engine);
        if (c.baseline) ratios.set(c, [...(ratios.get(c) ?? []), engineMs / (await sample(c.baseline))]);
      }
    }
    if (comparisons.length > 0) printTable(comparisons, samples, ratios, runs);
    if (only === undefined || only === "concurrency") console.log(`\n${await concurrentRuns(work)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function migrationComparisons(work: string): Promise<Comparison[]> {
  const dir = join(work, "migrations");
  await writeMigrations(dir, MIGRATIONS);
  const npmDir = join(work, "node-pg-migrate");
  await writeNodePgMigrateFiles(npmDir, MIGRATIONS);
  const oneScript = concatenatedMigrations(MIGRATIONS);
  const perFile = Array.from({ length: MIGRATIONS }, (_, i) => `BEGIN;\n${migrationSql(i + 1)}COMMIT;\n`).join("");

  const engineInProcess = (engine: EngineName): Measure => ({
    label: "engine migrate() in process",
    run: () =>
      withDatabase(engine, [], async (db) => {
        const started = performance.now();
        const result = await migrate({ engine, connection: URLS[engine](db), source: directorySource(dir) });
        const ms = performance.now() - started;
        expectEqual(result.applied.length, MIGRATIONS, "engine migrations applied");
        await expectTables(engine, db);
        return ms;
      }),
  });
  const psql = (label: string, script: string, single: boolean): Measure => ({
    label,
    run: () =>
      withDatabase("postgres", [], async (db) => {
        const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...(single ? ["-1"] : []), "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-f", "-"];
        const ms = await timeCommand("psql", args, { input: script });
        await expectTables("postgres", db);
        return ms;
      }),
  });
  const mariadb: Measure = {
    label: "mariadb client, one session",
    run: () =>
      withDatabase("mysql", [], async (db) => {
        const ms = await timeCommand("mariadb", ["-h", "127.0.0.1", "-u", "root", db], { input: oneScript });
        await expectTables("mysql", db);
        return ms;
      }),
  };
  // The CLI runs from a bundle that is rebuilt only when the engine's sources change: build it now,
  // so that every sample measures what users run day to day.
  compiledEntry(ROOT, "engine/cli.ts", ".build/engine-cli");
  const engineCli: Measure = {
    label: "engine CLI (npm run migrate)",
    run: () =>
      withDatabase("postgres", [], async (db) => {
        const args = ["bin/engine.cjs", "migrate", "--engine", "postgres", "--url", URLS.postgres(db), "--dir", dir];
        const ms = await timeCommand(process.execPath, args, { cwd: ROOT });
        await expectTables("postgres", db);
        return ms;
      }),
  };
  const nodePgMigrate: Measure = {
    label: "node-pg-migrate up (CLI)",
    run: () =>
      withDatabase("postgres", [], async (db) => {
        const bin = join(ROOT, "node_modules", "node-pg-migrate", "bin", "node-pg-migrate.js");
        const env = { ...process.env, DATABASE_URL: URLS.postgres(db) };
        const ms = await timeCommand(process.execPath, [bin, "up", "-m", npmDir, "--no-verbose"], { cwd: ROOT, env });
        await expectTables("postgres", db);
        return ms;
      }),
  };
  const pgEngine = engineInProcess("postgres");
  return [
    { scenario: `${MIGRATIONS} migrations, PostgreSQL`, engine: pgEngine, baseline: psql("psql -1, one session", oneScript, true), maxRatio: 1.2 },
    { scenario: `${MIGRATIONS} migrations, PostgreSQL`, engine: pgEngine, baseline: psql("psql, one session, BEGIN/COMMIT per file", perFile, false), maxRatio: 1.5 },
    { scenario: `${MIGRATIONS} migrations, MariaDB`, engine: engineInProcess("mysql"), baseline: mariadb, maxRatio: 1.3 },
    { scenario: `${MIGRATIONS} migrations, PostgreSQL, end to end`, engine: engineCli, baseline: nodePgMigrate, maxRatio: 1, faster: true },
  ];
}

async function syncComparisons(work: string): Promise<Comparison[]> {
  const dataDir = join(work, "data");
  const csvPath = join(dataDir, `${REF_TABLE}.csv`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(csvPath, refCsv(ROWS));
  const changedDir = join(work, "data-changed");
  await mkdir(changedDir, { recursive: true });
  const changedPath = join(changedDir, `${REF_TABLE}.csv`);
  await writeFile(changedPath, refCsv(ROWS - 500, 1));
  const count = (engine: EngineName, db: string) => scalar(engine, db, `SELECT count(*) FROM ${REF_TABLE}`).then(Number);

  const engineSync = (engine: EngineName): Measure => ({
    label: "engine syncData() in process",
    run: () =>
      withDatabase(engine, [refTableDdl(engine)], async (db) => {
        const started = performance.now();
        const result = await syncData({ engine, connection: URLS[engine](db), source: directorySource(dataDir) });
        const ms = performance.now() - started;
        expectEqual(result.tables[0]?.inserted, ROWS, "engine rows inserted");
        expectEqual(await count(engine, db), ROWS, "rows in table");
        return ms;
      }),
  });
  // The bulk loaders read a file into an empty table; a re-sync is measured against a full load of
  // its own (changed) file.
  const copy = (path: string, rows: number): Measure => ({
    label: "psql \\copy (COPY FROM STDIN)",
    run: () =>
      withDatabase("postgres", [refTableDdl("postgres")], async (db) => {
        const command = `\\copy ${REF_TABLE} FROM '${path}' WITH (FORMAT csv, HEADER)`;
        const ms = await timeCommand("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c", command]);
        expectEqual(await count("postgres", db), rows, "rows copied");
        return ms;
      }),
  });
  const loadData = (path: string, rows: number): Measure => ({
    label: "mariadb LOAD DATA LOCAL INFILE",
    run: () =>
      withDatabase("mysql", [refTableDdl("mysql")], async (db) => {
        const sql = `LOAD DATA LOCAL INFILE '${path}' INTO TABLE ${REF_TABLE} FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' LINES TERMINATED BY '\\n' IGNORE 1 LINES`;
        const ms = await timeCommand("mariadb", ["--local-infile=1", "-h", "127.0.0.1", "-u", "root", db, "-e", sql]);
        expectEqual(await count("mysql", db), rows, "rows loaded");
        return ms;
      }),
  });
  const resync = (engine: EngineName): Measure => ({
    label: "engine syncData(prune) in process",
    run: () =>
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
  });
  return [
    { scenario: `${ROWS / 1000}k rows sync, PostgreSQL`, engine: engineSync("postgres"), baseline: copy(csvPath, ROWS), maxRatio: 1.5 },
    { scenario: `${ROWS / 1000}k rows sync, MariaDB`, engine: engineSync("mysql"), baseline: loadData(csvPath, ROWS), maxRatio: 1.5 },
    {
      scenario: `${ROWS / 1000}k rows re-sync (1% changed, 500 pruned), PostgreSQL`,
      engine: resync("postgres"),
      baseline: copy(changedPath, ROWS - 500),
      maxRatio: 1,
      faster: true,
    },
    {
      scenario: `${ROWS / 1000}k rows re-sync (1% changed, 500 pruned), MariaDB`,
      engine: resync("mysql"),
      baseline: loadData(changedPath, ROWS - 500),
      maxRatio: 1,
      faster: true,
    },
  ];
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
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`bench check failed: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function printTable(comparisons: readonly Comparison[], samples: Map<Measure, number[]>, ratios: Map<Comparison, number[]>, runs: number): void {
  const table = comparisons.map((c) => {
    const ratio = ratios.has(c) ? median(ratios.get(c)!) : undefined;
    const met = ratio === undefined || c.maxRatio === undefined ? "-" : (c.faster ? ratio < c.maxRatio : ratio <= c.maxRatio) ? "yes" : "no";
    return {
      scenario: c.scenario,
      engine: c.engine.label,
      "engine ms": median(samples.get(c.engine)!).toFixed(0),
      baseline: c.baseline?.label ?? "(information only)",
      "baseline ms": c.baseline ? median(samples.get(c.baseline)!).toFixed(0) : "-",
      ratio: ratio === undefined ? "-" : ratio.toFixed(2),
      target: c.maxRatio === undefined ? "-" : c.faster ? "< 1 (faster)" : `<= ${c.maxRatio}x`,
      met,
    };
  });
  const columns = Object.keys(table[0]!) as (keyof (typeof table)[number])[];
  const widths = columns.map((c) => Math.max(c.length, ...table.map((t) => t[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ");
  console.log(`\nengine benchmark: medians of ${runs} alternating runs; ratio = median of per-run engine/baseline ratios`);
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
