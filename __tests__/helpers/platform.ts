import { Testing, type TerraformStack } from "cdktf";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";
import { exampleRaw } from "./config";

/** Builds the platform for a raw configuration (the built-in example unless changed by `edit`). */
export function platform(edit: (raw: any) => void = () => {}) {
  const raw = exampleRaw();
  edit(raw);
  const app = Testing.app();
  const stacks = buildPlatform(app, validateConfig(raw));
  return { app, stacks };
}

/** The synthesized Terraform JSON of one stack, parsed. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack, true));
}

/** All resources of one type in a synthesized stack, by logical name. */
export function resourcesOf(json: any, type: string): Record<string, any> {
  return json.resource?.[type] ?? {};
}
