import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

function diagram(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/topology/cli.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run diagram", () => {
  test("an invalid configuration lists every problem by its path and exits 1, writing nothing", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "topology-cli-"));
    try {
      const file = path.join(dir, "platform.json");
      writeFileSync(file, JSON.stringify({ project: "X" }));
      const result = diagram(["--out", dir], { PLATFORM_CONFIG: file });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("project: must be 2 to 12 lowercase letters");
      expect(result.stderr).toContain("promotionOrder: is required");
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(spawnSync("ls", [dir], { encoding: "utf8" }).stdout.trim()).toBe("platform.json");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an unknown argument is a usage error (exit 2) that shows the usage", () => {
    const result = diagram(["--bogus"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown argument "--bogus"');
    expect(result.stderr).toContain("usage: npm run diagram");
  });
});
