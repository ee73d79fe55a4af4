import type { Topology, TopologyEdge, TopologyNode, TopologyStack } from "./model";

/**
 * A deterministic grid layout: one column per account (environments in promotion order), one row per
 * region, the nodes of a cell stacked in it. Arrows run orthogonally through the gutters between
 * columns (one lane each) and, when they skip a column, along a highway in the band under the first
 * row, so they never cross a node. Everything here is pure arithmetic on the topology: the same
 * topology always gives the same picture.
 */

export const CELL_WIDTH = 330;
const CELL_PAD = 12;
export const NODE_WIDTH = CELL_WIDTH - 2 * CELL_PAD;
const NODE_MIN_HEIGHT = 36;
const PORT_SPACING = 14;
const NODE_GAP = 10;
const LINE = 15;
const MARGIN = 24;
const TITLE_HEIGHT = 44;
/** Room at the left of each gutter for the labels of the arrows leaving the column. */
const LABEL_ROOM = 132;
const LANE_STEP = 7;
const BAND_PAD = 28;

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedNode extends Box {
  readonly node: TopologyNode;
}

export interface PlacedCell extends Box {
  readonly column: string;
  readonly region: string;
  /** Stacks deployed into this cell, in deploy order. */
  readonly stacks: readonly TopologyStack[];
}

export interface PlacedColumn extends Box {
  readonly name: string;
  readonly accountId: string;
  readonly note?: string;
  /** Account-wide stacks (the bootstrap), in deploy order. */
  readonly stacks: readonly TopologyStack[];
}

export interface RoutedEdge {
  readonly edge: TopologyEdge;
  /** Polyline points, source port first, arrow head at the last. */
  readonly points: readonly (readonly [number, number])[];
  /** Where the label starts (left end, baseline). */
  readonly labelAt: readonly [number, number];
  /** True when the arrow crosses from one account into another. */
  readonly crossAccount: boolean;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly title: readonly [number, number];
  readonly columns: readonly PlacedColumn[];
  readonly cells: readonly PlacedCell[];
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly RoutedEdge[];
  /** Top-left corner of the legend. */
  readonly legend: readonly [number, number];
}

/** Lines of a column header: name, account, note, then one per account-wide stack. */
function headerLines(topology: Topology, column: string): number {
  const info = topology.columns.find((c) => c.name === column)!;
  return 2 + (info.note ? 1 : 0) + topology.stacks.filter((s) => s.column === column && s.region === undefined).length;
}

