import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../config/types";
import { extractTopology } from "./extract";
import { layoutTopology } from "./layout";
import { renderMermaid } from "./mermaid";
import type { Topology } from "./model";
import type { SynthesizedStack } from "./synthesized";
import { renderSvg } from "./svg";

/** The diagram of one platform: the topology and its two renderings. */
export interface Diagram {
  readonly topology: Topology;
  readonly svg: string;
  readonly mermaid: string;
}

/** Draws the platform a configuration synthesizes to (`stacks`: what `synthesizePlatform` or `readSynthesized` returns). */
export function drawPlatform(config: PlatformConfig, stacks: readonly SynthesizedStack[]): Diagram {
  const topology = extractTopology(config, stacks);
  return { topology, svg: renderSvg(topology, layoutTopology(topology)), mermaid: renderMermaid(topology) };
}

/** Writes `topology.svg` and its Mermaid source `topology.mmd` into `dir`; returns the SVG's path. */
export function writeDiagram(dir: string, diagram: Diagram): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "topology.svg"), diagram.svg);
  writeFileSync(path.join(dir, "topology.mmd"), diagram.mermaid);
  return path.join(dir, "topology.svg");
}
