/**
 * `npm run bench`: every benchmark of the project, each printing its figures, its baseline and the
 * ratio in the same run. `npm run bench -- synth` or `npm run bench -- engine` runs one.
 */
import { runEngineBench } from "./engine";
import { runSynthBench } from "./synth";

async function main(): Promise<void> {
  const only = process.argv[2];
  if (!only || only === "synth") runSynthBench();
  if (!only || only === "engine") await runEngineBench();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
