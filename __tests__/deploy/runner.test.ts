import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

// The deploy / plan command line run as a user runs it, against a fake terraform placed first on PATH.
const ROOT = resolve(__dirname, "..", "..");
const CLI = join(ROOT, "src", "deploy", "cli.ts");
const TSX = pathToFileURL(join(ROOT, "node_modules", "tsx", "dist", "loader.mjs")).href;
const FAKE_DIR = join(__dirname, "fake-terraform");

/** The built-in example's dependencies: next environment first, DR region first. */
const MANIFEST: Record<string, string[]> = {
  "dev-eu-west-1": ["staging-eu-west-1"],
  "dev-us-east-1": ["dev-eu-west-1", "staging-us-east-1"],
  "prod-eu-west-1": [],
  "prod-us-east-1": ["prod-eu-west-1"],
  "staging-eu-west-1": ["prod-eu-west-1"],
  "staging-us-east-1": ["staging-eu-west-1", "prod-us-east-1"],
  "state-bootstrap": [],
};
const ALL_ORDER = ["prod-eu-west-1", "prod-us-east-1", "staging-eu-west-1", "dev-eu-west-1", "staging-us-east-1", "dev-us-east-1"];

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "deploy-runner-"));
  const stacks: Record<string, unknown> = {};
  for (const [name, dependencies] of Object.entries(MANIFEST)) {
    mkdirSync(join(work, "cdktf.out", "stacks", name), { recursive: true });
    stacks[name] = { name, dependencies, workingDirectory: `stacks/${name}`, synthesizedStackPath: `stacks/${name}/cdk.tf.json` };
  }
  writeFileSync(join(work, "cdktf.out", "manifest.json"), JSON.stringify({ stacks, version: "0.21.0" }));
});
// A test that fails half-way must not leave its command (and the fake terraform it waits on) running.
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const { pid } of calls().filter((c) => c.waiting)) {
    try {
      process.kill(pid!, "SIGKILL");
    } catch {
      // Already gone: it stopped on the signal the test sent.
    }
  }
  rmSync(work, { recursive: true, force: true });
});

