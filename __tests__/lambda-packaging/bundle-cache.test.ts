import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { cachedBundles, type BundleRequest } from "../../src/lambda-packaging/bundle-cache";
import { fileTree } from "../helpers/file-tree";

const PROJECT = path.resolve(__dirname, "../..");

/** A project of two files: a handler and the shared module it imports. */
function fixtureProject() {
  const root = mkdtempSync(path.join(tmpdir(), "bundle-cache-"));
  mkdirSync(path.join(root, "lambdas", "greeter"), { recursive: true });
  mkdirSync(path.join(root, "lambdas", "shared"), { recursive: true });
  writeFileSync(path.join(root, "lambdas", "greeter", "index.ts"), 'import { greeting } from "../shared/greeting";\nexport const handler = async () => greeting;\n');
  writeFileSync(path.join(root, "lambdas", "shared", "greeting.ts"), 'export const greeting = "hello";\n');
  const request: BundleRequest = {
    projectRoot: root,
    cacheDir: path.join(root, ".build", "bundle-cache"),
    options: { bundle: true, platform: "node", format: "cjs", sourcemap: true, sourceRoot: "", logLevel: "silent" },
    entryPoints: { "greeter/index": "lambdas/greeter/index.ts" },
  };
  return { root, request };
}

describe("Lambda bundle cache", () => {
  test("a second request with unchanged inputs reuses the first build's bundles", () => {
    // GIVEN bundles built once
    const { root, request } = fixtureProject();
    try {
      const first = cachedBundles(request);
      expect(first.reused).toBe(false);
      // WHEN they are requested again (as the next synth does)
      const second = cachedBundles(request);
      // THEN the same entry is returned without building
      expect(second).toEqual({ dir: first.dir, reused: true, outputs: first.outputs });
      expect(Object.keys(second.outputs).sort()).toEqual(["greeter/index.js", "greeter/index.js.map"]);
      expect(readFileSync(path.join(second.dir, "greeter", "index.js"), "utf8")).toContain('"hello"');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a change to a file the handler imports rebuilds, and the new bundle holds the change", () => {
    // GIVEN cached bundles
    const { root, request } = fixtureProject();
    try {
      const first = cachedBundles(request);
      // WHEN the shared module (not the entry file) changes
      writeFileSync(path.join(root, "lambdas", "shared", "greeting.ts"), 'export const greeting = "bonjour";\n');
      const second = cachedBundles(request);
      // THEN the bundle is rebuilt into a new entry with the new code, and the old entry is untouched
      expect(second.reused).toBe(false);
      expect(second.dir).not.toBe(first.dir);
      expect(readFileSync(path.join(second.dir, "greeter", "index.js"), "utf8")).toContain('"bonjour"');
      expect(readFileSync(path.join(first.dir, "greeter", "index.js"), "utf8")).toContain('"hello"');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("other build options are another entry: changed options never reuse old bundles", () => {
    const { root, request } = fixtureProject();
    try {
      cachedBundles(request);
      const minified = cachedBundles({ ...request, options: { ...request.options, minify: true } });
      expect(minified.reused).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("an entry's files are read-only, and one changed anyway is never reused: the bundles are built again", () => {
    // GIVEN cached bundles, whose files synth places in stack folders as hard links
    const { root, request } = fixtureProject();
    try {
      const first = cachedBundles(request);
      const bundle = path.join(first.dir, "greeter", "index.js");
      const original = readFileSync(bundle, "utf8");
      expect(statSync(bundle).mode & 0o222).toBe(0);
      // WHEN one is changed in place all the same (made writable first, as root need not even do)
      chmodSync(bundle, 0o644);
      writeFileSync(bundle, `${original}\nconsole.log("edited in a stack folder");\n`);
      const second = cachedBundles(request);
      // THEN the next synth builds again instead of deploying the edit, with the original bytes
      expect(second.reused).toBe(false);
      expect(readFileSync(path.join(second.dir, "greeter", "index.js"), "utf8")).toBe(original);
      expect(second.outputs).toEqual(first.outputs);
      expect(cachedBundles(request).reused).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a build leaves only the entry and its record in the cache folder (no temporary folder)", () => {
    const { root, request } = fixtureProject();
    try {
      const { dir } = cachedBundles(request);
      const files = readdirSync(request.cacheDir);
      expect(files).toHaveLength(2);
      expect(files).toEqual(expect.arrayContaining([path.basename(dir), expect.stringMatching(/^[0-9a-f]{32}\.json$/)]));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test("a synth from cached bundles writes byte-identical stack folders to a synth that built them", () => {
  // GIVEN an empty cache folder of this test's own, at the depth of the shared one (.build/<folder>)
  const cache = mkdtempSync(path.join(PROJECT, ".build", "lambdas-"));
  const scratch = mkdtempSync(path.join(tmpdir(), "bundle-cache-synth-"));
  const synth = (out: string) => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
      cwd: PROJECT,
      encoding: "utf8",
      env: { ...process.env, CDKTF_OUTDIR: path.join(scratch, out), PLATFORM_BUNDLE_CACHE: cache },
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    return fileTree(path.join(scratch, out));
  };
  const record = () => {
    const [file] = readdirSync(cache).filter((name) => name.endsWith(".json"));
    return statSync(path.join(cache, file!)).ino;
  };
  try {
    // WHEN the platform is synthesized twice, the first run building the bundles, the second reusing them
    const fresh = synth("fresh");
    const builtRecord = record();
    const cached = synth("cached");
    // THEN the second run did not build (a build replaces the record) and wrote the same bytes
    expect(record()).toBe(builtRecord);
    expect(Object.keys(cached).filter((file) => file.endsWith("index.js")).length).toBeGreaterThan(5);
    expect(cached).toEqual(fresh);
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}, 180_000);
