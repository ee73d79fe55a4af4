import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writeBaselineProject } from "./baseline-project";

/**
 * Wall time and peak memory of synthesizing the whole default platform (the app command of cdktf.json)
 * against the baseline that `cdktf init` would give: ts-node, a root import of the AWS provider, and
 * three resources (bench/baseline-project.ts, written into .build/bench-baseline/ when the bench runs).
 */

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_SECONDS = 2;
const TARGET_MIB = 400;

interface Sample {
  readonly seconds: number;
  readonly peakMiB: number;
  /** Stack folders the run wrote (read from its output, so the label never goes stale). */
  readonly stacks: number;
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
  rmSync(dir, { recursive: true, force: true });
  return { seconds, peakMiB, stacks };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function series(label: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Sample {
  measure(args, env); // warm-up: file-system cache, ts-node's incremental cache, tsx's cache
  const samples = Array.from({ length: RUNS }, () => measure(args, env));
  const result = { seconds: median(samples.map((s) => s.seconds)), peakMiB: median(samples.map((s) => s.peakMiB)), stacks: samples[0]!.stacks };
  label = label.replace("{stacks}", String(result.stacks));
  console.log(`${label.padEnd(52)} ${result.seconds.toFixed(2).padStart(7)} s ${result.peakMiB.toFixed(0).padStart(7)} MiB`);
  return result;
}

export function runSynthBench(): void {
  console.log(`Synthesis, median of ${RUNS} runs after one warm-up (node ${process.version}, ${require("node:os").cpus().length} cores)`);
  const platform = series("platform: node --import tsx main.ts ({stacks} stacks)", ["--import", "tsx", "main.ts"]);
  const project = writeBaselineProject(path.join(ROOT, ".build", "bench-baseline"));
  const baseline = series("baseline: ts-node + root provider import (3 resources)", ["-r", "ts-node/register", project.main], {
    TS_NODE_PROJECT: project.tsconfig,
    // ts-node does not support TypeScript 6 or later; the baseline uses the last 5.x, as cdktf init does.
    TS_NODE_COMPILER: "typescript-5",
  });
  console.log(`ratio platform/baseline: time ${(platform.seconds / baseline.seconds).toFixed(2)}x, memory ${(platform.peakMiB / baseline.peakMiB).toFixed(2)}x`);
  const met = platform.seconds < TARGET_SECONDS && platform.peakMiB < TARGET_MIB;
  console.log(`target: platform under ${TARGET_SECONDS} s and ${TARGET_MIB} MiB: ${met ? "met" : "NOT met"}`);
}

if (require.main === module) runSynthBench();
