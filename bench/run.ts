/**
 * `npm run bench`: every benchmark of the project, each printing its figures, its baseline and the
 * ratio in the same run. `npm run bench -- <name>` runs one.
 */
import { runSynthBench } from "./synth";

async function main(): Promise<void> {
  const only = process.argv[2];
  if (!only || only === "synth") runSynthBench();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
