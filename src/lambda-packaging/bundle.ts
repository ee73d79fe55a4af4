import type { BuildOptions } from "esbuild";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { cachedBundles } from "./bundle-cache";

/** The project root: handlers live in `<root>/lambdas/<name>/index.ts`. */
const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const HANDLERS_DIR = path.join(PROJECT_ROOT, "lambdas");
/** Bundles are written below here (git-ignored) and placed in each stack folder as assets (bundle-asset.ts). */
const BUILD_ROOT = path.join(PROJECT_ROOT, ".build");

/** Lambda runtime the bundles target; esbuild's target must match its Node.js version. */
export const LAMBDA_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

/** The cache a synth reuses unchanged bundles from (git-ignored): see bundle-cache.ts. */
const DEFAULT_CACHE_DIR = path.join(BUILD_ROOT, "bundle-cache");

let bundled: { readonly dir: string; readonly names: ReadonlySet<string>; readonly outputs: Readonly<Record<string, string>> } | undefined;
/** Set by useTemporaryBundleCache(): this process's own cache folder, made on first use. */
let temporaryCache: { dir: string | undefined } | undefined;

/** Names of the handlers in `lambdas/` (every folder with an `index.ts`, except shared code). */
export function handlerNames(): string[] {
  return readdirSync(HANDLERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "shared" && existsSync(path.join(HANDLERS_DIR, entry.name, "index.ts")))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Makes this process cache its bundles in a folder of its own below `.build/` (removed by
 * clearBundleCache() or when the process exits) instead of the project's shared cache: tests, whose
 * runs must leave nothing behind and must not depend on bundles an earlier run left.
 */
export function useTemporaryBundleCache(): void {
  temporaryCache ??= { dir: undefined };
}

/**
 * Forgets the bundles found so far, so the next request looks them up again. With a temporary
 * cache (tests), its folder goes too, so the next request rebuilds them.
 */
export function clearBundleCache(): void {
  bundled = undefined;
  if (temporaryCache?.dir) rmSync(temporaryCache.dir, { recursive: true, force: true });
  if (temporaryCache) temporaryCache.dir = undefined;
}

function cacheDir(): string {
  if (!temporaryCache) return process.env.PLATFORM_BUNDLE_CACHE ? path.resolve(PROJECT_ROOT, process.env.PLATFORM_BUNDLE_CACHE) : DEFAULT_CACHE_DIR;
  if (!temporaryCache.dir) {
    mkdirSync(BUILD_ROOT, { recursive: true });
    const dir = mkdtempSync(path.join(BUILD_ROOT, "lambdas-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    temporaryCache.dir = dir;
  }
  return temporaryCache.dir;
}

/** The esbuild options of every handler bundle (part of the cache key: a change rebuilds). */
const BUNDLE_OPTIONS: BuildOptions = {
  bundle: true,
  platform: "node",
  target: ESBUILD_TARGET,
  format: "cjs",
  minify: true,
  sourcemap: true,
  // Stack traces need the maps' positions (NODE_OPTIONS=--enable-source-maps), not a copy of every
  // bundled source inside them: without it the database functions' maps are a quarter of the size
  // (2.6 MB to 0.7 MB each), and so is what each synth places in every stack folder and each
  // deployment uploads.
  sourcesContent: false,
  // Source paths in the maps stay relative, so bundles are identical on every machine.
  sourceRoot: "",
  external: ["@aws-sdk/*", "pg-native"],
  logLevel: "error",
  legalComments: "none",
};

/**
 * Returns the folder holding the bundled handler (`index.js` and `index.js.map`).
 *
 * The first call bundles every handler in one esbuild run (esbuild parallelises across entry points,
 * and a synth of the whole platform uses them all), so each is built once per synth however many
 * stacks package it, and not at all when the cache holds bundles of the same inputs. The AWS SDK v3
 * is left to the Lambda runtime; `pg-native` is an optional dependency of `pg` that is never used.
 */
export function bundledHandlerDir(name: string): string {
  if (!bundled) {
    const names = handlerNames();
    const { dir, outputs } = cachedBundles({
      projectRoot: PROJECT_ROOT,
      cacheDir: cacheDir(),
      options: BUNDLE_OPTIONS,
      entryPoints: Object.fromEntries(names.map((handler) => [`${handler}/index`, path.posix.join("lambdas", handler, "index.ts")])),
    });
    bundled = { dir, names: new Set(names), outputs };
  }
  if (!bundled.names.has(name)) {
    throw new Error(`No Lambda handler "${name}": expected lambdas/${name}/index.ts (found: ${[...bundled.names].join(", ") || "none"})`);
  }
  return path.join(bundled.dir, name);
}

/** A handler's bundle folder and a hash of its content (32 upper-case hex digits, as cdktf's asset hashes). */
export interface HandlerBundle {
  readonly dir: string;
  readonly hash: string;
}

/**
 * The handler's bundle (bundledHandlerDir) with its content hash, taken from the hashes the bundle
 * cache checked for this synth instead of reading the files once more.
 */
export function bundledHandler(name: string): HandlerBundle {
  const dir = bundledHandlerDir(name);
  const prefix = `${name}/`;
  const digest = createHash("sha256");
  for (const [file, hash] of Object.entries(bundled!.outputs)) if (file.startsWith(prefix)) digest.update(`${file.slice(prefix.length)} ${hash}\n`);
  return { dir, hash: digest.digest("hex").slice(0, 32).toUpperCase() };
}
