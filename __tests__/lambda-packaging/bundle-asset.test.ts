import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { App, TerraformStack } from "cdktf";
import { bundledHandler, handlerNames } from "../../src/lambda-packaging/bundle";
import { BundleAsset } from "../../src/lambda-packaging/bundle-asset";

const PROJECT = path.resolve(__dirname, "../..");
/** The module object itself (an `import * as` copy would not see the spy). */
const nodeFs: typeof import("node:fs") = require("node:fs");

/** A folder of two files, as a bundle cache entry's handler folder holds. */
function bundleIn(parent: string): string {
  const dir = mkdtempSync(path.join(parent, "bundle-asset-source-"));
  writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 1;\n//# sourceMappingURL=index.js.map\n");
  writeFileSync(path.join(dir, "index.js.map"), '{"version":3,"sources":[],"mappings":""}\n');
  return dir;
}

/** Synthesizes one stack holding one asset of `sourceDir` into `outdir`; returns the asset's folder. */
function synthAsset(outdir: string, sourceDir: string, hash: string): string {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "functions");
  const asset = new BundleAsset(stack, "bundle", { sourceDir, hash });
  app.synth();
  expect(asset.path).toBe(`assets/bundle/${hash}`);
  return path.join(outdir, "stacks", "functions", asset.path);
}

describe("a bundle placed in the stack folder", () => {
  const scratch = path.join(PROJECT, ".build");
  let work: string;
  beforeEach(() => {
    mkdirSync(scratch, { recursive: true });
    work = mkdtempSync(path.join(scratch, "bundle-asset-"));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test("on the bundle's own file system, each file is the bundle's file itself (a hard link), not a copy", () => {
    const source = bundleIn(work);
    const placed = synthAsset(path.join(work, "out"), source, "A".repeat(32));
    expect(readdirSync(placed).sort()).toEqual(["index.js", "index.js.map"]);
    for (const file of ["index.js", "index.js.map"]) {
      expect(statSync(path.join(placed, file)).ino).toBe(statSync(path.join(source, file)).ino);
      expect(readFileSync(path.join(placed, file))).toEqual(readFileSync(path.join(source, file)));
    }
  });

  test.each(["EXDEV", "EPERM"])("where the file system refuses the link (%s: another device, or no links), the files are copied with the same bytes", (code) => {
    const source = bundleIn(work);
    const link = jest.spyOn(nodeFs, "linkSync").mockImplementation(() => {
      throw Object.assign(new Error(`${code}: cross-device link not permitted`), { code });
    });
    try {
      const placed = synthAsset(path.join(work, "out"), source, "B".repeat(32));
      expect(link).toHaveBeenCalled();
      for (const file of ["index.js", "index.js.map"]) {
        expect(statSync(path.join(placed, file)).ino).not.toBe(statSync(path.join(source, file)).ino);
        expect(readFileSync(path.join(placed, file))).toEqual(readFileSync(path.join(source, file)));
      }
    } finally {
      link.mockRestore();
    }
  });

  test("any other failure to place a file fails synth instead of leaving the folder short", () => {
    const link = jest.spyOn(nodeFs, "linkSync").mockImplementation(() => {
      throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    });
    try {
      expect(() => synthAsset(path.join(work, "out"), bundleIn(work), "E".repeat(32))).toThrow(/ENOSPC/);
    } finally {
      link.mockRestore();
    }
  });

  test("a later synth into the same folder with changed code leaves only the new version", () => {
    const outdir = path.join(work, "out");
    const first = synthAsset(outdir, bundleIn(work), "C".repeat(32));
    const second = synthAsset(outdir, bundleIn(work), "D".repeat(32));
    expect(existsSync(first)).toBe(false);
    expect(readdirSync(path.dirname(second))).toEqual(["D".repeat(32)]);
  });
});

describe("the hash that names a handler's asset folder", () => {
  test("comes from the bundle's content: each handler's differs, and the same bundle always gets the same one", () => {
    const hashes = handlerNames().map((name) => bundledHandler(name).hash);
    for (const hash of hashes) expect(hash).toMatch(/^[A-F0-9]{32}$/);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(handlerNames().map((name) => bundledHandler(name).hash)).toEqual(hashes);
  });
});
