import { buildSync, version as ESBUILD_VERSION, type BuildOptions } from "esbuild";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/**
 * A content-keyed cache of Lambda bundles, so a synth whose handlers and their imports have not
 * changed reuses the bundles of the last one instead of running esbuild again.
 *
 * An entry is keyed by the esbuild version, the build options and the content of every file the
 * build read (esbuild's metafile lists them: the handlers, the shared code, the bundled packages).
 * `<cache>/<options key>.json` records those files with their hashes and names the entry folder;
 * `<cache>/<content key>/<handler>/index.js` holds the bundles. A lookup hashes the recorded files
 * again and reuses the folder only when every one is unchanged.
 *
 * Several synths may run at once (test workers, CI jobs): a build writes into a temporary folder
 * that is renamed into place whole, and the record is replaced by a rename, so no reader ever sees
 * a half-written entry. Entry folders are never changed after the rename, and an entry folder that
 * the record no longer names is removed only once it is an hour old (no synth runs that long).
 *
 * Every entry sits at the same depth below the project as any other, so the relative paths in the
 * source maps, and therefore the bundle bytes, are the same whether a bundle is fresh or reused.
 *
 * Synth places the bundles in the stack folders as hard links to the entry's files where it can
 * (bundle-asset.ts), so an entry must never change through one of them: its files are read-only, and
 * the record holds the hash of every file it wrote, checked before each reuse. An entry that no longer
 * matches (a file edited in a stack folder despite that) is removed and built again.
 */

/** How long an entry the record no longer names is kept for synths that may still be copying it. */
const STALE_ENTRY_MS = 60 * 60 * 1000;

export interface BundleRequest {
  /** The folder esbuild resolves from; inputs are recorded relative to it. */
  readonly projectRoot: string;
  /** The cache folder, one level below `projectRoot/.build/` (the depth the source maps assume). */
  readonly cacheDir: string;
  /** esbuild options except entry points and output folder. */
  readonly options: BuildOptions;
  /** Output name (e.g. `stream-processor/index`) to entry file, relative to `projectRoot`. */
  readonly entryPoints: Readonly<Record<string, string>>;
}

export interface CachedBundles {
  /** The entry folder: `<dir>/<output name>.js`. */
  readonly dir: string;
  /** Whether the bundles were reused (true) or built by this call (false). */
  readonly reused: boolean;
  /** SHA-256 of every file of the entry, by path relative to `dir` (`/`-separated). */
  readonly outputs: Readonly<Record<string, string>>;
}

interface CacheRecord {
  readonly entry: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** Returns bundles of `request.entryPoints`, reused from the cache when no input changed. */
export function cachedBundles(request: BundleRequest): CachedBundles {
  const optionsKey = sha256(JSON.stringify({ esbuild: ESBUILD_VERSION, options: request.options, entryPoints: request.entryPoints })).slice(0, 32);
  const recordPath = path.join(request.cacheDir, `${optionsKey}.json`);
  const record = readRecord(recordPath);
  if (record && unchanged(request.projectRoot, record.inputs)) {
    const dir = path.join(request.cacheDir, record.entry);
    if (existsSync(dir)) {
      if (sameTree(hashTree(dir), record.outputs)) return { dir, reused: true, outputs: record.outputs };
      // Changed after it was written (through a hard link in a stack folder): not to be used, nor kept
      // for the build below, which would otherwise find the folder taken and keep it.
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { ...build(request, optionsKey, recordPath), reused: false };
}

/** SHA-256 of every file below `dir`, by `/`-separated relative path, in sorted order. */
function hashTree(dir: string, prefix = "", into: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) hashTree(path.join(dir, entry.name), relative, into);
    else into[relative] = sha256(readFileSync(path.join(dir, entry.name)));
  }
  return into;
}

function sameTree(now: Readonly<Record<string, string>>, recorded: Readonly<Record<string, string>> | undefined): boolean {
  if (!recorded) return false;
  const files = Object.keys(now);
  return files.length === Object.keys(recorded).length && files.every((file) => recorded[file] === now[file]);
}

/** Makes every file below `dir` read-only (the folders stay writable, so the entry can be removed). */
function makeReadOnly(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadOnly(full);
    else chmodSync(full, 0o444);
  }
}

function readRecord(file: string): CacheRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as CacheRecord;
  } catch {
    return undefined;
  }
}

function hashInputs(root: string, files: readonly string[]): Record<string, string> | undefined {
  const hashes: Record<string, string> = {};
  for (const file of [...files].sort()) {
    try {
      hashes[file] = sha256(readFileSync(path.join(root, file)));
    } catch {
      return undefined;
    }
  }
  return hashes;
}

function unchanged(root: string, inputs: Readonly<Record<string, string>>): boolean {
  const now = hashInputs(root, Object.keys(inputs));
  return now !== undefined && Object.entries(inputs).every(([file, hash]) => now[file] === hash);
}

function build(request: BundleRequest, optionsKey: string, recordPath: string): { dir: string; outputs: Record<string, string> } {
  mkdirSync(request.cacheDir, { recursive: true });
  const temporary = mkdtempSync(path.join(request.cacheDir, "building-"));
  try {
    const result = buildSync({
      ...request.options,
      absWorkingDir: request.projectRoot,
      entryPoints: Object.entries(request.entryPoints).map(([out, entry]) => ({ in: entry, out })),
      outdir: temporary,
      metafile: true,
    });
    const inputs = hashInputs(request.projectRoot, Object.keys(result.metafile.inputs));
    if (!inputs) throw new Error("A Lambda bundle's input file disappeared while it was being bundled; synthesize again.");
    makeReadOnly(temporary);
    const outputs = hashTree(temporary);
    const entry = sha256(optionsKey + JSON.stringify(inputs)).slice(0, 32);
    const dir = path.join(request.cacheDir, entry);
    try {
      renameSync(temporary, dir);
    } catch (error) {
      // Another synth built the same inputs first: its entry has the same bytes, keep it.
      if (!existsSync(dir)) throw error;
    }
    const recordTemporary = `${recordPath}.${process.pid}`;
    writeFileSync(recordTemporary, `${JSON.stringify({ entry, inputs, outputs } satisfies CacheRecord, null, 2)}\n`);
    renameSync(recordTemporary, recordPath);
    removeStaleEntries(request.cacheDir, entry);
    return { dir, outputs };
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/** Removes entry folders no record names any more, once no synth can still be reading them. */
function removeStaleEntries(cacheDir: string, current: string): void {
  const named = new Set<string>([current]);
  for (const file of readdirSync(cacheDir)) {
    if (file.endsWith(".json")) {
      const record = readRecord(path.join(cacheDir, file));
      if (record) named.add(record.entry);
    }
  }
  for (const entry of readdirSync(cacheDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || named.has(entry.name)) continue;
    const full = path.join(cacheDir, entry.name);
    if (Date.now() - statSync(full).mtimeMs > STALE_ENTRY_MS) rmSync(full, { recursive: true, force: true });
  }
}
