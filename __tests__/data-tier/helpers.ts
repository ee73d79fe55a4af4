// Brings the type declarations of the cdktf jest matchers that __tests__/setup.ts registers.
import type {} from "cdktf/lib/testing/adapters/jest";
import { Testing, type TerraformStack } from "cdktf";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";

/** Builds the platform for a raw configuration (the built-in example unless `edit` changes a copy). */
export function buildStacks(edit: (raw: any) => void = () => {}, base: unknown = EXAMPLE_CONFIG) {
  const raw = structuredClone(base) as any;
  edit(raw);
  return buildPlatform(Testing.app(), validateConfig(raw));
}

const cache = new Map<TerraformStack, any>();

/** The synthesized Terraform JSON of one stack, parsed (memoised: synthesis is the slow part). */
export function synth(stack: TerraformStack): any {
  if (!cache.has(stack)) cache.set(stack, JSON.parse(Testing.synth(stack, true)));
  return cache.get(stack);
}

/** The synthesized JSON text of one stack, for the cdktf matchers. */
export function synthText(stack: TerraformStack): string {
  return JSON.stringify(synth(stack));
}

/** Resources of one type in a synthesized stack, as a list of their arguments. */
export function resources(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

/** Data sources of one type in a synthesized stack. */
export function dataSources(json: any, type: string): any[] {
  return Object.values(json.data?.[type] ?? {});
}

/** The logical name of the only resource of `type` whose arguments satisfy `match`. */
export function addressOf(json: any, type: string, match: (r: any) => boolean): string {
  const names = Object.entries(json.resource?.[type] ?? {}).filter(([, r]) => match(r)).map(([name]) => name);
  if (names.length !== 1) throw new Error(`expected one ${type} to match, found ${names.length}`);
  return `${type}.${names[0]}`;
}
