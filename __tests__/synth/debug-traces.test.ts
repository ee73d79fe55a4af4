import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "../..");

/**
 * Runs `script` after main.ts's first import, in a process started the way the app is started with
 * tsx (which turns source maps on), and returns what it printed as JSON.
 */
function afterFirstImport(script: string, env: Record<string, string>): Record<string, unknown> {
  const run = spawnSync(process.execPath, ["--import", "tsx", "-e", `require("./src/synth/debug-traces"); ${script}`], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

const PROBE = `
const { App, Fn, Lazy, TerraformStack, TerraformVariable, Tokenization } = require("cdktf");
function whereTheErrorIs() { return new Error("boom"); }
const variable = new TerraformVariable(new TerraformStack(new App(), "s"), "v", {});
const creationStack = (token) => Tokenization.reverse(token)[0].creationStack.length;
console.log(JSON.stringify({
  sourceMaps: process.sourceMapsEnabled,
  tokenCreationStack: creationStack(Fn.upper(variable.stringValue)),
  lazyCreationStack: creationStack(Lazy.stringValue({ produce: () => "y" })),
  errorStack: whereTheErrorIs().stack,
}));`;

test("synth runs without source maps and without token creation stacks; errors keep V8's trace format", () => {
  const out = afterFirstImport(PROBE, { PLATFORM_DEBUG_TRACES: "" });
  expect(out.sourceMaps).toBe(false);
  expect(out.tokenCreationStack).toBe(0);
  expect(out.lazyCreationStack).toBe(0);
  expect(out.errorStack).toMatch(/^Error: boom\n {4}at whereTheErrorIs \(.*\[eval\].*:\d+:\d+\)\n {4}at /);
});

test("PLATFORM_DEBUG_TRACES=1 keeps both, for investigating a crash", () => {
  const out = afterFirstImport(PROBE, { PLATFORM_DEBUG_TRACES: "1" });
  expect(out.sourceMaps).toBe(true);
  expect(out.tokenCreationStack).toBeGreaterThan(0);
  expect(out.lazyCreationStack).toBeGreaterThan(0);
  expect(out.errorStack).toMatch(/^Error: boom\n {4}at whereTheErrorIs /);
});

test("main.ts imports it before anything that creates tokens", () => {
  const firstImport = readFileSync(path.join(root, "main.ts"), "utf8").split("\n").find((line) => line.startsWith("import "));
  expect(firstImport).toBe('import "./src/synth/debug-traces";');
});
