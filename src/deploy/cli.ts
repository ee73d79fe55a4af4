import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ManifestError, readManifest } from "./manifest";
import { describeSelection, markdownSummary, outcomeMessage, resultTable } from "./report";
import { runStacks, type RunCommand } from "./runner";
import { planOrder, selectStacks, SelectionError } from "./selection";
import { findTerraform, TerraformNotFoundError } from "./terraform";

const USAGE = `usage:
  npm run deploy -- <target>... [--auto-approve] [--no-synth]
  npm run plan   -- <target>... [--no-synth] [--keep-going] [--out <dir>]

Synthesizes (unless --no-synth), reads cdktf.out/manifest.json, prints the stacks in dependency order
and the dependencies outside the selection it assumes are applied, then runs in each stack folder
  terraform init -input=false
  terraform apply                       (deploy; -input=false -auto-approve with --auto-approve)
  terraform plan -input=false -out=<dir>/<stack>.tfplan                          (plan)

targets (any number, combined):
  all            every environment stack (<env>-<region>); not the bootstrap stacks
  bootstrap      state-bootstrap and every bootstrap-<env> stack (applied once by administrators)
  <env>          an environment's stacks, e.g. dev
  <stack>        one stack, e.g. dev-us-east-1

options:
  --auto-approve   deploy: apply without asking (needed when not run from a terminal)
  --no-synth       use the existing cdktf.out instead of running \`cdktf synth\` first
  --keep-going     plan: plan every stack even after a failure; the table at the end shows each result
  --out <dir>      plan: folder for the plan files and summary.md (default cdktf.out/plans)
  --output <dir>   synth output folder (default cdktf.out)
  -h, --help       this text

deploy stops at the first failure; so does plan without --keep-going. The exit status is 0 when every
stack succeeded, 1 when one failed, 2 for a usage error, 130 / 143 after Ctrl-C / SIGTERM (passed to
terraform, and no further stack runs). Terraform is TERRAFORM_BINARY or terraform on PATH (1.11+).`;

const ROOT = resolve(__dirname, "..", "..");

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "deploy" && command !== "plan") {
    console.error(`expected deploy or plan, got ${command === undefined ? "nothing" : `"${command}"`}\n\n${USAGE}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        "auto-approve": { type: "boolean" },
        "no-synth": { type: "boolean" },
        "keep-going": { type: "boolean" },
        out: { type: "string" },
        output: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const misplaced = command === "deploy" ? ["keep-going", "out"] : ["auto-approve"];
  for (const option of misplaced) {
    if (values[option as keyof typeof values] !== undefined) {
      console.error(`--${option} is not an option of ${command}\n\n${USAGE}`);
      return 2;
    }
  }
  if (command === "deploy" && !values["auto-approve"] && !process.stdin.isTTY) {
    console.error("deploy: not run from a terminal, so terraform could not ask for approval: pass --auto-approve to apply without asking");
    return 2;
  }
  const outputDir = resolve(values.output ?? "cdktf.out");
  try {
    // Fail on a missing Terraform before spending a synth on it.
    const terraform = findTerraform();
    if (!values["no-synth"] && !synthesize(outputDir)) return 1;
    const stacks = readManifest(outputDir);
    const selection = planOrder(stacks, selectStacks(stacks, positionals));
    console.log(`Terraform ${terraform.version} (${terraform.path})`);
    console.log(describeSelection(command, selection));
    const planDir = command === "plan" ? resolve(values.out ?? join(outputDir, "plans")) : undefined;
    const report = await runStacks({
      command: command as RunCommand,
      order: selection.order,
      outputDir,
      terraform: terraform.path,
      autoApprove: values["auto-approve"],
      keepGoing: values["keep-going"],
      planDir,
    });
    console.log(`\n${resultTable(report)}\n\n${outcomeMessage(command, report)}`);
    if (planDir) writeFileSync(join(planDir, "summary.md"), markdownSummary(command, report));
    if (report.signal) return report.signal === "SIGINT" ? 130 : 143;
    return report.results.every((r) => r.status === "succeeded") ? 0 : 1;
  } catch (error) {
    if (error instanceof SelectionError || error instanceof ManifestError || error instanceof TerraformNotFoundError) {
      console.error(`${command}: ${error.message}`);
      return error instanceof SelectionError ? 2 : 1;
    }
    throw error;
  }
}

/** Runs the project's `cdktf synth` into outputDir; false (after cdktf has printed why) when it fails. */
function synthesize(outputDir: string): boolean {
  console.log(`Synthesizing into ${outputDir} (cdktf synth; --no-synth skips this)`);
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", outputDir], { cwd: ROOT, stdio: "inherit" });
  if (result.status === 0) return true;
  console.error(`synth failed (${result.error ? result.error.message : `exit ${result.status}`}): nothing was run`);
  return false;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
