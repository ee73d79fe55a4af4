import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const root = path.join(__dirname, "../..");

/** Whether source maps are on after main.ts's first import, in a process started the way cdktf.json starts the app. */
function sourceMapsAfterFirstImport(env: Record<string, string>): string {
  const run = spawnSync(process.execPath, ["--import", "tsx", "-e", 'require("./src/synth/source-maps"); console.log(process.sourceMapsEnabled)'], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return run.stdout.trim();
}

test("synth runs without source maps, which tsx turns on (each token's stack trace would be mapped)", () => {
  expect(sourceMapsAfterFirstImport({ PLATFORM_SOURCE_MAPS: "" })).toBe("false");
});

test("PLATFORM_SOURCE_MAPS=1 keeps them for debugging a crash", () => {
  expect(sourceMapsAfterFirstImport({ PLATFORM_SOURCE_MAPS: "1" })).toBe("true");
});

test("main.ts imports it before anything that creates tokens", () => {
  const firstImport = readFileSync(path.join(root, "main.ts"), "utf8").split("\n").find((line) => line.startsWith("import "));
  expect(firstImport).toBe('import "./src/synth/source-maps";');
});
