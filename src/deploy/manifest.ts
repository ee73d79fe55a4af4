import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One synthesized stack as cdktf's manifest describes it. */
export interface ManifestStack {
  /** Stack name, e.g. `dev-us-east-1`. */
  readonly name: string;
  /** Stacks that must be applied before this one (cdktf's `dependencies`). */
  readonly dependencies: readonly string[];
  /** Folder holding the stack's `cdk.tf.json`, relative to the output directory (e.g. `stacks/dev-us-east-1`). */
  readonly workingDirectory: string;
}

/** Raised for a missing or malformed manifest: the message names the file and the field. */
export class ManifestError extends Error {}

/** Reads `<outDir>/manifest.json` written by `cdktf synth`. */
export function readManifest(outDir: string): ManifestStack[] {
  const file = join(outDir, "manifest.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManifestError(`${file}: cannot read it (${code ?? String(error)}); run \`npm run synth\` first or leave out --no-synth`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseManifest(raw, file);
}

/** Checks the parts of the manifest the runner relies on; `file` is only used in messages. */
export function parseManifest(raw: unknown, file: string): ManifestStack[] {
  const stacks = isObject(raw) ? raw.stacks : undefined;
  if (!isObject(stacks)) throw new ManifestError(`${file}: "stacks" must be an object of stacks by name`);
  const problems: string[] = [];
  const result: ManifestStack[] = [];
  for (const [key, value] of Object.entries(stacks)) {
    const at = `${file}: stacks.${key}`;
    if (!isObject(value)) {
      problems.push(`${at} must be an object`);
      continue;
    }
    const dependencies = value.dependencies ?? [];
    if (!Array.isArray(dependencies) || dependencies.some((d) => typeof d !== "string")) {
      problems.push(`${at}.dependencies must be a list of stack names`);
      continue;
    }
    const workingDirectory = value.workingDirectory;
    if (typeof workingDirectory !== "string" || workingDirectory === "") {
      problems.push(`${at}.workingDirectory must be a folder name`);
      continue;
    }
    result.push({ name: typeof value.name === "string" ? value.name : key, dependencies: dependencies as string[], workingDirectory });
  }
  const names = new Set(result.map((s) => s.name));
  for (const stack of result) {
    for (const dependency of stack.dependencies) {
      if (!names.has(dependency)) problems.push(`${file}: stacks.${stack.name}.dependencies names "${dependency}", which is not a stack in the manifest`);
    }
  }
  if (problems.length > 0) throw new ManifestError(problems.join("\n"));
  return result;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