function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${FAKE_DIR}${delimiter}${process.env.PATH}`, FAKE_TERRAFORM_LOG: join(work, "calls.jsonl") };
  delete env.TERRAFORM_BINARY;
  return { ...env, ...extra };
}

function run(args: string[], extra: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["--import", TSX, CLI, ...args, "--no-synth"], { cwd: work, env: environment(extra), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Call {
  args: string[];
  cwd: string;
  signal?: string;
  waiting?: string;
  pid?: number;
}
function calls(): Call[] {
  const file = join(work, "calls.jsonl");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line) as Call) : [];
}
/** Each terraform call as `<stack folder> <subcommand>`. */
const steps = () => calls().filter((c) => c.args).map((c) => `${c.cwd.split(/[\\/]/).pop()} ${c.args[0]}`);

test("plan all runs init then plan in every environment stack folder, dependencies first", () => {
  const { status, stdout } = run(["plan", "all", "--out", "plans"]);
  expect(status).toBe(0);
  expect(steps()).toEqual(ALL_ORDER.flatMap((s) => [`${s} init`, `${s} plan`]));
  const planCall = calls().find((c) => c.args[0] === "plan")!;
  expect(planCall.args).toEqual(["plan", "-input=false", `-out=${join(work, "plans", "prod-eu-west-1.tfplan")}`]);
  expect(calls()[0].args).toEqual(["init", "-input=false"]);
  expect(calls()[0].cwd).toBe(join(work, "cdktf.out", "stacks", "prod-eu-west-1"));
  // The order and the assumptions are printed before anything runs.
  expect(stdout.indexOf("Will plan 6 stacks, in this order:\n  1. prod-eu-west-1\n  2. prod-us-east-1")).toBeGreaterThanOrEqual(0);
  expect(stdout.indexOf("Will plan")).toBeLessThan(stdout.indexOf("==> [1/6]"));
  expect(readFileSync(join(work, "plans", "summary.md"), "utf8")).toContain("### terraform plan: 6 of 6 stacks ok");
});

test("deploy of one environment names the next environment's stacks it assumes applied", () => {
  const { status, stdout } = run(["deploy", "dev", "--auto-approve"]);
  expect(status).toBe(0);
  expect(stdout).toContain("Assumed already applied (dependencies outside the selection):\n  staging-eu-west-1  (needed by dev-eu-west-1)\n  staging-us-east-1  (needed by dev-us-east-1)");
  expect(steps()).toEqual(["dev-eu-west-1 init", "dev-eu-west-1 apply", "dev-us-east-1 init", "dev-us-east-1 apply"]);
  expect(calls()[1].args).toEqual(["apply", "-input=false", "-auto-approve"]);
});

test("deploy stops at the first failure, naming the stack and the command, and lists what did not run", () => {
  const { status, stdout } = run(["deploy", "all", "--auto-approve"], { FAKE_TERRAFORM_FAIL: "staging-eu-west-1:apply" });
  expect(status).toBe(1);
  expect(steps()).toEqual(["prod-eu-west-1 init", "prod-eu-west-1 apply", "prod-us-east-1 init", "prod-us-east-1 apply", "staging-eu-west-1 init", "staging-eu-west-1 apply"]);
  expect(stdout).toContain("deploy: stack staging-eu-west-1 failed: `terraform apply -input=false -auto-approve` (exit 1)");
  expect(stdout).toContain("not run: dev-eu-west-1, staging-us-east-1, dev-us-east-1");
});

test("plan stops at the first failure without --keep-going", () => {
  const { status, stdout } = run(["plan", "all"], { FAKE_TERRAFORM_FAIL: "prod-us-east-1:init" });
  expect(status).toBe(1);
  expect(steps()).toEqual(["prod-eu-west-1 init", "prod-eu-west-1 plan", "prod-us-east-1 init"]);
  expect(stdout).toContain("plan: stack prod-us-east-1 failed: `terraform init -input=false` (exit 1)");
});

test("plan --keep-going plans every stack and tables every result, exiting non-zero", () => {
  const { status, stdout } = run(["plan", "all", "--keep-going", "--out", "plans"], { FAKE_TERRAFORM_FAIL: "prod-us-east-1:plan,dev-eu-west-1:init" });
  expect(status).toBe(1);
  expect(steps().filter((s) => s.endsWith(" init"))).toEqual(ALL_ORDER.map((s) => `${s} init`));
  const table = stdout.slice(stdout.lastIndexOf("\nstack "));
  const row = (stack: string) => table.split("\n").find((line) => line.startsWith(`${stack} `)) ?? "";
  expect(row("prod-us-east-1")).toMatch(/FAILED\s+terraform plan -input=false -out=\S+prod-us-east-1\.tfplan \(exit 1\)/);
  expect(row("dev-eu-west-1")).toMatch(/FAILED\s+terraform init -input=false \(exit 1\)/);
  for (const ok of ["prod-eu-west-1", "staging-eu-west-1", "staging-us-east-1", "dev-us-east-1"]) expect(row(ok)).toMatch(new RegExp(`^${ok}\\s+ok\\s+[\\d.]+\\s+plans/${ok}\\.tfplan$`));
  const summary = readFileSync(join(work, "plans", "summary.md"), "utf8");
  expect(summary).toContain("### terraform plan: 4 of 6 stacks ok");
  expect(summary).toMatch(/\| dev-eu-west-1 \| FAILED \| terraform init -input=false \(exit 1\) \|/);
  // A failed stack leaves no plan file behind, not even one from an earlier run.
  expect(existsSync(join(work, "plans", "prod-us-east-1.tfplan"))).toBe(false);
});

test("a failed plan does not leave an earlier run's plan file to be uploaded", () => {
  expect(run(["plan", "prod-eu-west-1", "--out", "plans"]).status).toBe(0);
  expect(existsSync(join(work, "plans", "prod-eu-west-1.tfplan"))).toBe(true);
  expect(run(["plan", "prod-eu-west-1", "--out", "plans"], { FAKE_TERRAFORM_FAIL: "prod-eu-west-1:plan" }).status).toBe(1);
  expect(existsSync(join(work, "plans", "prod-eu-west-1.tfplan"))).toBe(false);
});

test("a Terraform older than 1.11 is refused before anything runs", () => {
  const { status, stderr } = run(["plan", "all"], { FAKE_TERRAFORM_VERSION: "1.10.5" });
  expect(status).toBe(1);
  expect(stderr).toContain("plan: terraform on PATH is Terraform 1.10.5; the stacks need 1.11.0 or later");
  expect(steps()).toEqual([]);
});

test("a missing TERRAFORM_BINARY is refused with what to do", () => {
  const { status, stderr } = run(["plan", "all"], { TERRAFORM_BINARY: join(work, "no-terraform-here") });
  expect(status).toBe(1);
  expect(stderr).toMatch(/TERRAFORM_BINARY \(\S+no-terraform-here\): not found\. Install Terraform 1\.11\.0 or later, or set TERRAFORM_BINARY/);
});

test("TERRAFORM_BINARY is used instead of terraform on PATH", () => {
  const env = { TERRAFORM_BINARY: join(FAKE_DIR, "terraform"), PATH: process.env.PATH ?? "" };
  const result = spawnSync(process.execPath, ["--import", TSX, CLI, "plan", "prod-eu-west-1", "--no-synth"], { cwd: work, env: { ...process.env, ...env, FAKE_TERRAFORM_LOG: join(work, "calls.jsonl") }, encoding: "utf8" });
  expect(result.status).toBe(0);
  expect(steps()).toEqual(["prod-eu-west-1 init", "prod-eu-west-1 plan"]);
});

test("deploy without --auto-approve and without a terminal is refused, since no one could approve", () => {
  const { status, stderr } = run(["deploy", "all"]);
  expect(status).toBe(2);
  expect(stderr).toContain("pass --auto-approve");
  expect(steps()).toEqual([]);
});

test("deploy from a terminal leaves the approval to terraform: apply without -auto-approve", () => {
  // `script` (util-linux) gives the command a pseudo-terminal, as a person at a shell has.
  const command = [process.execPath, "--import", TSX, CLI, "deploy", "prod-eu-west-1", "--no-synth"].map((a) => `'${a}'`).join(" ");
  const result = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: work, env: environment({}), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  expect(result.status).toBe(0);
  expect(calls().map((c) => c.args)).toEqual([["init", "-input=false"], ["apply"]]);
  expect(result.stdout).toContain("deploy: the stack is ok");
});

test("an unknown target is a usage error and runs nothing", () => {
  const { status, stderr } = run(["plan", "qa"]);
  expect(status).toBe(2);
  expect(stderr).toContain('plan: unknown target "qa": known are all, bootstrap, environments dev, prod, staging;');
  expect(steps()).toEqual([]);
});

test("SIGTERM is passed to the running terraform and no further stack runs", async () => {
  const child = spawn(process.execPath, ["--import", TSX, CLI, "plan", "all", "--no-synth"], { cwd: work, env: environment({ FAKE_TERRAFORM_HANG: "prod-us-east-1:plan" }), stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  for (let i = 0; i < 200 && !calls().some((c) => c.waiting); i++) await new Promise((r) => setTimeout(r, 50));
  expect(calls().some((c) => c.waiting === "prod-us-east-1:plan")).toBe(true);
  child.kill("SIGTERM");
  expect(await exited).toBe(143);
  expect(calls().filter((c) => c.signal)).toEqual([{ signal: "SIGTERM", call: "prod-us-east-1:plan" }]);
  expect(steps()).toEqual(["prod-eu-west-1 init", "prod-eu-west-1 plan", "prod-us-east-1 init", "prod-us-east-1 plan"]);
  expect(stdout).toContain("plan stopped by SIGTERM.");
  expect(stdout).toMatch(/prod-us-east-1\s+INTERRUPTED/);
  expect(stdout).toContain("not run: staging-eu-west-1, dev-eu-west-1, staging-us-east-1, dev-us-east-1");
});

test("SIGINT sent to the command alone reaches terraform once", async () => {
  const child = spawn(process.execPath, ["--import", TSX, CLI, "plan", "prod-eu-west-1", "--no-synth"], { cwd: work, env: environment({ FAKE_TERRAFORM_HANG: "prod-eu-west-1:init" }), stdio: "ignore" });
  started.push(child);
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  for (let i = 0; i < 200 && !calls().some((c) => c.waiting); i++) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGINT");
  expect(await exited).toBe(130);
  expect(calls().filter((c) => c.signal)).toEqual([{ signal: "SIGINT", call: "prod-eu-west-1:init" }]);
  expect(steps()).toEqual(["prod-eu-west-1 init"]);
});
