import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { infracostConfig } from "../../src/deploy/infracost-config";

const ROOT = resolve(__dirname, "..", "..");

describe("the Infracost config file of the synthesized stacks", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "infracost-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("names one project per synthesized stack folder, by name, in order", () => {
    // GIVEN two stack folders and a folder that holds no stack
    for (const stack of ["prod-us-east-1", "dev-us-east-1", "not-a-stack"]) mkdirSync(join(dir, stack));
    for (const stack of ["prod-us-east-1", "dev-us-east-1"]) writeFileSync(join(dir, stack, "cdk.tf.json"), "{}");
    // WHEN the config is written THEN it lists the two stacks with paths relative to where it runs
    const base = relative(process.cwd(), dir).split("\\").join("/");
    expect(infracostConfig(dir)).toBe(
      ["version: 0.1", "projects:", `  - path: ${base}/dev-us-east-1`, "    name: dev-us-east-1", `  - path: ${base}/prod-us-east-1`, "    name: prod-us-east-1", ""].join("\n"),
    );
  });

  test("refuses to price nothing: no folder, or no stack in it, asks for a synth", () => {
    expect(() => infracostConfig(join(dir, "missing"))).toThrow(/does not exist: synthesize first \(npm run synth\)/);
    expect(() => infracostConfig(dir)).toThrow(/holds no synthesized stack: synthesize first/);
  });
});

describe("the workflow's cost job", () => {
  const workflow = readFileSync(join(ROOT, ".github", "workflows", "platform.yml"), "utf8");
  const job = workflow.slice(workflow.indexOf("\n  cost:\n"), workflow.indexOf("\n  plan:\n"));
  const steps = job.split("\n      - ").slice(1);

  test("reads the secret into an environment variable, since `if:` cannot test a secret", () => {
    expect(job).toContain("needs: synth");
    expect(job).toMatch(/\n {6}INFRACOST_API_KEY: \$\{\{ secrets\.INFRACOST_API_KEY \}\}\n/);
    expect(workflow).not.toMatch(/if:.*secrets\./);
  });

  test("without the key only a notice runs; with it every step runs", () => {
    const [notice, ...rest] = steps;
    expect(notice).toContain("if: env.INFRACOST_API_KEY == ''");
    expect(notice).toContain("::notice");
    expect(rest.length).toBeGreaterThan(3);
    for (const step of rest) expect(step).toContain("if: env.INFRACOST_API_KEY != ''");
  });

  test("installs a pinned Infracost and prices the config file ci-config writes of the synthesized stacks", () => {
    expect(job).toMatch(/uses: infracost\/actions\/setup@v\d+\n/);
    expect(job).toMatch(/\n {10}version: \d+\.\d+\.\d+\n/);
    expect(job).toContain("uses: actions/download-artifact@v4");
    expect(job).toContain("npm run -s ci-config -- infracost-config > infracost.yml");
    expect(job).toContain("infracost breakdown --config-file infracost.yml");
  });
});
