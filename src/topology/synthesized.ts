import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import type { PlatformConfig } from "../config/types";
import { readManifest } from "../deploy/manifest";
import { planOrder } from "../deploy/selection";
import { buildPlatform } from "../platform";

/** One stack as `cdktf synth` wrote it. */
export interface SynthesizedStack {
  readonly name: string;
  /** 1 for the first stack the deploy command applies (the manifest's dependency order). */
  readonly deployOrder: number;
  /** The parsed `cdk.tf.json`. */
  readonly json: TerraformJson;
}

/** The parts of a stack's Terraform JSON the topology reads. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, any>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, any>>>>;
  readonly provider?: { readonly aws?: readonly AwsProviderBlock[] };
  readonly output?: Readonly<Record<string, { readonly description?: string }>>;
  readonly terraform?: { readonly required_version?: string; readonly required_providers?: Readonly<Record<string, { readonly source: string; readonly version: string }>> };
}

export interface AwsProviderBlock {
  readonly alias?: string;
  readonly region: string;
  readonly allowed_account_ids?: readonly string[];
}

/** Reads every stack of a `cdktf synth` output folder, in deploy order (the order `npm run deploy` uses). */
export function readSynthesized(outDir: string): SynthesizedStack[] {
  const manifest = readManifest(outDir);
  const { order } = planOrder(manifest, new Set(manifest.map((s) => s.name)));
  return order.map((stack, index) => ({
    name: stack.name,
    deployOrder: index + 1,
    json: JSON.parse(readFileSync(join(outDir, stack.workingDirectory, "cdk.tf.json"), "utf8")) as TerraformJson,
  }));
}

/**
 * Synthesizes the platform exactly as `npm run synth` does (same stacks, aspects and policy checks),
 * into a temporary folder that is removed afterwards, and reads it back.
 */
export function synthesizePlatform(config: PlatformConfig): SynthesizedStack[] {
  const outDir = mkdtempSync(join(tmpdir(), "topology-"));
  try {
    const app = new App({ outdir: outDir });
    buildPlatform(app, config);
    app.synth();
    return readSynthesized(outDir);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
