import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { PlatformConfig } from "../../src/config/types";
import { validateConfig } from "../../src/config/validate";
import { drawPlatform, type Diagram } from "../../src/topology/diagram";
import { synthesizePlatform, type SynthesizedStack } from "../../src/topology/synthesized";
import { exampleRaw } from "../helpers/config";
import { chromium, decodePng, elements, parseSvg, type Png, sixEnvironments } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");

interface Drawn {
  readonly config: PlatformConfig;
  readonly stacks: readonly SynthesizedStack[];
  readonly diagram: Diagram;
}

const drawings = new Map<string, Drawn>();

/** Synthesizes and draws a configuration once per name: a synth takes seconds. */
function draw(name: string, raw: () => unknown): Drawn {
  if (!drawings.has(name)) {
    const config = validateConfig(raw());
    const stacks = synthesizePlatform(config);
    drawings.set(name, { config, stacks, diagram: drawPlatform(config, stacks) });
  }
  return drawings.get(name)!;
}

const BUILT_IN = "the built-in example";

/**
 * The replication edges the configuration promises, worked out from the configuration alone, as
 * `<kind>@<environment>/<region> -<moves>-> <kind>@<environment>/<region>`.
 */
function expectedEdges(config: PlatformConfig): string[] {
  const { primaryRegion: primary, drRegion: dr } = config;
  const order = config.promotionOrder;
  const edges: string[] = [];
  const add = (fromKind: string, from: string, fromRegion: string, moves: string, toKind: string, to: string, toRegion: string) =>
    edges.push(`${fromKind}@${from}/${fromRegion} -${moves}-> ${toKind}@${to}/${toRegion}`);
  order.forEach((name, i) => {
    const environment = config.environments.find((e) => e.name === name)!;
    const next = order[i + 1];
    add("bucket", name, primary, "objects", "bucket", name, dr);
    if (next) add("bucket", name, primary, "objects", "bucket", next, primary);
    if (next) add("parameters", name, primary, "parameters", "parameters", next, primary);
    if (environment.disasterRecovery) for (const _ of environment.databases) add("database", name, primary, "data", "database", name, dr);
    if (!config.ledgerGlobalTable.enabled) add("table", name, primary, "items", "table", name, dr);
    else if (i > 0) add("table", order[0], primary, "items", "table", name, primary);
    for (const destination of config.snapshots.destinations) add("job", name, primary, "snapshots", "snapshots", name, destination.region);
    if (environment.snapshotAccountCopy) add("job", name, primary, "snapshots", "snapshots", environment.snapshotAccountCopy.environment, dr);
    add("bus", name, primary, "events", "bus", config.operationsEnvironment, primary);
    // The edge tier (docs/edge-tier.md), where an environment has one: content bucket into the DR
    // region, and the distribution's origin groups, each primary-region origin failing over to the DR one.
    if ((environment as { edgeTier?: unknown }).edgeTier) {
      add("bucket", name, primary, "objects", "bucket", name, dr);
      for (const region of [primary, dr]) {
        add("edge", name, primary, "requests", "bucket", name, region);
        add("edge", name, primary, "requests", "edge", name, region);
      }
    }
  });
  const stateEnvironment = config.environments.find((e) => e.accountId === config.stateBackend.accountId)!.name;
  add("bucket", stateEnvironment, config.stateBackend.region, "events", "bus", config.operationsEnvironment, primary);
  return edges.sort();
}

/** The same edges read back from the SVG's `g.edge` and `g.node` elements. */
function drawnEdges(svg: string): string[] {
  const document = parseSvg(svg);
  const nodes = new Map(elements(document, "g", "node").map((n) => [n["data-id"], `${n["data-kind"]}@${n["data-environment"]}/${n["data-region"]}`]));
  return elements(document, "g", "edge")
    .map((e) => `${nodes.get(e["data-from"])} -${e["data-moves"]}-> ${nodes.get(e["data-to"])}`)
    .sort();
}

function textsOf(svg: string): string[] {
  return Array.from(parseSvg(svg).getElementsByTagName("text") as ArrayLike<{ textContent: string | null }>).map((t) => t.textContent ?? "");
}

