import { readFileSync } from "node:fs";

/** One checkov finding the project has decided it does not need to fix, and why. */
export interface AcceptedFinding {
  /** Checkov check id, e.g. `CKV_AWS_117`. */
  readonly check: string;
  /** Glob over the resource address `<type>.<name>` (`*` any text, `?` one character). @default "*" (every resource) */
  readonly resource: string;
  /** Glob over the stack name. @default "*" (every stack) */
  readonly stack: string;
  /** Why the platform does not need what the check asks for. Required. */
  readonly reason: string;
  /**
   * The configuration under which the resource exists, for a resource only some configurations
   * build (e.g. "an environment sets snapshotAccountCopy"): a scan of a configuration without it
   * does not report the entry as unused. @default the resource exists in every configuration
   */
  readonly when?: string;
  /** Where the entry is, for messages: `policy/checkov-accepted.json: accepted[3]`. */
  readonly at: string;
}

/** A failed check as the scan reports it. */
export interface Finding {
  readonly check: string;
  readonly name: string;
  readonly stack: string;
  /** `<type>.<name>` of the resource or `data.<type>.<name>` of the data source. */
  readonly resource: string;
}

/** Raised for an unreadable or invalid accepted list: every problem, one per line, each naming its entry. */
export class AcceptedListError extends Error {}

const FIELDS = ["check", "resource", "stack", "reason", "when"];
const CHECK_ID = /^CKV2?_[A-Z0-9]+_\d+$/;
/** Shorter than this is not a reason anyone can review ("n/a", "accepted", "todo"). */
const MIN_REASON = 20;

/** Reads the accepted list: `{ "accepted": [ { "check", "resource"?, "stack"?, "reason", "when"? }, ... ] }`. */
export function readAcceptedList(file: string): AcceptedFinding[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new AcceptedListError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new AcceptedListError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseAcceptedList(raw, file);
}

export function parseAcceptedList(raw: unknown, file: string): AcceptedFinding[] {
  const list = isObject(raw) ? raw.accepted : undefined;
  if (!Array.isArray(list)) throw new AcceptedListError(`${file}: must be an object with an "accepted" list`);
  const problems: string[] = [];
  const result: AcceptedFinding[] = [];
  list.forEach((entry, i) => {
    const at = `${file}: accepted[${i}]`;
    if (!isObject(entry)) {
      problems.push(`${at} must be an object with check, reason and optionally resource and stack`);
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(entry)) if (!FIELDS.includes(key)) problems.push(`${at}.${key} is not a field (known: ${FIELDS.join(", ")})`);
    const { check, resource, stack, reason, when } = entry;
    if (typeof check !== "string" || !CHECK_ID.test(check)) problems.push(`${at}.check must be a checkov check id such as CKV_AWS_117`);
    for (const [name, value] of [["resource", resource], ["stack", stack]] as const) {
      if (value !== undefined && (typeof value !== "string" || value.trim() === "")) problems.push(`${at}.${name} must be a glob pattern such as "aws_lambda_function.*"`);
    }
    if (typeof reason !== "string" || reason.trim().length < MIN_REASON) {
      problems.push(`${at}${typeof check === "string" ? ` (${check})` : ""}.reason is required: say why the platform does not need this check (at least ${MIN_REASON} characters)`);
    }
    if (when !== undefined && (typeof when !== "string" || when.trim() === "")) problems.push(`${at}.when must say which configuration builds the resource, e.g. "an environment sets snapshotAccountCopy"`);
    if (problems.length > before) return;
    result.push({
      check: check as string,
      resource: (resource as string | undefined) ?? "*",
      stack: (stack as string | undefined) ?? "*",
      reason: (reason as string).trim(),
      ...(when !== undefined ? { when: (when as string).trim() } : {}),
      at,
    });
  });
  if (problems.length > 0) throw new AcceptedListError(problems.join("\n"));
  return result;
}

/** The first entry that accepts the finding, or undefined when none does. */
export function acceptedBy(finding: Finding, accepted: readonly AcceptedFinding[]): AcceptedFinding | undefined {
  return accepted.find((a) => a.check === finding.check && globMatches(a.resource, finding.resource) && globMatches(a.stack, finding.stack));
}

/** `*` matches any text (dots too), `?` one character; everything else matches itself. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
