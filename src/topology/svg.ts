import type { Layout, PlacedNode, RoutedEdge } from "./layout";
import { NODE_WIDTH } from "./layout";
import type { Moves, NodeKind, Topology } from "./model";

/** Colour of each kind of traffic; the legend lists the ones the picture uses. */
export const MOVES_COLOURS: Readonly<Record<Moves, string>> = {
  objects: "#2e7d32",
  items: "#1565c0",
  parameters: "#ef6c00",
  snapshots: "#6a1b9a",
  events: "#c62828",
  data: "#5d4037",
  requests: "#00838f",
};

const MOVES_MEANING: Readonly<Record<Moves, string>> = {
  objects: "S3 objects (replication rules)",
  items: "DynamoDB items (ledger replicas)",
  parameters: "SSM parameters (config mirror)",
  snapshots: "RDS snapshots (scheduled copies)",
  events: "EventBridge events (rules into the central bus)",
  data: "Aurora storage replication (global database)",
  requests: "requests (edge tier)",
};

const KIND_STYLE: Readonly<Record<NodeKind, { letter: string; fill: string }>> = {
  database: { letter: "D", fill: "#efebe9" },
  bucket: { letter: "S", fill: "#e8f5e9" },
  table: { letter: "T", fill: "#e3f2fd" },
  parameters: { letter: "P", fill: "#fff3e0" },
  bus: { letter: "E", fill: "#ffebee" },
  job: { letter: "J", fill: "#f3e5f5" },
  snapshots: { letter: "R", fill: "#f3e5f5" },
  edge: { letter: "X", fill: "#e0f7fa" },
};

const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";
/** Rough width of one character at font-size 10, for truncating text that would leave its box. */
const CHAR_WIDTH_10 = 5.9;

