import { TerraformDataSource, TerraformElement, TerraformOutput, TerraformProvider, TerraformResource, type TerraformStack, Token } from "cdktf";
import { resolve } from "../policy-checks/resource-view";

/*
 * What `cdktf synth --hcl` gets wrong, and how the platform's stacks complete it
 * -----------------------------------------------------------------------------
 * cdktf 0.21 (archived) renders HCL with three defects the platform meets; each stack class passes
 * cdktf's rendering through `completeHcl` in its `toHclTerraform` override:
 *
 * - Ephemeral blocks: cdktf has no class for ephemeral resources, and its renderer renders only the
 *   fragment kinds it knows, dropping any other silently. The platform's ephemeral elements
 *   (src/database/master-password.ts) return their `{ ephemeral: ... }` fragment from
 *   `toHclTerraform` too, and they are rendered here and appended.
 * - Attributes of the `terraform` block other than its blocks (`required_version`, set with
 *   `addOverride`): cdktf renders the list of their names (`0 = "required_version"`), which is no HCL.
 * - `provider = "aws.other_region"`, `depends_on = ["aws_x.y"]`, `ignore_changes = ["tags"]`: quoted
 *   references, deprecated since Terraform 0.12 (a warning per use); written as bare references.
 *
 * JSON-valued arguments with references are the fourth defect; they are avoided where they are
 * built (src/json-attribute.ts). Patching cdktf at install time would fix the same inside
 * node_modules, where `npm ci` elsewhere or an upgrade silently undoes it; a post-processing step in
 * the synth wrapper would have to re-parse the files. This keeps the fix in the stack, where the
 * values are known.
 */

/** cdktf's HCL for `stack` with the three defects above repaired. */
export function completeHcl(stack: TerraformStack, rendered: { [key: string]: any }): { [key: string]: any } {
  const overrides = ((stack as unknown as { rawOverrides?: { terraform?: Record<string, unknown> } }).rawOverrides?.terraform ?? {}) as Record<string, unknown>;
  const hcl = repairTerraformAttributes(String(rendered.hcl), overrides)
    .replace(QUOTED_PROVIDER, "$1provider = $2")
    .replace(REFERENCE_LIST, (list: string) => list.replace(QUOTED_REFERENCE, "$1$2$3"));
  return { ...rendered, hcl: hcl + ephemeralBlocksHcl(stack) };
}

const QUOTED_PROVIDER = /^(\s*)provider = "([A-Za-z][\w-]*\.[A-Za-z][\w-]*)"$/gm;
const REFERENCE_LIST = /^\s*(?:depends_on|ignore_changes|replace_triggered_by) = \[\n[^\]]*\]/gm;
const QUOTED_REFERENCE = /^(\s*)"([A-Za-z][\w-]*(?:\.[A-Za-z][\w-]*)*)"(,?)$/gm;

/** Replaces cdktf's `<index> = "<name>"` lines in the `terraform` block with `<name> = <value>`. */
function repairTerraformAttributes(hcl: string, overrides: Record<string, unknown>): string {
  const end = hcl.search(/^provider |^resource |^data |^locals |^output |^variable |^module /m);
  const head = end < 0 ? hcl : hcl.slice(0, end);
  const repaired = head.replace(/^ {2}\d+ = "([A-Za-z_]+)"$/gm, (_line, name: string) => {
    const value = overrides[name];
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      throw new Error(`terraform.${name}: only plain values can be rendered into the HCL terraform block`);
    }
    return `  ${name} = ${JSON.stringify(value)}`;
  });
  return repaired + (end < 0 ? "" : hcl.slice(end));
}

type EphemeralFragment = { ephemeral?: Record<string, Record<string, Record<string, unknown>>> };

/** The `ephemeral "<type>" "<name>" { ... }` blocks of a stack's ephemeral elements, as HCL. */
function ephemeralBlocksHcl(stack: TerraformStack): string {
  const blocks: string[] = [];
  for (const element of stack.node.findAll()) {
    if (!isCustomElement(element)) continue;
    const fragment = resolve(stack, element.toHclTerraform()) as EphemeralFragment;
    for (const [type, byName] of Object.entries(fragment.ephemeral ?? {})) {
      for (const [name, attributes] of Object.entries(byName)) {
        blocks.push(`ephemeral "${type}" "${name}" {\n${renderAttributes(attributes)}\n}`);
      }
    }
  }
  return blocks.map((block) => `\n${block}\n`).join("");
}

/** Elements cdktf renders itself are left out, so only the few custom ones are resolved twice. */
function isCustomElement(node: unknown): node is TerraformElement {
  return (
    TerraformElement.isTerraformElement(node) &&
    !(node instanceof TerraformResource) &&
    !(node instanceof TerraformDataSource) &&
    !(node instanceof TerraformProvider) &&
    !(node instanceof TerraformOutput)
  );
}

function renderAttributes(attributes: Record<string, unknown>): string {
  return Object.entries(attributes)
    .map(([name, value]) => `  ${name} = ${name === "provider" ? String(value) : renderValue(value)}`)
    .join("\n");
}

function renderValue(value: unknown): string {
  if (typeof value === "string") {
    if (Token.isUnresolved(value)) throw new Error(`unresolved token in an ephemeral block: ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(renderValue).join(", ")}]`;
  if (value !== null && typeof value === "object") return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)} = ${renderValue(v)}`).join(", ")} }`;
  throw new Error(`cannot render ${String(value)} in an ephemeral block`);
}