export function layoutTopology(topology: Topology): Layout {
  const columnIndex = new Map(topology.columns.map((c, i) => [c.name, i]));
  const nodeById = new Map(topology.nodes.map((n) => [n.id, n]));
  const colOf = (id: string) => columnIndex.get(nodeById.get(id)!.column)!;

  // Which gutter lanes and highway lanes each edge needs decides the gutters' and the band's widths.
  // Gutter g lies right of column g; gutter -1 is the left margin.
  const gutterLanes = new Map<number, number>();
  let highwayLanes = 0;
  const plans = topology.edges.map((edge) => {
    const from = colOf(edge.from);
    const to = colOf(edge.to);
    const take = (g: number) => {
      const lane = gutterLanes.get(g) ?? 0;
      gutterLanes.set(g, lane + 1);
      return lane;
    };
    if (to === from || to === from + 1) return { edge, from, to, exitLane: take(from) };
    return { edge, from, to, exitLane: take(from), entryLane: take(to - 1), highway: highwayLanes++ };
  });
  const gutterWidth = (g: number) => (g < 0 ? 16 : LABEL_ROOM) + (gutterLanes.get(g) ?? 0) * LANE_STEP + 16;

  // Ports: outgoing on the right side; incoming on the left, or on the right for an arrow within the column.
  const outgoing = new Map<string, TopologyEdge[]>();
  const incoming = new Map<string, TopologyEdge[]>();
  for (const { edge, from, to } of plans) {
    outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
    const side = `${edge.to}:${from === to ? "right" : "left"}`;
    incoming.set(side, [...(incoming.get(side) ?? []), edge]);
  }
  const nodeHeight = (id: string) =>
    Math.max(NODE_MIN_HEIGHT, PORT_SPACING * (1 + Math.max(outgoing.get(id)?.length ?? 0, incoming.get(`${id}:left`)?.length ?? 0, incoming.get(`${id}:right`)?.length ?? 0)));

  // Columns' x.
  const columnX: number[] = [];
  let x = MARGIN + gutterWidth(-1);
  for (let c = 0; c < topology.columns.length; c++) {
    columnX.push(x);
    x += CELL_WIDTH + gutterWidth(c);
  }
  const width = x + MARGIN;

  // Rows' y: the tallest cell of each row decides its height.
  const stacksIn = (column: string, region: string) => topology.stacks.filter((s) => s.column === column && s.region === region);
  const nodesIn = (column: string, region: string) => topology.nodes.filter((n) => n.column === column && n.region === region);
  const cellHeight = (column: string, region: string) => {
    const nodes = nodesIn(column, region);
    const stacks = stacksIn(column, region);
    if (nodes.length === 0 && stacks.length === 0) return 0;
    return CELL_PAD + LINE * (1 + stacks.length) + 4 + nodes.reduce((sum, n) => sum + nodeHeight(n.id) + NODE_GAP, 0) + CELL_PAD - NODE_GAP;
  };
  const headerHeight = LINE * Math.max(...topology.columns.map((c) => headerLines(topology, c.name))) + 16;
  const gridTop = MARGIN + TITLE_HEIGHT + headerHeight;
  const bandHeight = BAND_PAD * 2 + highwayLanes * LANE_STEP;
  const rowY: number[] = [];
  let y = gridTop;
  for (let r = 0; r < topology.regions.length; r++) {
    rowY.push(y);
    const height = Math.max(...topology.columns.map((c) => cellHeight(c.name, topology.regions[r])));
    y += height + (r === 0 ? bandHeight : BAND_PAD);
  }
  const gridBottom = y - BAND_PAD;
  const highwayY = (lane: number) => rowY[1] - bandHeight + BAND_PAD + lane * LANE_STEP;

  const cells: PlacedCell[] = [];
  const nodes: PlacedNode[] = [];
  for (const [c, column] of topology.columns.entries()) {
    for (const [r, region] of topology.regions.entries()) {
      const height = cellHeight(column.name, region);
      if (height === 0) continue;
      const stacks = stacksIn(column.name, region);
      cells.push({ x: columnX[c], y: rowY[r], width: CELL_WIDTH, height, column: column.name, region, stacks });
      let nodeY = rowY[r] + CELL_PAD + LINE * (1 + stacks.length) + 4;
      for (const node of nodesIn(column.name, region)) {
        const h = nodeHeight(node.id);
        nodes.push({ x: columnX[c] + CELL_PAD, y: nodeY, width: NODE_WIDTH, height: h, node });
        nodeY += h + NODE_GAP;
      }
    }
  }
  const columns: PlacedColumn[] = topology.columns.map((column, c) => ({
    x: columnX[c] - 6,
    y: MARGIN + TITLE_HEIGHT,
    width: CELL_WIDTH + 12,
    height: gridBottom - (MARGIN + TITLE_HEIGHT) + 6,
    name: column.name,
    accountId: column.accountId,
    note: column.note,
    stacks: topology.stacks.filter((s) => s.column === column.name && s.region === undefined),
  }));

  const placed = new Map(nodes.map((n) => [n.node.id, n]));
  const portY = (box: PlacedNode, list: TopologyEdge[] | undefined, edge: TopologyEdge) => {
    const count = list?.length ?? 1;
    const index = Math.max(0, list?.indexOf(edge) ?? 0);
    return Math.round(box.y + (box.height * (index + 1)) / (count + 1));
  };
  const laneX = (g: number, lane: number) => (g < 0 ? columnX[0] : columnX[g + 1] ?? columnX[g] + CELL_WIDTH + gutterWidth(g)) - 12 - lane * LANE_STEP;
  const edges: RoutedEdge[] = plans.map(({ edge, from, to, exitLane, entryLane, highway }) => {
    const source = placed.get(edge.from)!;
    const target = placed.get(edge.to)!;
    const sy = portY(source, outgoing.get(edge.from), edge);
    const sx = source.x + source.width;
    const exitX = laneX(from, exitLane);
    const crossAccount = topology.columns[from].accountId !== topology.columns[to].accountId;
    let points: [number, number][];
    if (from === to) {
      const ty = portY(target, incoming.get(`${edge.to}:right`), edge);
      points = [[sx, sy], [exitX, sy], [exitX, ty], [target.x + target.width, ty]];
    } else {
      const ty = portY(target, incoming.get(`${edge.to}:left`), edge);
      if (highway === undefined) {
        points = [[sx, sy], [exitX, sy], [exitX, ty], [target.x, ty]];
      } else {
        const entryX = laneX(to - 1, entryLane!);
        const hy = highwayY(highway);
        points = [[sx, sy], [exitX, sy], [exitX, hy], [entryX, hy], [entryX, ty], [target.x, ty]];
      }
    }
    return { edge, points, labelAt: [sx + 5, sy - 3], crossAccount };
  });

  return { width, height: gridBottom + 12 + LEGEND_HEIGHT + MARGIN, title: [MARGIN, MARGIN + 20], columns, cells, nodes, edges, legend: [MARGIN, gridBottom + 12] };
}

/** Height the legend takes under the grid (svg.ts draws it in this many pixels). */
export const LEGEND_HEIGHT = 96;
