import { readFileSync } from "node:fs";
import * as path from "node:path";
import { generatedSection, outputsTables, requirementsTable } from "../../src/docs/readme-tables";
import type { PlatformConfig } from "../../src/config/types";
import { validateConfig } from "../../src/config/validate";
import { handlerNames } from "../../src/lambda-packaging/bundle";
import { synthesizePlatform, type SynthesizedStack } from "../../src/topology/synthesized";
import { exampleRaw } from "../helpers/config";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

describe("the README's generated tables", () => {
  let config: PlatformConfig;
  let stacks: SynthesizedStack[];
  beforeAll(() => {
    config = validateConfig(exampleRaw());
    stacks = synthesizePlatform(config);
  }, 180_000);

  test("the Requirements table is what package.json and the synthesized stacks pin (npm run docs rewrites it)", () => {
    const table = requirementsTable(stacks, config, JSON.parse(read("package.json")));
    expect(generatedSection(read("README.md"), "requirements")).toBe(table);
    // The versions in it are the ones Terraform will download.
    const aws = stacks[0].json.terraform!.required_providers!.aws;
    expect(table).toContain(`| provider \`hashicorp/aws\` | ${aws.version} |`);
  });

  test("the Outputs tables list every output of every stack with its description (npm run docs rewrites them)", () => {
    const tables = outputsTables(stacks, config);
    expect(generatedSection(read("README.md"), "outputs")).toBe(tables);
    const stateOutputs = stacks.find((s) => s.name === "state-bootstrap")!.json.output!;
    for (const [name, output] of Object.entries(stateOutputs)) expect(tables).toContain(`| \`${name}\` | ${output.description} |`);
    const rows = tables.split("\n").filter((line) => line.startsWith("| `")).length;
    expect(rows).toBeGreaterThanOrEqual(Math.max(...stacks.map((s) => Object.keys(s.json.output ?? {}).length)));
  });
});

describe("docs that count or quote the code", () => {
  const numbers = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];

  test("docs/lambdas.md gives the number of handlers in lambdas/ and lists each of them", () => {
    const page = read("docs/lambdas.md");
    const handlers = handlerNames();
    expect(page.startsWith(`# Replication fabric Lambdas\n\n${numbers[handlers.length][0].toUpperCase()}${numbers[handlers.length].slice(1)} handlers`)).toBe(true);
    for (const handler of handlers) expect(page).toMatch(new RegExp(`^\\| \`${handler}\` \\|`, "m"));
  });

  test("LICENSE is the license package.json names", () => {
    expect(JSON.parse(read("package.json")).license).toBe("Apache-2.0");
    const license = read("LICENSE");
    expect(license).toContain("Apache License\n                           Version 2.0, January 2004");
    expect(license).toContain("END OF TERMS AND CONDITIONS");
    // The appendix's notice filled in with the package's name, not left as the template's brackets.
    expect(license).toContain(`Copyright 2026 The ${JSON.parse(read("package.json")).name} authors`);
  });
});
