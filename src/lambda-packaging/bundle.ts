import { buildSync } from "esbuild";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";

/** The project root: handlers live in `<root>/lambdas/<name>/index.ts`. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const HANDLERS_DIR = path.join(PROJECT_ROOT, "lambdas");
/** Bundles are written below here (git-ignored) and copied into each stack folder as assets. */
const BUILD_ROOT = path.join(PROJECT_ROOT, ".build");

/** Lambda runtime the bundles target; esbuild's target must match its Node.js version. */
export const LAMBDA_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

let bundled: { readonly dir: string; readonly names: ReadonlySet<string> } | undefined;

/** Names of the handlers in `lambdas/` (every folder with an `index.ts`, except shared code). */
export function handlerNames(): string[] {
  return readdirSync(HANDLERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "shared" && existsSync(path.join(HANDLERS_DIR, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

/** Forgets the bundles built so far, so the next request rebuilds them (tests, watch mode). */
export function clearBundleCache(): void {
  if (bundled) rmSync(bundled.dir, { recursive: true, force: true });
  bundled = undefined;
}

/**
 * Returns the folder holding the bundled handler (`index.js` and `index.js.map`).
 *
 * The first call bundles every handler in one esbuild run (esbuild parallelises across entry points,
 * and a synth of the whole platform uses them all), so each is built once per synth however many
 * stacks package it. The AWS SDK v3 is left to the Lambda runtime; `pg-native` is an optional
 * dependency of `pg` that is never used.
 */
export function bundledHandlerDir(name: string): string {
  if (!bundled) {
    const names = handlerNames();
    // Each process bundles into its own folder: parallel synths (test workers, CI jobs) must never
    // read a bundle another process is half-way through writing. The folder sits at a fixed depth
    // below the project, so the source maps' relative paths are the same in every run.
    mkdirSync(BUILD_ROOT, { recursive: true });
    const dir = mkdtempSync(path.join(BUILD_ROOT, "lambdas-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    buildSync({
      entryPoints: names.map((handler) => ({ in: path.join(HANDLERS_DIR, handler, "index.ts"), out: path.join(handler, "index") })),
      outdir: dir,
      bundle: true,
      platform: "node",
      target: ESBUILD_TARGET,
      format: "cjs",
      minify: true,
      sourcemap: true,
      // Source paths in the maps stay relative, so bundles are identical on every machine.
      sourceRoot: "",
      external: ["@aws-sdk/*", "pg-native"],
      logLevel: "error",
      legalComments: "none",
    });
    bundled = { dir, names: new Set(names) };
  }
  if (!bundled.names.has(name)) {
    throw new Error(`No Lambda handler "${name}": expected lambdas/${name}/index.ts (found: ${[...bundled.names].join(", ") || "none"})`);
  }
  return path.join(bundled.dir, name);
}
