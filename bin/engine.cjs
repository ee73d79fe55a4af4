#!/usr/bin/env node
"use strict";
// The engine's command line (engine/cli.ts), run from a compiled bundle: see compiled-entry.cjs.
//   node bin/engine.cjs migrate|data-sync ...   (what `npm run migrate` / `npm run data-sync` run)
const path = require("node:path");
const { compiledEntry } = require("./compiled-entry.cjs");

let bundle;
try {
  bundle = compiledEntry(path.resolve(__dirname, ".."), "engine/cli.ts", ".build/engine-cli");
} catch (error) {
  // esbuild has already printed where the sources are wrong.
  console.error(`error: cannot build engine/cli.ts: ${String(error.message).split("\n")[0]}`);
  process.exit(1);
}
require(bundle);