describe.each([
  [BUILT_IN, () => exampleRaw()],
  ["examples/four-environments.json", () => JSON.parse(readFileSync(path.join(ROOT, "examples", "four-environments.json"), "utf8"))],
  ["six environments", () => sixEnvironments()],
])("the topology diagram of %s", (name, raw) => {
  let drawn: Drawn;
  beforeAll(() => {
    drawn = draw(name, raw);
  }, 180_000);

  test("is well-formed XML with one account group per environment and one region group per place", () => {
    // GIVEN the synthesized platform  WHEN it is drawn  THEN the SVG parses and groups by account, then region
    const document = parseSvg(drawn.diagram.svg);
    const accounts = elements(document, "g", "account").map((g) => g["data-environment"]);
    expect(accounts).toEqual(drawn.config.promotionOrder);
    const regions = new Set(elements(document, "g", "region").map((g) => g["data-region"]));
    expect([...regions].sort()).toEqual([...new Set([drawn.config.primaryRegion, drawn.config.drRegion, ...drawn.config.snapshots.destinations.map((d) => d.region)])].sort());
    for (const environment of drawn.config.environments) expect(textsOf(drawn.diagram.svg)).toContain(`account ${environment.accountId}`);
  });

  test("names every synthesized stack with its place in the deploy order", () => {
    const shown = elements(parseSvg(drawn.diagram.svg), "g", "stack").map((g) => g["data-stack"]);
    expect([...shown].sort()).toEqual(drawn.stacks.map((s) => s.name).sort());
    const texts = textsOf(drawn.diagram.svg);
    for (const stack of drawn.stacks) expect(texts.some((t) => t.startsWith(`#${stack.deployOrder} ${stack.name}`))).toBe(true);
  });

  test("draws exactly the replication edges the configuration promises", () => {
    expect(drawnEdges(drawn.diagram.svg)).toEqual(expectedEdges(drawn.config));
  });

  test("labels every arrow with what moves and has a legend line for each kind", () => {
    const texts = textsOf(drawn.diagram.svg);
    for (const edge of drawn.diagram.topology.edges) {
      expect(edge.label.startsWith(edge.moves)).toBe(true);
      expect(texts).toContain(edge.label);
    }
    for (const moves of new Set(drawn.diagram.topology.edges.map((e) => e.moves))) expect(texts.some((t) => t.startsWith(`${moves}: `))).toBe(true);
  });

  test("the Mermaid source beside it has the same nodes and arrows", () => {
    const arrows = drawn.diagram.mermaid.split("\n").filter((line) => / -- ".*" --> /.test(line));
    expect(arrows).toHaveLength(drawn.diagram.topology.edges.length);
    for (const node of drawn.diagram.topology.nodes) expect(drawn.diagram.mermaid).toContain(node.label.replace(/"/g, "#quot;"));
  });

  test("renders in headless Chromium to a drawn picture of the viewBox's size", () => {
    // GIVEN the SVG on disk, shown as an image on a black page larger than it
    // WHEN Chromium takes a screenshot  THEN the picture covers exactly the viewBox's size and has ink on it
    const svg = parseSvg(drawn.diagram.svg).documentElement!;
    const [, , width, height] = svg.getAttribute("viewBox")!.split(" ").map(Number);
    const dir = mkdtempSync(path.join(tmpdir(), "topology-render-"));
    try {
      const file = path.join(dir, "topology.svg");
      writeFileSync(file, drawn.diagram.svg);
      // Chromium's own XML parser: a document it cannot parse comes back with a <parsererror>.
      expect(chromium(["--dump-dom"], file)).not.toContain("parsererror");
      const page = path.join(dir, "page.html");
      writeFileSync(page, `<!DOCTYPE html><html><body style="margin:0;background:#000"><img src="topology.svg"></body></html>`);
      const shot = path.join(dir, "page.png");
      chromium([`--screenshot=${shot}`, `--window-size=${width + 80},${height + 80}`], page);
      const png = decodePng(readFileSync(shot));
      expect({ width: png.width, height: png.height }).toEqual({ width: width + 80, height: height + 80 });
      const drawnBox = boundingBox(png);
      expect(drawnBox).toEqual({ left: 0, top: 0, width, height });
      // Not a blank page: lines, boxes and letters (anything neither white nor black) cover some of it.
      let ink = 0;
      for (let y = 0; y < height; y += 2) for (let x = 0; x < width; x += 2) if (png.rgb(x, y).some((c) => c < 230)) ink++;
      expect(ink / ((width / 2) * (height / 2))).toBeGreaterThan(0.02);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

/** The smallest box holding every pixel that is not black (the page around the picture is black). */
function boundingBox(png: Png) {
  const rowDrawn = (y: number) => {
    for (let x = 0; x < png.width; x++) if (png.brightness(x, y) > 0) return true;
    return false;
  };
  let top = 0;
  while (top < png.height && !rowDrawn(top)) top++;
  let bottom = png.height - 1;
  while (bottom > top && !rowDrawn(bottom)) bottom--;
  // Each row is scanned from both ends only until a drawn pixel, so the cost is the black margin.
  let left = png.width;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    for (let x = 0; x < left; x++) if (png.brightness(x, y) > 0) left = x;
    for (let x = png.width - 1; x > right; x--) if (png.brightness(x, y) > 0) right = x;
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

describe("the committed picture of the built-in example", () => {
  test("docs/topology.svg and docs/topology.mmd are what `npm run diagram` draws now", () => {
    // A stale picture in the README is worse than none: regenerate it with `npm run diagram`.
    const { diagram } = draw(BUILT_IN, exampleRaw);
    expect(readFileSync(path.join(ROOT, "docs", "topology.svg"), "utf8")).toBe(diagram.svg);
    expect(readFileSync(path.join(ROOT, "docs", "topology.mmd"), "utf8")).toBe(diagram.mermaid);
  }, 180_000);
});
