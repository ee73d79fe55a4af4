#!/usr/bin/env node
"use strict";
// The engine's command line (engine/cli.ts), run from a compiled bundle: see compiled-entry.cjs.
//   node bin/engine.cjs migrate|data-sync ...   (what `npm run migrate` / `npm run data-sync` run)
// It is also the package's `replica-engine` bin (package.json "bin"), so a project that depends on
// the package runs `npx replica-engine migrate ...`. Relative paths in the arguments are resolved
// by the CLI against the folder it was started from (npm's INIT_CWD under `npm run`).
const path = require("node:path");
const { runCompiledEntry } = require("./compiled-entry.cjs");

runCompiledEntry(path.resolve(__dirname, ".."), "engine/cli.ts", ".build/engine-cli");
