import type { TerraformStack } from "cdktf";
import { viewResources, type SynthesizedStack } from "./resource-view";
import { RULES, type Violation } from "./rules";

export interface PolicyChecksProps {
  /** Tag keys every taggable resource must carry (through its provider's default tags or its own). */
  readonly requiredTags: readonly string[];
  /** Rules to run, by name. @default every rule in RULES */
  readonly rules?: readonly string[];
}

/**
 * The security rules a stack's synthesized configuration breaks, each against the Terraform address
 * of the resource that breaks it. The rules see the stack's resources together, because most are
 * about relationships (a bucket and the encryption resource that points at it). Platform stacks run
 * this on the configuration they synthesize and refuse to write it when anything is broken
 * (src/stacks/platform-stack.ts).
 */
export function checkSynthesized(stack: TerraformStack, synthesized: SynthesizedStack, props: PolicyChecksProps): Violation[] {
  const context = { resources: viewResources(stack, synthesized), requiredTags: props.requiredTags };
  return (props.rules ?? Object.keys(RULES)).flatMap((name) => RULES[name](context));
}

/** The rules a stack breaks, synthesizing its configuration first (for stacks that do not check themselves). */
export function checkStack(stack: TerraformStack, requiredTags: readonly string[], rules?: readonly string[]): Violation[] {
  return checkSynthesized(stack, stack.toTerraform() as SynthesizedStack, { requiredTags, rules });
}
