import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";

/**
 * The Infracost config file (https://www.infracost.io/docs/features/config_file/) of the synthesized
 * stacks: one project per folder of `cdktf.out/stacks`, by name, so one `infracost breakdown` prices
 * them all and reports each stack as its own project. Infracost reads the stacks' Terraform JSON
 * itself (no `terraform init`, no cloud credentials), with its own list prices and no usage.
 */
export function infracostConfig(stacksDir: string): string {
  if (!existsSync(stacksDir)) throw new Error(`${stacksDir} does not exist: synthesize first (npm run synth)`);
  const stacks = readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(stacksDir, entry.name, "cdk.tf.json")))
    .map((entry) => entry.name)
    .sort();
  if (stacks.length === 0) throw new Error(`${stacksDir} holds no synthesized stack: synthesize first (npm run synth)`);
  const relative = path.relative(process.cwd(), stacksDir).split(path.sep).join("/") || ".";
  return ["version: 0.1", "projects:", ...stacks.flatMap((name) => [`  - path: ${relative}/${name}`, `    name: ${name}`]), ""].join("\n");
}
