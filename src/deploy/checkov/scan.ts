import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isJsonencodeExpression, parseJsonAttribute } from "../../json-attribute";
import type { Finding } from "./accepted";

/** What checkov found in one stack folder. */
export interface StackScan {
  readonly stack: string;
  readonly findings: readonly Finding[];
  readonly passed: number;
  /** Why the stack could not be scanned (checkov failed or parsed nothing); the scan then fails. */
  readonly error?: string;
  /** Things the reader should know, e.g. blocks checkov could not read and that were left out. */
  readonly notes: readonly string[];
}

interface CheckovCheck {
  check_id: string;
  check_name?: string;
  resource: string;
}
interface CheckovReport {
  check_type?: string;
  results?: { failed_checks?: CheckovCheck[]; passed_checks?: unknown[] };
  summary?: { passed?: number; failed?: number; parsing_errors?: number; resource_count?: number };
}

/**
 * Runs `checkov -d <folder> --framework terraform_json` on one synthesized stack and returns its
 * failed checks with the resource addresses of the stack (`aws_lambda_function.<name>`).
 */
export function scanStack(checkov: string, stackDir: string, stack: string): StackScan {
  const file = join(stackDir, "cdk.tf.json");
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (error) {
    return { stack, findings: [], passed: 0, notes: [], error: `${file}: cannot read it as JSON: ${(error as Error).message}` };
  }
  const notes: string[] = [];
  let scanDir = stackDir;
  let scratch: string | undefined;
  // checkov 3.3's terraform_json parser expects every value of the `terraform` block to be an object
  // and gives up on the whole file at a string such as `required_version` (checkov has no check on
  // those settings): scan a copy without them, and say so.
  const settings = (json.terraform ?? {}) as Record<string, unknown>;
  const plain = Object.keys(settings).filter((k) => typeof settings[k] !== "object" || settings[k] === null);
  const { value: readable, rewritten } = withJsonencodeAsText(json);
  if (plain.length > 0 || rewritten > 0) {
    scratch = mkdtempSync(join(tmpdir(), `policy-scan-${stack}-`));
    const terraform = Object.fromEntries(Object.entries(settings).filter(([k]) => !plain.includes(k)));
    writeFileSync(join(scratch, "cdk.tf.json"), JSON.stringify({ ...(readable as Record<string, unknown>), terraform }, null, 2));
    scanDir = scratch;
    if (plain.length > 0) notes.push(`scanned without ${plain.map((k) => `terraform.${k}`).join(", ")} (a Terraform setting, not a resource, that checkov cannot parse there)`);
  }
  try {
    const result = spawnSync(checkov, ["-d", scanDir, "--framework", "terraform_json", "--output", "json", "--soft-fail"], {
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      // Offline and quiet: the guideline download only adds links to the report.
      env: { ...process.env, BC_SKIP_MAPPING: "TRUE", LOG_LEVEL: process.env.LOG_LEVEL ?? "ERROR" },
    });
    if (result.error) {
      const code = (result.error as NodeJS.ErrnoException).code;
      return { stack, findings: [], passed: 0, notes, error: `${checkov}: ${code === "ENOENT" ? "not found; install it with `pip install -r policy/requirements.txt` or set CHECKOV_BINARY" : result.error.message}` };
    }
    const report = parseReport(result.stdout);
    if (result.status !== 0 || !report) {
      return { stack, findings: [], passed: 0, notes, error: `checkov exited ${result.status} without a report: ${lastLine(result.stderr || result.stdout)}` };
    }
    const summary = report.summary ?? {};
    if ((summary.parsing_errors ?? 0) > 0) return { stack, findings: [], passed: 0, notes, error: `checkov could not parse ${file}: ${lastLine(result.stderr)}` };
    // checkov leaves resource_count at 0 for terraform_json: no check run at all means nothing was read.
    if ((summary.passed ?? 0) + (summary.failed ?? 0) === 0) return { stack, findings: [], passed: 0, notes, error: `checkov ran no check on ${file}` };
    const types = typesByName(json);
    const findings = (report.results?.failed_checks ?? []).map((c) => ({ check: c.check_id, name: c.check_name ?? "", stack, resource: resourceAddress(c.resource, types) }));
    return { stack, findings, passed: summary.passed ?? 0, notes };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The installed checkov's version, or undefined when it cannot be run. */
export function checkovVersion(checkov: string): string | undefined {
  const result = spawnSync(checkov, ["--version"], { encoding: "utf8", env: { ...process.env, BC_SKIP_MAPPING: "TRUE" } });
  return result.status === 0 ? result.stdout.trim().split("\n").pop() : undefined;
}

/** With one framework checkov prints one report object; with several, a list of them. */
function parseReport(stdout: string): CheckovReport | undefined {
  try {
    const parsed = JSON.parse(stdout) as CheckovReport | CheckovReport[];
    return Array.isArray(parsed) ? parsed.find((r) => r.check_type === "terraform_json") : parsed;
  } catch {
    return undefined;
  }
}

/** `<type>` of each resource and `data.<type>` of each data source, by logical name. */
function typesByName(json: Record<string, unknown>): Map<string, string> {
  const types = new Map<string, string>();
  for (const [block, prefix] of [["resource", ""], ["data", "data."]] as const) {
    const byType = (json[block] ?? {}) as Record<string, Record<string, unknown>>;
    for (const [type, byName] of Object.entries(byType)) for (const name of Object.keys(byName ?? {})) types.set(`${prefix === "" ? "resource" : "data"}:${name}`, `${prefix}${type}`);
  }
  return types;
}

/**
 * checkov names a terraform_json resource `resource.<name>`, `data.<name>` or `<type>.<name>`
 * depending on the check; give every finding the same `<type>.<name>` / `data.<type>.<name>` address.
 */
export function resourceAddress(checkovResource: string, types: ReadonlyMap<string, string>): string {
  const dot = checkovResource.lastIndexOf(".");
  const [prefix, name] = [checkovResource.slice(0, dot), checkovResource.slice(dot + 1)];
  const kind = prefix === "data" || prefix.startsWith("data.") ? "data" : "resource";
  const type = types.get(`${kind}:${name}`);
  return type ? `${type}.${name}` : checkovResource;
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter((l) => l.trim() !== "").pop() ?? "(no output)";
}

/**
 * The stack with every `${jsonencode(...)}` argument (src/json-attribute.ts) written as the JSON text
 * it encodes, references as `${...}` inside. checkov does not evaluate `jsonencode` of references in
 * terraform_json and would pass such a policy unread (a wildcard action included); the JSON text is
 * what it reads, and the references do not matter to its checks.
 */
export function withJsonencodeAsText(value: unknown): { value: unknown; rewritten: number } {
  let rewritten = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string" && isJsonencodeExpression(v)) {
      rewritten++;
      return JSON.stringify(parseJsonAttribute(v));
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), rewritten };
}
