#!/usr/bin/env node
"use strict";
// The cdktf app (main.ts), run from a compiled bundle: cdktf.json's `app`. Starting Node with the
// tsx loader costs a transpile of every source on each synth (about 0.7 s of a 4 s synth, measured
// with --cpu-prof); the bundle is rebuilt only when a source is newer (see compiled-entry.cjs).
// The bundle sits two folders below the project, as src/<area>/*.ts do, so code that finds the
// project from its own folder (src/lambda-packaging/bundle.ts) finds the same one from the bundle.
// cdktf, constructs and the providers are bundled too: loading them as separate modules from
// node_modules (about 600 files, cdktf's own dependencies included) cost about 0.3 s of module
// resolution per synth. esbuild stays a package: it runs its own binary, found from its folder.
// cdktf writes every JSON file through json-stable-stringify; the bundle gives it the project's
// writer of the same text instead, about twice as fast (src/synth/stable-json.ts).
// cdktf.json starts Node with --v8-pool-size=0: V8 then gets one background thread fewer than the
// machine has cores, where Node's default is four whatever the machine. On 2 cores the four threads
// (compiling, marking, scavenging) took the main thread's core from it: a 12-environment synth took
// 1.71 to 2.02 s with them and 1.28 to 1.68 s with one (interleaved runs of the same build).
const path = require("node:path");
const { runCompiledEntry } = require("./compiled-entry.cjs");

runCompiledEntry(path.resolve(__dirname, ".."), "main.ts", ".build/synth-app", {
  bundlePackages: true,
  external: ["esbuild"],
  alias: { "json-stable-stringify": "./src/synth/stable-json.ts" },
});
