#!/usr/bin/env node
"use strict";
// The cdktf app (main.ts), run from a compiled bundle: cdktf.json's `app`. Starting Node with the
// tsx loader costs a transpile of every source on each synth (about 0.7 s of a 4 s synth, measured
// with --cpu-prof); the bundle is rebuilt only when a source is newer (see compiled-entry.cjs).
// The bundle sits two folders below the project, as src/<area>/*.ts do, so code that finds the
// project from its own folder (src/lambda-packaging/bundle.ts) finds the same one from the bundle.
const path = require("node:path");
const { compiledEntry } = require("./compiled-entry.cjs");

const root = path.resolve(__dirname, "..");

function bundle() {
  try {
    return compiledEntry(root, "main.ts", ".build/synth-app");
  } catch (error) {
    // The message lists every esbuild error with its file and position (esbuild itself prints nothing).
    console.error(`error: cannot build main.ts: ${String(error.message)}`);
    process.exit(1);
  }
}

const first = bundle();
try {
  require(first);
} catch (error) {
  // Another synth rebuilt after a source change and removed this bundle between finding and loading
  // it: load the current one. Any other error is the app's own.
  if (error.code !== "MODULE_NOT_FOUND" || !String(error.message).includes(first)) throw error;
  require(bundle());
}