/** Renders the laid-out topology as a standalone SVG document (no scripts, no external resources). */
export function renderSvg(topology: Topology, layout: Layout): string {
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="${FONT}" font-size="10">`,
  );
  out.push(`<title>${escape(`${topology.project}: accounts, regions, stacks and what replicates where`)}</title>`);
  out.push(`<defs>`);
  for (const [moves, colour] of Object.entries(MOVES_COLOURS)) {
    out.push(`<marker id="arrow-${moves}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`);
  }
  out.push(`</defs>`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(text(layout.title[0], layout.title[1], `${topology.project}: what replicates where, and what deploys first`, { size: 16, weight: "bold" }));
  out.push(text(layout.title[0], layout.title[1] + 17, "columns: accounts in promotion order · rows: regions · #n: deploy order (npm run deploy)", { size: 10, fill: "#555" }));

  for (const column of layout.columns) {
    out.push(`<g class="account" data-environment="${escape(column.name)}">`);
    out.push(`<rect x="${column.x}" y="${column.y}" width="${column.width}" height="${column.height}" rx="8" fill="#fafafa" stroke="#9e9e9e"/>`);
    let y = column.y + 18;
    out.push(text(column.x + 12, y, column.name, { size: 13, weight: "bold" }));
    y += 15;
    out.push(text(column.x + 12, y, `account ${column.accountId}`, { fill: "#555" }));
    if (column.note) {
      y += 15;
      out.push(text(column.x + 12, y, column.note, { fill: "#555", style: "italic" }));
    }
    for (const stack of column.stacks) {
      y += 15;
      out.push(`<g class="stack" data-stack="${escape(stack.name)}">${text(column.x + 12, y, `#${stack.deployOrder} ${stack.name} (account-wide IAM)`)}</g>`);
    }
    out.push(`</g>`);
  }

  for (const cell of layout.cells) {
    out.push(`<g class="region" data-environment="${escape(cell.column)}" data-region="${escape(cell.region)}">`);
    out.push(`<rect x="${cell.x}" y="${cell.y}" width="${cell.width}" height="${cell.height}" rx="6" fill="#ffffff" stroke="#bdbdbd" stroke-dasharray="4 2"/>`);
    let y = cell.y + 12 + 10;
    out.push(text(cell.x + 12, y, cell.region, { weight: "bold", fill: "#424242" }));
    for (const stack of cell.stacks) {
      y += 15;
      out.push(`<g class="stack" data-stack="${escape(stack.name)}">${text(cell.x + 12, y, `#${stack.deployOrder} ${stack.name}`, { fill: "#424242" })}</g>`);
    }
    out.push(`</g>`);
  }

  for (const node of layout.nodes) out.push(renderNode(node));
  for (const edge of layout.edges) out.push(renderEdge(edge));
  out.push(renderLegend(topology, layout));
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function renderNode(placed: PlacedNode): string {
  const { node } = placed;
  const style = KIND_STYLE[node.kind];
  const textX = placed.x + 28;
  const room = NODE_WIDTH - 34;
  const middle = placed.y + placed.height / 2;
  const parts = [
    `<g class="node" data-id="${escape(node.id)}" data-kind="${node.kind}" data-environment="${escape(node.column)}" data-region="${escape(node.region)}">`,
    `<rect x="${placed.x}" y="${placed.y}" width="${placed.width}" height="${placed.height}" rx="4" fill="${style.fill}" stroke="#757575"/>`,
    `<circle cx="${placed.x + 14}" cy="${middle}" r="8" fill="#ffffff" stroke="#757575"/>`,
    text(placed.x + 14, middle + 3.5, style.letter, { anchor: "middle", weight: "bold", size: 9 }),
  ];
  if (node.detail) {
    parts.push(text(textX, middle - 3, fit(node.label, room, 10.5), { size: 10.5 }));
    parts.push(text(textX, middle + 10, fit(node.detail, room, 9), { size: 9, fill: "#555" }));
  } else {
    parts.push(text(textX, middle + 4, fit(node.label, room, 10.5), { size: 10.5 }));
  }
  parts.push(`</g>`);
  return parts.join("");
}

function renderEdge(routed: RoutedEdge): string {
  const { edge } = routed;
  const colour = MOVES_COLOURS[edge.moves];
  const points = routed.points.map(([x, y]) => `${x},${y}`).join(" ");
  const dash = routed.crossAccount ? ` stroke-dasharray="6 3"` : "";
  return [
    `<g class="edge" data-from="${escape(edge.from)}" data-to="${escape(edge.to)}" data-moves="${edge.moves}">`,
    `<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="1.6"${dash} marker-end="url(#arrow-${edge.moves})"/>`,
    text(routed.labelAt[0], routed.labelAt[1], edge.label, { size: 9, fill: colour, halo: true }),
    `</g>`,
  ].join("");
}

function renderLegend(topology: Topology, layout: Layout): string {
  const [x, y] = layout.legend;
  const used = (Object.keys(MOVES_COLOURS) as Moves[]).filter((m) => topology.edges.some((e) => e.moves === m));
  const parts = [`<g class="legend">`, text(x, y + 12, "Legend", { weight: "bold", size: 11 })];
  const perColumn = Math.ceil(used.length / 2);
  used.forEach((moves, i) => {
    const lx = x + Math.floor(i / perColumn) * 330;
    const ly = y + 30 + (i % perColumn) * 16;
    parts.push(`<line x1="${lx}" y1="${ly - 3}" x2="${lx + 28}" y2="${ly - 3}" stroke="${MOVES_COLOURS[moves]}" stroke-width="1.6" marker-end="url(#arrow-${moves})"/>`);
    parts.push(text(lx + 36, ly, `${moves}: ${MOVES_MEANING[moves]}`));
  });
  const nx = x + 700;
  parts.push(`<line x1="${nx}" y1="${y + 27}" x2="${nx + 28}" y2="${y + 27}" stroke="#424242" stroke-width="1.6" stroke-dasharray="6 3"/>`);
  parts.push(text(nx + 36, y + 30, "dashed: crosses into another account"));
  parts.push(text(nx, y + 46, "letters: D database · S bucket · T table · P parameters · E events · J job · R snapshot copies · X edge tier"));
  parts.push(text(nx, y + 62, "regenerate: npm run diagram (from the configuration and the synthesized stacks)"));
  parts.push(`</g>`);
  return parts.join("");
}

interface TextStyle {
  readonly size?: number;
  readonly weight?: "bold";
  readonly style?: "italic";
  readonly fill?: string;
  readonly anchor?: "middle";
  /** A white outline behind the letters, so a label stays readable where it crosses a line. */
  readonly halo?: boolean;
}

function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const attributes = [`x="${round(x)}"`, `y="${round(y)}"`];
  if (style.size) attributes.push(`font-size="${style.size}"`);
  if (style.weight) attributes.push(`font-weight="${style.weight}"`);
  if (style.style) attributes.push(`font-style="${style.style}"`);
  if (style.fill) attributes.push(`fill="${style.fill}"`);
  if (style.anchor) attributes.push(`text-anchor="${style.anchor}"`);
  if (style.halo) attributes.push(`stroke="#ffffff" stroke-width="3" paint-order="stroke"`);
  return `<text ${attributes.join(" ")}>${escape(content)}</text>`;
}

/** Shortens text that would not fit `width` pixels at `size`, marking the cut with an ellipsis. */
function fit(content: string, width: number, size: number): string {
  const max = Math.floor(width / ((CHAR_WIDTH_10 * size) / 10));
  return content.length <= max ? content : `${content.slice(0, max - 1)}…`;
}

function round(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export function escape(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
