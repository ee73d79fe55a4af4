import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { exampleRaw } from "../helpers/config";

const root = path.resolve(__dirname, "..", "..");
/** cdktf.json's `app` (a compiled launcher of main.ts), as argv without the leading `node`. */
const appArgs: string[] = JSON.parse(readFileSync(path.join(root, "cdktf.json"), "utf8")).app.split(" ").slice(1);

/** Runs the cdktf app the way `cdktf synth` does, with the given configuration file. */
function synth(raw: unknown) {
  const dir = mkdtempSync(path.join(tmpdir(), "platform-cli-"));
  const configFile = path.join(dir, "platform.json");
  writeFileSync(configFile, JSON.stringify(raw));
  return spawnSync(process.execPath, appArgs, {
    cwd: root,
    env: { ...process.env, PLATFORM_CONFIG: configFile, CDKTF_OUTDIR: path.join(dir, "out") },
    encoding: "utf8",
  });
}

test("an invalid configuration fails synth with every problem by path and no stack trace", () => {
  // GIVEN a configuration with three problems
  const raw = exampleRaw();
  raw.environments[0].accountId = "12345";
  raw.environments[1].databases[0].minCapacity = 8;
  raw.promotionOrder = ["dev", "staging", "prod", "dev"];
  // WHEN
  const result = synth(raw);
  // THEN
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split("\n")).toEqual([
    "Invalid platform configuration (3 problems):",
    '  - promotionOrder[3]: repeats "dev"; each environment appears once',
    '  - environments[0].accountId: must be 12 digits, not "12345"',
    "  - environments[1].databases[0].minCapacity: must not exceed maxCapacity (8 > 1)",
  ]);
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
