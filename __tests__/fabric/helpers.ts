import { Testing } from "cdktf";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";
import { parseJsonAttribute } from "../../src/json-attribute";

/** One synthesized stack: its Terraform JSON, with helpers to find resources and parse policies. */
export class SynthStack {
  constructor(
    readonly name: string,
    readonly json: Record<string, any>,
  ) {}

  /** Every resource of a type, by logical name. */
  resources(type: string): Record<string, any> {
    return this.json.resource?.[type] ?? {};
  }

  /** The one resource of `type` at construct path `<stack>/<pathSuffix>`. */
  resource(type: string, pathSuffix: string): any {
    const matches = Object.values(this.resources(type)).filter((r: any) => r["//"]?.metadata?.path === `${this.name}/${pathSuffix}`);
    if (matches.length !== 1) throw new Error(`${this.name}: expected one ${type} at */${pathSuffix}, found ${matches.length}`);
    return matches[0];
  }

  /** The Terraform address (`type.name`) of the resource at `pathSuffix`. */
  address(type: string, pathSuffix: string): string {
    const entry = Object.entries(this.resources(type)).find(([, r]: [string, any]) => r["//"]?.metadata?.path === `${this.name}/${pathSuffix}`);
    if (!entry) throw new Error(`${this.name}: no ${type} at */${pathSuffix}`);
    return `${type}.${entry[0]}`;
  }

  /** Resources of a type whose construct path (below the stack) starts with `prefix`. */
  resourcesUnder(type: string, prefix: string): Record<string, any> {
    return Object.fromEntries(Object.entries(this.resources(type)).filter(([, r]: [string, any]) => String(r["//"]?.metadata?.path ?? "").startsWith(`${this.name}/${prefix}`)));
  }

  data(type: string): Record<string, any> {
    return this.json.data?.[type] ?? {};
  }

  output(name: string): any {
    return this.json.output?.[name];
  }

  /** Parsed policy statements of a policy-bearing argument. */
  static statements(policy: string): any[] {
    return parseJsonAttribute(policy).Statement;
  }

  /** The statement with `sid` in a policy document. */
  static statement(policy: string, sid: string): any {
    const found = SynthStack.statements(policy).find((s) => s.Sid === sid);
    if (!found) throw new Error(`no statement ${sid} in ${policy}`);
    return found;
  }
}

/** Synthesizes the platform for a raw configuration (run through validation) and returns its stacks by name. */
export function synthPlatform(raw: unknown = EXAMPLE_CONFIG): Map<string, SynthStack> {
  const app = Testing.app();
  buildPlatform(app, validateConfig(raw));
  app.synth();
  const stacks = new Map<string, SynthStack>();
  for (const name of ["dev", "staging", "prod"].flatMap((env) => [`${env}-us-east-1`, `${env}-eu-west-1`])) {
    try {
      stacks.set(name, new SynthStack(name, JSON.parse(readFileSync(path.join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8"))));
    } catch {
      // A configuration without that environment.
    }
  }
  return stacks;
}

let example: Map<string, SynthStack> | undefined;

/** The example platform, synthesized once per test file. */
export function examplePlatform(): Map<string, SynthStack> {
  example ??= synthPlatform();
  return example;
}

export function stackOf(name: string): SynthStack {
  const stack = examplePlatform().get(name);
  if (!stack) throw new Error(`no stack ${name}`);
  return stack;
}

/** A deep copy of the example configuration with one environment's settings changed. */
export function exampleWith(changes: { environment?: string; set?: Record<string, unknown>; root?: Record<string, unknown> }): any {
  const copy = JSON.parse(JSON.stringify(EXAMPLE_CONFIG));
  Object.assign(copy, changes.root ?? {});
  if (changes.environment) {
    const env = copy.environments.find((e: any) => e.name === changes.environment);
    Object.assign(env, changes.set ?? {});
  }
  return copy;
}

let perAccountLedger: Map<string, SynthStack> | undefined;

/** The example platform with the per-account ledgers (`ledgerGlobalTable` off), synthesized once per test file. */
export function perAccountLedgerStackOf(name: string): SynthStack {
  perAccountLedger ??= synthPlatform(exampleWith({ root: { ledgerGlobalTable: { enabled: false } } }));
  const stack = perAccountLedger.get(name);
  if (!stack) throw new Error(`no stack ${name}`);
  return stack;
}
