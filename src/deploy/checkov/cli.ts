import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { acceptedBy, AcceptedListError, readAcceptedList, type AcceptedFinding, type Finding } from "./accepted";
import { checkovVersion, scanStack } from "./scan";

const USAGE = `usage: npm run scan -- [<stack>...] [--accepted <file>] [--output <dir>]

Runs checkov (CHECKOV_BINARY, or checkov on PATH; install the pinned version with
\`pip install -r policy/requirements.txt\`) on each synthesized stack folder (all of them by default):
  checkov -d cdktf.out/stacks/<stack> --framework terraform_json
and fails on every finding that the accepted list (default policy/checkov-accepted.json) does not
accept with a reason. Run \`npm run synth\` first.`;

const ROOT = resolve(__dirname, "..", "..", "..");

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { accepted: { type: "string" }, output: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const acceptedFile = values.accepted ?? join(ROOT, "policy", "checkov-accepted.json");
  let accepted: AcceptedFinding[];
  try {
    accepted = readAcceptedList(acceptedFile);
  } catch (error) {
    if (!(error instanceof AcceptedListError)) throw error;
    console.error(error.message);
    return 1;
  }
  const stacksDir = join(resolve(values.output ?? "cdktf.out"), "stacks");
  if (!existsSync(stacksDir)) {
    console.error(`scan: ${stacksDir} does not exist: run \`npm run synth\` first`);
    return 1;
  }
  const known = readdirSync(stacksDir).filter((n) => existsSync(join(stacksDir, n, "cdk.tf.json"))).sort();
  const unknown = positionals.filter((p) => !known.includes(basename(p)));
  if (unknown.length > 0) {
    console.error(`scan: no synthesized stack ${unknown.join(", ")} in ${stacksDir} (known: ${known.join(", ")})`);
    return 2;
  }
  const stacks = positionals.length > 0 ? positionals.map((p) => basename(p)) : known;

  const checkov = process.env.CHECKOV_BINARY || "checkov";
  const version = checkovVersion(checkov);
  const pinned = pinnedVersion();
  console.log(`checkov ${version ?? "(not found)"}${pinned && version && version !== pinned ? ` — policy/requirements.txt pins ${pinned}: findings may differ from CI's` : ""}`);

  let failed = false;
  const used = new Set<AcceptedFinding>();
  const open: Finding[] = [];
  for (const stack of stacks) {
    const scan = scanStack(checkov, join(stacksDir, stack), stack);
    for (const note of scan.notes) console.log(`${stack}: ${note}`);
    if (scan.error) {
      console.error(`${stack}: SCAN FAILED: ${scan.error}`);
      failed = true;
      continue;
    }
    const notAccepted = scan.findings.filter((f) => {
      const entry = acceptedBy(f, accepted);
      if (entry) used.add(entry);
      return !entry;
    });
    console.log(`${stack}: ${scan.passed} passed, ${scan.findings.length} failed, of which ${scan.findings.length - notAccepted.length} accepted and ${notAccepted.length} not accepted`);
    open.push(...notAccepted);
  }
  if (open.length > 0) {
    console.error(`\n${open.length} finding${open.length === 1 ? "" : "s"} not accepted (fix the resource, or add an entry with its reason to ${relative(process.cwd(), acceptedFile)}):`);
    for (const f of open) console.error(`  ${f.check}  ${f.stack}  ${f.resource}  ${f.name}`);
  }
  // An entry for a resource only some configurations build is unused whenever the scanned one does not.
  const unused = accepted.filter((a) => !used.has(a) && a.when === undefined);
  const notBuilt = accepted.filter((a) => !used.has(a) && a.when !== undefined);
  if (stacks.length === known.length && !failed) {
    if (unused.length > 0) {
      console.log(`\nAccepted but not found in any stack (remove them if the platform changed):`);
      for (const a of unused) console.log(`  ${a.at}: ${a.check} ${a.resource} in ${a.stack}`);
    }
    if (notBuilt.length > 0) {
      console.log(`\nAccepted for resources this configuration does not build:`);
      for (const a of notBuilt) console.log(`  ${a.check} ${a.resource}: when ${a.when}`);
    }
  }
  if (failed || open.length > 0) return 1;
  console.log(`\nscan: every finding in ${stacks.length} stack${stacks.length === 1 ? "" : "s"} is accepted with a reason`);
  return 0;
}

/** The checkov version policy/requirements.txt pins (what CI installs). */
function pinnedVersion(): string | undefined {
  try {
    return /^checkov==(\S+)/m.exec(readFileSync(join(ROOT, "policy", "requirements.txt"), "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

process.exitCode = main(process.argv.slice(2));
