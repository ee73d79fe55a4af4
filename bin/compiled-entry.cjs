"use strict";
/**
 * Runs a TypeScript entry point as plain JavaScript: bundled once with esbuild and rebuilt only when
 * one of its source files is newer than the bundle. Starting Node with a TypeScript loader (tsx)
 * costs about 100 ms on every run; a command that runs once per deployment step, against a
 * database, should not pay that.
 *
 * Packages stay external (loaded from node_modules at run time), so the bundle holds only the
 * project's own code, unless `options.bundlePackages` is set: then they are bundled too, all but
 * `options.external` (packages that read their own files at run time, such as esbuild's binary).
 * `options.alias` puts a project file in the place of a package, for every import of it in the
 * bundle, node_modules included (esbuild's `alias`: the path is relative to `root`).
 * Each build gets a new file name and the manifest that names the current one
 * is replaced atomically, so two first runs at the same moment never read a half-written bundle.
 *
 * PLATFORM_COMPILED_SUFFIX=<word> moves `outDir` to `<outDir>-<word>`, at the same depth below the
 * project (bundled code finds the project from its own folder): the tests set it, so that the
 * commands they run build into folders the tests remove and a test run leaves nothing behind.
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * @param {string} root  project folder; `entry` and `outDir` are relative to it
 * @param {string} entry the TypeScript entry point, e.g. `engine/cli.ts`
 * @param {string} outDir where bundles and the manifest live, e.g. `.build/engine-cli`
 * @param {{ bundlePackages?: boolean, external?: string[], alias?: Record<string, string> }} [options]
 * @returns {string} absolute path of an up-to-date CommonJS bundle of `entry`
 */
function compiledEntry(root, entry, outDir, options = {}) {
  const out = path.resolve(root, withSuffix(outDir));
  const manifestPath = path.join(out, "manifest.json");
  const current = readManifest(manifestPath);
  const packaging = packagingOf(options);
  if (current && current.entry === entry && current.packaging === packaging && isFresh(root, current)) return path.join(out, current.bundle);
  return build(root, entry, out, manifestPath, current, options, packaging);
}

/** `outDir`, or `<outDir>-<PLATFORM_COMPILED_SUFFIX>` when that is set. */
function withSuffix(outDir) {
  const suffix = process.env.PLATFORM_COMPILED_SUFFIX;
  if (!suffix) return outDir;
  if (!/^[A-Za-z0-9_-]+$/.test(suffix)) throw new Error(`PLATFORM_COMPILED_SUFFIX must be letters, digits, - or _ (got "${suffix}")`);
  return `${outDir}-${suffix}`;
}

/** How packages are treated, as recorded in the manifest: a bundle built another way is rebuilt. */
function packagingOf(options) {
  const packages = options.bundlePackages ? `bundled except ${[...(options.external ?? [])].sort().join(",")}` : "external";
  const aliases = Object.entries(options.alias ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return aliases.length === 0 ? packages : `${packages}; ${aliases.map(([name, file]) => `${name} as ${file}`).join(", ")}`;
}

function readManifest(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

/** Fresh when every input still exists and none changed since the build started. */
function isFresh(root, manifest) {
  for (const input of manifest.inputs) {
    let stat;
    try {
      stat = fs.statSync(path.join(root, input));
    } catch {
      return false;
    }
    if (stat.mtimeMs > manifest.builtAt) return false;
  }
  return fs.existsSync(path.join(root, manifest.outDir, manifest.bundle));
}

function build(root, entry, out, manifestPath, previous, options, packaging) {
  // Loaded only here: a run with a fresh bundle never pays for loading esbuild.
  const esbuild = require("esbuild");
  // Taken before reading the sources, so an edit made during the build triggers the next one.
  const builtAt = Date.now();
  const bundle = `${path.basename(entry).replace(/\.[cm]?ts$/, "")}-${builtAt}-${process.pid}.cjs`;
  fs.mkdirSync(out, { recursive: true });
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: path.join(out, bundle),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    ...(options.bundlePackages ? { external: options.external ?? [] } : { packages: "external" }),
    ...(options.alias ? { alias: options.alias } : {}),
    metafile: true,
    // Silent: the thrown error carries every message with its file and position, and the caller
    // decides whether to print it (a test that expects the failure must not print a banner).
    logLevel: "silent",
  });
  const manifest = { entry, outDir: path.relative(root, out), bundle, builtAt, packaging, inputs: Object.keys(result.metafile.inputs).sort() };
  const temporary = `${manifestPath}.${process.pid}`;
  fs.writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(temporary, manifestPath);
  // A bundle is a single file that Node reads whole when it starts, so an older one can go even if
  // another process is running it.
  if (previous && previous.bundle !== bundle) fs.rmSync(path.join(out, previous.bundle), { force: true });
  return path.join(out, bundle);
}

/**
 * Builds `entry` when a source is newer (compiledEntry) and runs it. A build error exits with the
 * message esbuild gives (every error with its file and position; esbuild itself prints nothing).
 */
function runCompiledEntry(root, entry, outDir, options = {}) {
  const bundle = () => {
    try {
      return compiledEntry(root, entry, outDir, options);
    } catch (error) {
      console.error(`error: cannot build ${entry}: ${String(error.message)}`);
      process.exit(1);
    }
  };
  const first = bundle();
  try {
    require(first);
  } catch (error) {
    // Another run rebuilt after a source change and removed this bundle between finding and loading
    // it: load the current one. Any other error is the program's own.
    if (error.code !== "MODULE_NOT_FOUND" || !String(error.message).includes(first)) throw error;
    require(bundle());
  }
}

module.exports = { compiledEntry, runCompiledEntry };
