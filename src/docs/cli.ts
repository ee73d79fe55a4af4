import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { EXAMPLE_CONFIG } from "../config/example";
import { validateConfig } from "../config/validate";
import { EXAMPLE_DIAGRAM_DIR } from "../topology/cli-paths";
import { drawPlatform, writeDiagram } from "../topology/diagram";
import { synthesizePlatform } from "../topology/synthesized";
import { outputsTables, replaceGenerated, requirementsTable } from "./readme-tables";

/**
 * `npm run docs`: regenerates what the README shows of the built-in example from one synth of it:
 * the Requirements and Outputs tables in README.md and the picture docs/topology.svg (+ .mmd).
 */
const root = path.resolve(__dirname, "..", "..");
const config = validateConfig(EXAMPLE_CONFIG);
const stacks = synthesizePlatform(config);
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const readmeFile = path.join(root, "README.md");
let readme = readFileSync(readmeFile, "utf8");
readme = replaceGenerated(readme, "requirements", requirementsTable(stacks, config, pkg));
readme = replaceGenerated(readme, "outputs", outputsTables(stacks, config));
writeFileSync(readmeFile, readme);
writeDiagram(path.join(root, EXAMPLE_DIAGRAM_DIR), drawPlatform(config, stacks));
console.log("docs: README.md (requirements, outputs), docs/topology.svg and docs/topology.mmd regenerated from the built-in example");
