import { TerraformStack, type TerraformElement } from "cdktf";
import type { Node } from "constructs";
import { checkSynthesized, type PolicyChecksProps } from "../policy-checks/policy-checks";
import type { SynthesizedStack } from "../policy-checks/resource-view";
import { completeHcl } from "../synth/hcl-export";
import { assembleStack } from "../synth/stack-assembly";
import { foreignReferences } from "../synth/stack-references";

/**
 * A stack's configuration broke a rule that synth enforces: the policy checks, or a reference to
 * another stack's resource. Lists every problem of the stack, one per line; the stack is not written.
 */
export class StackCheckError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly string[],
  ) {
    super(`Stack ${stack} is not written: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackCheckError";
  }
}

/**
 * What every stack of the platform shares: synthesis in one resolution pass, checked.
 *
 * - cdktf resolves every token of every stack twice: once in a "preparing" pass that only looks for
 *   cross-stack references (to turn them into remote-state lookups), and once to write the stack.
 *   The platform's stacks exchange values through SSM parameters and outputs, never by reference,
 *   so the preparing pass is skipped (about an eighth of a synth); a cross-stack reference that
 *   slips in anyway fails synth here instead (src/synth/stack-references.ts).
 * - Writing the stack, cdktf then resolves the whole merged document a second time, which changes
 *   only the stack-level overrides; the stack is assembled with each value resolved once instead
 *   (src/synth/stack-assembly.ts), with the same result.
 * - The policy checks (src/policy-checks) read the configuration this stack is about to write,
 *   instead of resolving every resource once more themselves.
 * - `cdktf synth --hcl` output is completed where cdktf's renderer falls short (src/synth/hcl-export.ts),
 *   and checked the same way.
 */
export class PlatformStack extends TerraformStack {
  private policies?: PolicyChecksProps;
  /** Logical IDs already allocated, by the element (or node) asked for. */
  private readonly logicalIds = new WeakMap<object, string>();

  /** Synth fails, listing each broken rule with the resource's address, when this stack breaks one. */
  enforcePolicies(props: PolicyChecksProps): void {
    this.policies = props;
  }

  /**
   * cdktf's logical ID, allocated once per element: cdktf computes it from the element's path (a list
   * of its scopes and a hash) each time an address is needed, which synthesis, the checks and every
   * reference ask for again and again. A construct's path never changes, so neither does its ID.
   */
  protected override allocateLogicalId(element: TerraformElement | Node): string {
    let id = this.logicalIds.get(element);
    if (id === undefined) this.logicalIds.set(element, (id = super.allocateLogicalId(element)));
    return id;
  }

  /** cdktf's preparation without its resolution pass (see the class comment): only the backend default. */
  override prepareStack(): void {
    this.ensureBackendExists();
  }

  override toTerraform(): { [key: string]: any } {
    // cdktf keeps both private; its own toTerraform reads them the same way.
    const { cdktfVersion, rawOverrides } = this as unknown as { cdktfVersion: string; rawOverrides: Record<string, unknown> };
    const synthesized = assembleStack(this, cdktfVersion, rawOverrides) as SynthesizedStack;
    const problems = foreignReferences(this, synthesized).map(
      (r) => `${r.path}: refers to ${r.address}, which stack ${r.stack} declares; pass the value through an SSM parameter or an output instead`,
    );
    if (this.policies) {
      for (const v of checkSynthesized(this, synthesized, this.policies)) problems.push(`[${v.rule}] ${v.resource.address}: ${v.message}`);
    }
    if (problems.length > 0) throw new StackCheckError(this.node.id, problems);
    return synthesized;
  }

  override toHclTerraform(): { [key: string]: any } {
    // The checks read the JSON form, which HCL synthesis does not build otherwise.
    this.toTerraform();
    return completeHcl(this, super.toHclTerraform());
  }
}
