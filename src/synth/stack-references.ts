import { App, TerraformDataSource, TerraformResource, TerraformStack } from "cdktf";

/**
 * References from a stack's synthesized configuration to resources declared in another stack of
 * the app. cdktf turns such a reference into a remote-state lookup in a "preparing" pass over every
 * token of every stack; the platform's stacks skip that pass (src/stacks/platform-stack.ts), because
 * they exchange values through SSM parameters and outputs on purpose, so a cross-stack reference
 * left in the configuration would only fail later, in `terraform validate`. This finds them at synth.
 *
 * A candidate is any `<type>.<name>` (or `data.` / `ephemeral.` ...) in a string that holds an
 * interpolation; it counts only when it is exactly the address of an element of another stack and
 * not declared by this one (by an element or by an override: the stack's document says which), so
 * literal text that merely looks like an address is never reported.
 */
export function foreignReferences(stack: TerraformStack, synthesized: unknown): { address: string; stack: string; path: string }[] {
  const own = declaredAddresses(synthesized);
  // Candidates this stack does not declare, by where they appear; usually there are none, so the
  // other stacks (all of the app's elements) are looked at only when there is something to look up.
  const unknown: { address: string; path: string }[] = [];
  // The keys and indexes down to the value being visited; a path is written out only for a candidate.
  const at: (string | number)[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      if (!value.includes("${")) return;
      for (const match of value.matchAll(CANDIDATE)) if (!own.has(match[1]!)) unknown.push({ address: match[1]!, path: pathText(at) });
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        at.push(i);
        visit(value[i]);
        at.pop();
      }
    } else if (value !== null && typeof value === "object") {
      for (const key of Object.keys(value)) {
        if (key === "//") continue;
        at.push(key);
        visit((value as Record<string, unknown>)[key]);
        at.pop();
      }
    }
  };
  visit(synthesized);
  if (unknown.length === 0) return [];
  const elsewhere = addressesOfOtherStacks(stack);
  const found = new Map<string, { address: string; stack: string; path: string }>();
  for (const { address, path } of unknown) {
    const owner = elsewhere.get(address);
    if (owner !== undefined) found.set(`${address} ${path}`, { address, stack: owner, path });
  }
  return [...found.values()];
}

/** The block of each kind a configuration declares its addresses in, and the prefix of those addresses. */
const DECLARING_BLOCKS = [
  ["resource", ""],
  ["data", "data."],
  ["ephemeral", "ephemeral."],
] as const;

/** Every address a synthesized configuration declares: `aws_s3_bucket.logs`, `data.x.y`, `ephemeral.x.y`. */
function declaredAddresses(synthesized: unknown): Set<string> {
  const addresses = new Set<string>();
  if (synthesized === null || typeof synthesized !== "object") return addresses;
  for (const [block, prefix] of DECLARING_BLOCKS) {
    const byType = (synthesized as Record<string, unknown>)[block];
    if (byType === null || typeof byType !== "object") continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (byName === null || typeof byName !== "object") continue;
      for (const name of Object.keys(byName)) addresses.add(`${prefix}${type}.${name}`);
    }
  }
  return addresses;
}

/** `resource.aws_s3_bucket.logs.policy`, with `[i]` for list items. */
function pathText(at: readonly (string | number)[]): string {
  return at.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

/** `aws_s3_bucket.logs_1A2B`, `data.aws_iam_policy_document.x`: not preceded by a name character or a dot. */
const CANDIDATE = /(?<![\w.-])((?:data\.|ephemeral\.)?[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][\w-]*)/g;

/** Addresses of every element of every other stack of the app, with the stack that declares it. */
function addressesOfOtherStacks(stack: TerraformStack): Map<string, string> {
  const elsewhere = new Map<string, string>();
  for (const other of App.of(stack).node.children) {
    if (!(other instanceof TerraformStack) || other === stack) continue;
    for (const address of addressesOf(other)) if (!elsewhere.has(address)) elsewhere.set(address, other.node.id);
  }
  return elsewhere;
}

function addressesOf(stack: TerraformStack): Set<string> {
  const addresses = new Set<string>();
  for (const c of stack.node.findAll()) {
    if (c instanceof TerraformResource && c.cdktfStack === stack) addresses.add(`${c.terraformResourceType}.${c.friendlyUniqueId}`);
    if (c instanceof TerraformDataSource && c.cdktfStack === stack) addresses.add(`data.${c.terraformResourceType}.${c.friendlyUniqueId}`);
  }
  return addresses;
}
