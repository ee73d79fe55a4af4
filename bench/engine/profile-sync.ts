/**
 * Times one first load and one re-sync (1% changed, 500 pruned) of the benchmark's reference table,
 * for profiling: `node --cpu-prof --import tsx bench/engine/profile-sync.ts postgres|mysql`.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { directorySource, syncData, type EngineName } from "../../engine";
import { REF_TABLE, refCsv, refTableDdl } from "./fixtures";
import { createDatabase, dropDatabase, URLS } from "./servers";

async function main(engine: EngineName): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "engine-prof-"));
  const db = await createDatabase(engine, [refTableDdl(engine)]);
  try {
    for (const [dir, csv] of [["a", refCsv(100_000)], ["b", refCsv(99_500, 1)]] as const) {
      await mkdir(join(work, dir));
      await writeFile(join(work, dir, `${REF_TABLE}.csv`), csv);
    }
    const url = URLS[engine](db);
    let t = performance.now();
    await syncData({ engine, connection: url, source: directorySource(join(work, "a")) });
    console.log(`first load ${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    const r = await syncData({ engine, connection: url, source: directorySource(join(work, "b")), prune: true });
    console.log(`re-sync ${(performance.now() - t).toFixed(0)} ms`, JSON.stringify(r.tables[0]));
  } finally {
    await dropDatabase(engine, db);
    await rm(work, { recursive: true, force: true });
  }
}

main((process.argv[2] ?? "postgres") as EngineName).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
