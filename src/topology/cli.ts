import * as path from "node:path";
import { loadConfig } from "../config/load";
import { ConfigError } from "../config/validate";
import { EXAMPLE_DIAGRAM_DIR, OWN_DIAGRAM_DIR } from "./cli-paths";
import { drawPlatform, writeDiagram } from "./diagram";
import { synthesizePlatform } from "./synthesized";


const USAGE = "usage: npm run diagram [-- --out <folder>]   (PLATFORM_CONFIG chooses the configuration, as for synth)";

/**
 * `npm run diagram`: synthesizes the platform like `npm run synth` (into a temporary folder) and
 * writes topology.svg and topology.mmd (its Mermaid source).
 */
function main(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1] !== undefined) out = argv[++i];
    else if (argv[i] === "--help" || argv[i] === "-h") {
      console.log(USAGE);
      return 0;
    } else {
      console.error(`diagram: unknown argument "${argv[i]}"\n${USAGE}`);
      return 2;
    }
  }
  const projectRoot = path.resolve(__dirname, "..", "..");
  // --out is relative to where the command was typed (INIT_CWD under npm), as PLATFORM_CONFIG is.
  const dir = out !== undefined ? path.resolve(env.INIT_CWD ?? process.cwd(), out) : path.join(projectRoot, env.PLATFORM_CONFIG ? OWN_DIAGRAM_DIR : EXAMPLE_DIAGRAM_DIR);
  let diagram;
  try {
    const config = loadConfig(env);
    diagram = drawPlatform(config, synthesizePlatform(config));
  } catch (error) {
    if (error instanceof ConfigError || (error instanceof Error && /Encountered Annotations? with level "ERROR"/.test(error.message))) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const file = writeDiagram(dir, diagram);
  const { topology } = diagram;
  console.log(
    `diagram: ${file} and topology.mmd: ${topology.columns.length} accounts, ${topology.regions.length} regions, ${topology.stacks.length} stacks, ${topology.nodes.length} nodes, ${topology.edges.length} arrows`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2), process.env);
