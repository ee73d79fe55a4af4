import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Testing } from "cdktf";
import { clearBundleCache, useTemporaryBundleCache } from "../src/lambda-packaging/bundle";

// Registers cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
Testing.setupJest();

// The AWS SDK warns that its releases after January 2027 need Node.js 22; the Lambdas run on
// nodejs22.x, and a test run on an older local Node.js has nothing to act on. Only that warning is
// dropped (by its name, which starts the message): every other process warning is still printed.
// (The SDK's switch, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, is lost by the tests that
// replace process.env, so the filter sits on emitWarning instead.)
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === "string" ? warning : warning.message;
  if (text.startsWith("NodeVersionSupportWarning:")) return;
  (emitWarning as (warning: string | Error, ...rest: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// Tests bundle the handlers into a cache folder of their own under .build/ (not the project's shared
// cache: a test run leaves nothing behind and never reuses what an earlier run left), removed when the
// process exits. Jest runs every test file in a sandbox whose `process` never sees that exit, and a
// worker runs many files, so each file removes the folder its own synths created.
useTemporaryBundleCache();
afterAll(() => clearBundleCache());

// Child processes a test starts (the cdktf.json app, npm scripts) inherit the environment, so they
// bundle into a folder of this file's own as well (at the shared cache's depth below the project,
// which keeps the bundles' source-map paths, and so the synthesized bytes, the same).
const buildRoot = path.join(__dirname, "..", ".build");
mkdirSync(buildRoot, { recursive: true });
const childCache = mkdtempSync(path.join(buildRoot, "lambdas-"));
process.env.PLATFORM_BUNDLE_CACHE = childCache;
afterAll(() => rmSync(childCache, { recursive: true, force: true }));

// The commands tests run from compiled bundles (bin/engine.cjs, bin/synth-app.cjs) build into
// `.build/<name>-<suffix>` folders of this file's own (bin/compiled-entry.cjs), removed with it.
const compiledSuffix = `test-${path.basename(childCache).slice("lambdas-".length)}`;
process.env.PLATFORM_COMPILED_SUFFIX = compiledSuffix;
afterAll(() => {
  for (const entry of readdirSync(buildRoot)) if (entry.endsWith(`-${compiledSuffix}`)) rmSync(path.join(buildRoot, entry), { recursive: true, force: true });
});
