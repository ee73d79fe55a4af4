import { Annotations, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { viewResources } from "./resource-view";
import { RULES, type Violation } from "./rules";

export interface PolicyChecksProps {
  /** Tag keys every taggable resource must carry (through its provider's default tags or its own). */
  readonly requiredTags: readonly string[];
  /** Rules to run, by name. @default every rule in RULES */
  readonly rules?: readonly string[];
}

/**
 * Fails synth when a stack breaks a security rule: each violation becomes an error annotation naming
 * the rule and the Terraform address of the resource, and cdktf refuses to write the stack.
 *
 * It visits each stack once and checks the resolved resources together, because most rules are about
 * relationships (a bucket and the encryption resource that points at it).
 */
export class PolicyChecks implements IAspect {
  private readonly rules: readonly string[];

  constructor(private readonly props: PolicyChecksProps) {
    this.rules = props.rules ?? Object.keys(RULES);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformStack)) return;
    for (const violation of checkStack(node, this.props.requiredTags, this.rules)) {
      Annotations.of(violation.resource.construct).addError(`[${violation.rule}] ${violation.resource.address}: ${violation.message}`);
    }
  }
}

export function checkStack(stack: TerraformStack, requiredTags: readonly string[], rules: readonly string[] = Object.keys(RULES)): Violation[] {
  const context = { resources: viewResources(stack), requiredTags };
  return rules.flatMap((name) => RULES[name](context));
}
