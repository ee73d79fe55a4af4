import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileTree } from "../helpers/file-tree";

const ROOT = path.resolve(__dirname, "../..");

test("cdktf.json's app (main.ts from a compiled bundle) writes the same stacks, byte for byte, as main.ts run from source", () => {
  // GIVEN the app command cdktf synth runs, and main.ts run with the TypeScript loader
  const app: string[] = JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app.split(" ");
  expect(app[0]).toBe("node");
  const scratch = mkdtempSync(path.join(tmpdir(), "synth-app-"));
  const synth = (args: string[], out: string) => {
    const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: path.join(scratch, out) } });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    return fileTree(path.join(scratch, out));
  };
  try {
    // WHEN both synthesize the built-in example
    const compiled = synth(app.slice(1), "compiled");
    const fromSource = synth(["--import", "tsx", "main.ts"], "source");
    // THEN the outputs are identical (the bundle finds the project, its handlers and the cache as main.ts does)
    expect(Object.keys(compiled).filter((file) => file.endsWith("cdk.tf.json")).length).toBeGreaterThan(5);
    expect(compiled).toEqual(fromSource);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 180_000);
