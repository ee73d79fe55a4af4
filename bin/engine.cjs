#!/usr/bin/env node
"use strict";
// The engine's command line (engine/cli.ts), run from a compiled bundle: see compiled-entry.cjs.
//   node bin/engine.cjs migrate|data-sync ...   (what `npm run migrate` / `npm run data-sync` run)
// It is also the package's `replica-engine` bin (package.json "bin"), so a project that depends on
// the package runs `npx replica-engine migrate ...`. Relative paths in the arguments are resolved
// by the CLI against the folder it was started from (npm's INIT_CWD under `npm run`).
const path = require("node:path");
const { compiledEntry } = require("./compiled-entry.cjs");

const root = path.resolve(__dirname, "..");

function bundle() {
  try {
    return compiledEntry(root, "engine/cli.ts", ".build/engine-cli");
  } catch (error) {
    // The message lists every esbuild error with its file and position (esbuild itself prints nothing).
    console.error(`error: cannot build engine/cli.ts: ${String(error.message)}`);
    process.exit(1);
  }
}

const first = bundle();
try {
  require(first);
} catch (error) {
  // Another run rebuilt after a source change and removed this bundle between finding and loading
  // it: find the current one. Any other error is the CLI's own.
  if (error.code !== "MODULE_NOT_FOUND" || !String(error.message).includes(first)) throw error;
  require(bundle());
}
