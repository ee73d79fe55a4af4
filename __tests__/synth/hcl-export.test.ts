import { parse } from "@cdktf/hcl2json";
import { App } from "cdktf";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXAMPLE_CONFIG } from "../../src/config/example";
import { validateConfig } from "../../src/config/validate";
import { buildPlatform } from "../../src/platform";
import { synthesize } from "../../src/synth/synthesize";

/*
 * `cdktf synth --hcl` is the way off cdktf, so every stack of every example must come out as HCL that
 * Terraform reads; and a JSON synth into the same folder afterwards must leave no `cdk.tf` behind.
 */

const examplesDir = path.join(__dirname, "../../examples");
const configs: [string, unknown][] = [
  ["built-in example", EXAMPLE_CONFIG],
  ...readdirSync(examplesDir)
    .filter((f) => f.endsWith(".json"))
    .map((f): [string, unknown] => [`examples/${f}`, JSON.parse(readFileSync(path.join(examplesDir, f), "utf8"))]),
];

const terraformInstalled = spawnSync("terraform", ["version"], { stdio: "ignore" }).status === 0;
const work = mkdtempSync(path.join(tmpdir(), "hcl-export-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Synthesizes as `cdktf synth [--hcl]` does: the CLI sets SYNTH_HCL_OUTPUT, which the app and each stack read. */
function synthInto(outdir: string, raw: unknown, hclOutput: boolean): void {
  const before = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(hclOutput);
  try {
    const app = new App({ outdir });
    buildPlatform(app, validateConfig(raw));
    synthesize(app);
  } finally {
    if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = before;
  }
}

const stackDirs = (outdir: string) => readdirSync(path.join(outdir, "stacks")).map((name) => path.join(outdir, "stacks", name));

/** `terraform init -backend=false` in a copy of a stack folder: every error or warning but the offline provider download. */
function initProblems(stackDir: string): { stack: string; problems: string[] } {
  const stack = path.basename(stackDir);
  const copy = path.join(work, `init-${stack}`);
  cpSync(stackDir, copy, { recursive: true });
  try {
    const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: copy, encoding: "utf8", env: { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" } });
    const problems = `${init.stdout}${init.stderr}`
      .split(/\n(?=Error: |Warning: )/)
      .filter((block) => /^(Error|Warning): /.test(block) && !/Failed to query available provider packages|Unable to open CLI configuration file/.test(block));
    return { stack, problems };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Every string anywhere in a value, with its path. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === "string") yield [at, value];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* strings(item, `${at}[${i}]`);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* strings(v, `${at}.${k}`);
}

/** A JSON document written as a string with Terraform interpolations inside (what `JSON.stringify` around tokens gives). */
function isInterpolatedJsonString(text: string): boolean {
  if (!/^\s*[[{]/.test(text) || !text.includes("${")) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe.each(configs)("%s", (_name, raw) => {
  const outdir = path.join(work, _name.replace(/\W+/g, "-"));
  const hcl = new Map<string, string>();

  beforeAll(() => {
    // GIVEN a stack folder kept from an earlier JSON synth
    mkdirSync(path.join(outdir, "stacks", "state-bootstrap"), { recursive: true });
    writeFileSync(path.join(outdir, "stacks", "state-bootstrap", "cdk.tf.json"), "{}");
    // WHEN the platform is synthesized as HCL
    synthInto(outdir, raw, true);
    for (const dir of stackDirs(outdir)) hcl.set(path.basename(dir), readFileSync(path.join(dir, "cdk.tf"), "utf8"));
  }, 240_000);

  test("every stack's cdk.tf parses as HCL and declares the ephemeral resources it references", async () => {
    expect(hcl.size).toBeGreaterThan(0);
    for (const [stack, text] of hcl) {
      const parsed = await parse(`${stack}/cdk.tf`, text).catch((error: unknown) => {
        throw new Error(`${stack}/cdk.tf is not valid HCL: ${String(error)}`);
      });
      const declared = new Set(Object.entries(parsed.ephemeral ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((name) => `${type}.${name}`)));
      const referenced = new Set([...text.matchAll(/\bephemeral\.([\w-]+\.[\w-]+)/g)].map((m) => m[1]));
      expect({ stack, missing: [...referenced].filter((r) => !declared.has(r)) }).toEqual({ stack, missing: [] });
      expect(text).not.toMatch(/^\s*\d+ = "/m);
    }
  });

  test("the HCL synth removed the JSON configuration a kept folder held", () => {
    expect(existsSync(path.join(outdir, "stacks", "state-bootstrap", "cdk.tf.json"))).toBe(false);
  });

  // Terraform core is the real judge of the configuration; init fails only at the provider download offline.
  test("terraform init reports no configuration problem in any stack (where terraform is installed)", () => {
    if (!terraformInstalled) return;
    for (const dir of stackDirs(outdir)) expect(initProblems(dir)).toEqual({ stack: path.basename(dir), problems: [] });
  }, 240_000);

  describe("a JSON synth into the same folder afterwards", () => {
    beforeAll(() => synthInto(outdir, raw, false), 240_000);

    test("terraform init reports no configuration problem in any stack of the JSON (where terraform is installed)", () => {
      if (!terraformInstalled) return;
      for (const dir of stackDirs(outdir)) expect(initProblems(dir)).toEqual({ stack: path.basename(dir), problems: [] });
    }, 240_000);

    test("leaves no cdk.tf or HCL metadata behind", () => {
      for (const dir of stackDirs(outdir)) {
        expect({ dir: path.basename(dir), files: readdirSync(dir).filter((f) => f === "cdk.tf" || f === "metadata.json") }).toEqual({ dir: path.basename(dir), files: [] });
        expect(existsSync(path.join(dir, "cdk.tf.json"))).toBe(true);
      }
    });

    // cdktf's HCL renderer cannot quote such a string; build the value with jsonAttribute (src/json-attribute.ts).
    test("no argument is a JSON string with Terraform interpolations inside", () => {
      for (const dir of stackDirs(outdir)) {
        const json = JSON.parse(readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
        const offenders = [...strings({ resource: json.resource, data: json.data, output: json.output, locals: json.locals }, path.basename(dir))]
          .filter(([, text]) => isInterpolatedJsonString(text))
          .map(([at]) => at);
        expect(offenders).toEqual([]);
      }
    });
  });
});
