import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writeBaselineProject } from "./baseline-project";
import { exampleWithEnvironments } from "./environments";

/**
 * Wall time and peak memory of synthesizing the whole default platform (the app command of cdktf.json)
 * against the baseline that `cdktf init` would give: ts-node, a root import of the AWS provider, and
 * three resources (bench/baseline-project.ts, written into .build/bench-baseline/ when the bench runs).
 */

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * Rounds of the growth series (the platform at 3, 6 and 12 environments, without the baseline): the
 * growth figure is a difference between two samples, noisier than either, and these rounds are cheap.
 */
const GROWTH_RUNS = Math.max(RUNS, Number(process.env.BENCH_GROWTH_RUNS ?? 3 * RUNS));
/** Issue 14's targets: at most this share of the baseline's wall time, and at most this peak memory. */
const TARGET_TIME_RATIO = 0.14;
const TARGET_MIB = 150;

interface Sample {
  readonly seconds: number;
  readonly peakMiB: number;
  /** Stack folders the run wrote (read from its output, so the label never goes stale). */
  readonly stacks: number;
  /** Terraform resources across those stacks (what memory should grow with). */
  readonly resources: number;
}

/** Resources declared in every `cdk.tf.json` below `stacksDir`. */
function countResources(stacksDir: string): number {
  let count = 0;
  for (const stack of readdirSync(stacksDir)) {
    const file = path.join(stacksDir, stack, "cdk.tf.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as { resource?: Record<string, Record<string, unknown>> };
    for (const byName of Object.values(json.resource ?? {})) count += Object.keys(byName).length;
  }
  return count;
}

function measure(args: readonly string[], env: NodeJS.ProcessEnv): Sample {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-synth-"));
  const usageFile = path.join(dir, "usage");
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["-r", path.join(__dirname, "record-usage.cjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, CDKTF_OUTDIR: path.join(dir, "out"), BENCH_USAGE_FILE: usageFile },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
  const peakMiB = Number(readFileSync(usageFile, "utf8")) / 1024;
  const stacksDir = path.join(dir, "out", "stacks");
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir).length : 0;
  const resources = existsSync(stacksDir) ? countResources(stacksDir) : 0;
  rmSync(dir, { recursive: true, force: true });
  return { seconds, peakMiB, stacks, resources };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One command the benchmark measures, and the label it prints ({stacks} and {resources} filled in). */
interface Series {
  readonly label: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Medians of RUNS samples of each series, taken in rounds (one sample of every series per round, after
 * one warm-up of each: file-system cache, the compiled app, ts-node's cache), so that a change in the
 * machine's load during the benchmark shifts every series alike instead of skewing the ratios between them.
 */
function measureInRounds(all: readonly Series[], rounds: number, options: { readonly warmUp: boolean; readonly print: boolean }): (Sample & { readonly rounds: readonly number[] })[] {
  if (options.warmUp) for (const { args, env } of all) measure(args, env ?? {});
  const samples: Sample[][] = all.map(() => []);
  for (let round = 0; round < rounds; round++) all.forEach(({ args, env }, index) => samples[index]!.push(measure(args, env ?? {})));
  return all.map(({ label }, index) => {
    const taken = samples[index]!;
    const seconds = taken.map((s) => s.seconds);
    const result = { seconds: median(seconds), peakMiB: median(taken.map((s) => s.peakMiB)), stacks: taken[0]?.stacks ?? 0, resources: taken[0]?.resources ?? 0, rounds: seconds };
    const filled = label.replace("{stacks}", String(result.stacks)).replace("{resources}", String(result.resources));
    if (options.print) console.log(`${filled.padEnd(62)} ${result.seconds.toFixed(2).padStart(7)} s ${result.peakMiB.toFixed(0).padStart(7)} MiB`);
    return result;
  });
}

/** cdktf.json's `app`, as the arguments after `node`: what `cdktf synth` runs. */
function appArgs(): string[] {
  const app = (JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app.split(" ");
  if (app[0] !== "node") throw new Error(`cdktf.json app "${app.join(" ")}" does not start with node`);
  return app.slice(1);
}

/** Environment counts the growth series synthesizes, beside the built-in example's three. */
const GROWTH_ENVIRONMENTS = [6, 12] as const;
/** Each environment beyond three may cost at most this share of the three-environment time. */
const MAX_COST_PER_ENVIRONMENT = 0.1;

export function runSynthBench(): void {
  console.log(`Synthesis, median of ${RUNS} rounds after one warm-up, each series once per round (node ${process.version}, ${require("node:os").cpus().length} cores, load ${require("node:os").loadavg()[0].toFixed(2)})`);
  const app = appArgs();
  const configs = mkdtempSync(path.join(tmpdir(), "bench-environments-"));
  const growthSeries = GROWTH_ENVIRONMENTS.map((count): Series => {
    const file = path.join(configs, `${count}.json`);
    writeFileSync(file, JSON.stringify(exampleWithEnvironments(count)));
    return { label: `platform: ${count} environments ({stacks} stacks, {resources} resources)`, args: app, env: { PLATFORM_CONFIG: file } };
  });
  const project = writeBaselineProject(path.join(ROOT, ".build", "bench-baseline"));
  const baselineSeries: Series = {
    label: "baseline: ts-node + root provider import (3 resources)",
    args: ["-r", "ts-node/register", project.main],
    // ts-node does not support TypeScript 6 or later; the baseline uses the last 5.x, as cdktf init does.
    env: { TS_NODE_PROJECT: project.tsconfig, TS_NODE_COMPILER: "typescript-5" },
  };
  const platformSeries: Series = { label: `platform: node ${app.join(" ")} (3 environments, {stacks} stacks, {resources} resources)`, args: app };
  let results: ReturnType<typeof measureInRounds>;
  let extraRounds: ReturnType<typeof measureInRounds>;
  try {
    results = measureInRounds([platformSeries, ...growthSeries, baselineSeries], RUNS, { warmUp: true, print: true });
    extraRounds = measureInRounds([platformSeries, ...growthSeries], GROWTH_RUNS - RUNS, { warmUp: false, print: false });
  } finally {
    rmSync(configs, { recursive: true, force: true });
  }
  const platform = results[0]!;
  const baseline = results[results.length - 1]!;
  // Every round that sampled the growth series, the full rounds first, each with its own 3-environment sample.
  const platformRounds = [...platform.rounds, ...extraRounds[0]!.rounds];
  const growth = GROWTH_ENVIRONMENTS.map((count, index) => ({ count, sample: results[index + 1]!, rounds: [...results[index + 1]!.rounds, ...extraRounds[index + 1]!.rounds] }));
  console.log(`ratio platform/baseline: time ${(platform.seconds / baseline.seconds).toFixed(2)}x, memory ${(platform.peakMiB / baseline.peakMiB).toFixed(2)}x`);
  const met = platform.seconds <= TARGET_TIME_RATIO * baseline.seconds && platform.peakMiB <= TARGET_MIB;
  console.log(`target: platform at most ${TARGET_TIME_RATIO}x the baseline's time and ${TARGET_MIB} MiB: ${met ? "met" : "NOT met"}`);
  console.log(`growth: median over ${GROWTH_RUNS} rounds of the platform series (${RUNS} of them with the baseline)`);
  for (const { count, sample, rounds } of growth) {
    // Per round, against the 3-environment sample taken just before it: the pair saw the same load.
    const perEnvironment = median(rounds.map((seconds, round) => (seconds - platformRounds[round]!) / (count - 3) / platformRounds[round]!));
    const memoryGrowth = sample.peakMiB / platform.peakMiB;
    const resourceGrowth = sample.resources / platform.resources;
    const ok = perEnvironment <= MAX_COST_PER_ENVIRONMENT && memoryGrowth <= resourceGrowth;
    console.log(
      `growth to ${count} environments: each added one costs ${(perEnvironment * 100).toFixed(1)}% of the 3-environment time (target <= ${MAX_COST_PER_ENVIRONMENT * 100}%), ` +
        `memory x${memoryGrowth.toFixed(2)} for resources x${resourceGrowth.toFixed(2)}: ${ok ? "met" : "NOT met"}`,
    );
  }
}

if (require.main === module) runSynthBench();
