import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { exampleRaw } from "../helpers/config";
import { placeholderAccounts, placeholderProblems } from "../../src/deploy/placeholder-accounts";

const ROOT = resolve(__dirname, "..", "..");
const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** The built-in example with every account replaced by a made-up real-looking one. */
function realAccounts(): any {
  const raw = exampleRaw();
  raw.environments.forEach((e: any, i: number) => (e.accountId = `90000000000${i}`));
  raw.stateBackend.accountId = "900000000002";
  return raw;
}

test("the built-in example's placeholder accounts are refused, each by its config path", () => {
  expect(placeholderProblems(exampleRaw(), placeholderAccounts())).toEqual([
    "environments[0].accountId: 111111111111 is a placeholder account of the built-in example",
    "environments[1].accountId: 222222222222 is a placeholder account of the built-in example",
    "environments[2].accountId: 333333333333 is a placeholder account of the built-in example",
    "stateBackend.accountId: 333333333333 is a placeholder account of the built-in example",
  ]);
});

test("the accounts of the example files are placeholders too", () => {
  const placeholders = placeholderAccounts(join(ROOT, "examples"));
  expect(placeholders.get("444444444444")).toBe("examples/two-environments.json");
  expect(placeholderProblems(realAccounts(), placeholders)).toEqual([]);
});

describe("npm run ci-config", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "ci-config-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[], config?: unknown) => {
    const env = { ...process.env };
    delete env.PLATFORM_CONFIG;
    if (config !== undefined) {
      writeFileSync(join(dir, "platform.json"), JSON.stringify(config));
      env.PLATFORM_CONFIG = join(dir, "platform.json");
    }
    return spawnSync(process.execPath, ["--import", TSX, join(ROOT, "src", "deploy", "ci-config.ts"), ...args], { env, encoding: "utf8" });
  };

  test("primary-region prints the configured primary region and nothing else", () => {
    const raw = realAccounts();
    raw.primaryRegion = "eu-central-1";
    raw.environments.forEach((e: any) => (e.network.cidrs = { "eu-central-1": e.network.cidrs["us-east-1"], "eu-west-1": e.network.cidrs["eu-west-1"] }));
    const result = run(["primary-region"], raw);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("eu-central-1\n");
  });

  test("check-accounts fails on the built-in example with what to do, and passes real accounts", () => {
    const refused = run(["check-accounts"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("the built-in example (PLATFORM_CONFIG is not set) names accounts that do not exist");
    expect(refused.stderr).toContain("set the repository variable PLATFORM_CONFIG");
    expect(run(["check-accounts"], realAccounts()).status).toBe(0);
  });
});
