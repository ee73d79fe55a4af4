import type { TerraformStack } from "cdktf";
import { buildStacks, resources, synth } from "../data-tier/helpers";
import { parseJsonAttribute } from "../../src/json-attribute";

export { addressOf, buildStacks, dataSources, resources, synth, synthText } from "../data-tier/helpers";

/** The built-in example turns the tier on for prod (the last environment); these are its two stacks. */
export const PRIMARY = "prod-us-east-1";
export const DR = "prod-eu-west-1";

/** The example with prod's edgeTier changed by `edit` (other fields of the built-in example kept). */
export function withEdgeTier(edit: (edgeTier: any, raw: any) => void): Map<string, TerraformStack> {
  return buildStacks((raw) => {
    const prod = raw.environments.find((e: any) => e.name === "prod");
    edit(prod.edgeTier, raw);
  });
}

/** The only resource of `type` in a stack (fails when there are none or several). */
export function only(stack: TerraformStack, type: string): any {
  const list = resources(synth(stack), type);
  if (list.length !== 1) throw new Error(`expected one ${type}, found ${list.length}`);
  return list[0];
}

/** Parsed policy statements of a policy argument, by Sid. */
export function statements(policy: string): Record<string, any> {
  return Object.fromEntries(parseJsonAttribute(policy).Statement.map((s: any) => [s.Sid, s]));
}
