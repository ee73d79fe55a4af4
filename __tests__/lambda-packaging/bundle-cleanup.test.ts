import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const PROJECT = path.resolve(__dirname, "../..");

test("a test file that synthesizes Lambdas leaves no bundle folder behind in .build/", () => {
  // GIVEN a test file that bundles the handlers, run by jest with this project's setup
  const scratch = mkdtempSync(path.join(tmpdir(), "bundle-cleanup-"));
  const record = path.join(scratch, "dir");
  const config = {
    rootDir: PROJECT,
    roots: ["<rootDir>/__tests__/lambda-packaging/fixtures"],
    testMatch: ["**/records-bundle-dir.fixture.ts"],
    transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
    setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  };
  try {
    // WHEN it has run
    const run = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), "--config", JSON.stringify(config), "--runInBand", "--silent"], {
      cwd: PROJECT,
      encoding: "utf8",
      env: { ...process.env, BUNDLE_DIR_RECORD: record },
    });
    expect(run.status).toBe(0);
    // THEN the folder its bundles were written to is gone
    const dir = readFileSync(record, "utf8");
    expect(path.relative(PROJECT, dir)).toMatch(/^\.build[\\/]lambdas-/);
    expect(existsSync(dir)).toBe(false);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 60_000);
