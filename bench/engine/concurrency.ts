/**
 * 100 migration runs started at once, each on its own connection, against PostgreSQL's own
 * max_connections (not a per-user limit). The migration lock is held by this measurement until the
 * runs have filled the server (they wait for it holding one connection each, and the server turns
 * the rest away as full), then released: the turned-away runs must retry until they get in, and
 * all must finish with every migration applied once. The runs log in as a role without superuser rights, so the server's
 * reserved superuser slots do not help them (and stay free for the measurement itself).
 */
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { directorySource, migrate, type MigrateOptions } from "../../engine";
import { advisoryKey } from "../../engine/dialects/postgres";
import { createDatabase, dropDatabase, URLS } from "./servers";

const RUNS = 100;
const MIGRATIONS = 3;

/** Runs the scenario once and returns one line saying what happened. */
export async function concurrentRuns(work: string): Promise<string> {
  const dir = join(work, "concurrent");
  await mkdir(dir, { recursive: true });
  for (let i = 1; i <= MIGRATIONS; i++) await writeFile(join(dir, `V${i}__t${i}.sql`), `CREATE TABLE conc_t${i} (id int PRIMARY KEY);\n`);
  const role = `engbench_${randomBytes(4).toString("hex")}`;
  const db = await createDatabase("postgres");
  const admin = new pg.Client({ connectionString: URLS.postgres(db) });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN; ALTER DATABASE ${db} OWNER TO ${role}; ALTER SCHEMA public OWNER TO ${role}`);
    const maxConnections = Number((await admin.query("SHOW max_connections")).rows[0].max_connections);
    const others = Number((await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'")).rows[0].n);
    // The role's connections, sampled while the runs go on.
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await admin.query("SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1", [role]);
        peak = Math.max(peak, Number(rows[0].n));
        await new Promise((done) => setTimeout(done, 10));
      }
    })();
    const refusedRuns = new Set<number>();
    let refusals = 0;
    const url = URLS.postgres(db).replace("//postgres@", `//${role}@`);
    const lockKey = advisoryKey(`migration:${db}:schema_migration_history`);
    await admin.query("SELECT pg_advisory_lock($1)", [lockKey]);
    const started = performance.now();
    // Released once the server is full and has turned runs away (or after 10 s).
    const held = (async () => {
      while (refusals === 0 && performance.now() - started < 10_000) await new Promise((done) => setTimeout(done, 20));
      await new Promise((done) => setTimeout(done, 200));
      await admin.query("SELECT pg_advisory_unlock($1)", [lockKey]);
      return performance.now() - started;
    })();
    const results = await Promise.allSettled(
      Array.from({ length: RUNS }, (_, run) => {
        const onProgress: MigrateOptions["onProgress"] = (e) => {
          if (e.type !== "connection-refused") return;
          refusals++;
          refusedRuns.add(run);
        };
        return migrate({ engine: "postgres", connection: url, source: directorySource(dir), lockTimeoutMs: 120_000, onProgress });
      }),
    );
    const wallMs = performance.now() - started;
    const heldMs = await held;
    sampling = false;
    await sampler;
    const failed = results.filter((r) => r.status === "rejected");
    const applied = results.reduce((n, r) => n + (r.status === "fulfilled" ? r.value.applied.length : 0), 0);
    const verdict = failed.length === 0 && applied === MIGRATIONS ? "met" : "NOT met";
    const firstFailure = failed[0] ? `; first failure: ${String((failed[0] as PromiseRejectedResult).reason?.message ?? failed[0])}` : "";
    return (
      `${RUNS} concurrent migrate() runs, PostgreSQL max_connections ${maxConnections} (${others} other client connections at the start): ` +
      `${RUNS - failed.length} of ${RUNS} finished, migrations applied ${applied} (expected ${MIGRATIONS}); ` +
      `${refusals} connection attempts turned away as full and retried, by ${refusedRuns.size} runs; ` +
      `peak ${peak} connections of the runs' role; lock held for the first ${heldMs.toFixed(0)} ms; wall ${wallMs.toFixed(0)} ms; target ${verdict}${firstFailure}`
    );
  } finally {
    await admin.end();
    await dropDatabase("postgres", db);
    const cleanup = new pg.Client({ connectionString: URLS.postgres("postgres") });
    await cleanup.connect();
    await cleanup.query(`DROP ROLE IF EXISTS ${role}`).finally(() => cleanup.end());
  }
}
