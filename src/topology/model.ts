/**
 * The platform's topology as the diagram shows it: where things live (environment = account column,
 * region row), what the stacks are and in which order they deploy, and what replicates where.
 *
 * Built by `extract.ts` from the validated configuration and the synthesized stacks; drawn by
 * `svg.ts` and `mermaid.ts`. A new capability adds a `TopologyExtractor` (see `extractors.ts`).
 */

/** What moves along an edge; each has its own colour in the diagram and a line in the legend. */
export type Moves = "objects" | "items" | "parameters" | "snapshots" | "events" | "data" | "requests";

/** What a node is; decides its icon letter and fill. */
export type NodeKind = "database" | "bucket" | "table" | "parameters" | "bus" | "job" | "snapshots" | "edge";

/** One place of the grid: an environment's account (or the state account) in one region. */
export interface CellKey {
  /** Column: an environment name, or `STATE_COLUMN` when the state account holds no environment. */
  readonly column: string;
  readonly region: string;
}

export interface TopologyNode extends CellKey {
  /** Unique and stable, e.g. `bucket:replica-dev-artifacts-111111111111-us-east-1`. */
  readonly id: string;
  readonly kind: NodeKind;
  /** First line, e.g. `ledger (aurora-postgresql)`. */
  readonly label: string;
  /** Second line, e.g. the bucket name. @default none */
  readonly detail?: string;
}

export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly moves: Moves;
  /** Text on the arrow, starting with what moves, e.g. `objects promote/`. */
  readonly label: string;
}

/** One synthesized stack and its place in the deploy order (1 = first). */
export interface TopologyStack {
  readonly name: string;
  readonly deployOrder: number;
  /** The cell it deploys into; account-wide stacks (IAM bootstrap) have no region. */
  readonly column: string;
  readonly region?: string;
}

export interface TopologyColumn {
  /** Environment name, or `STATE_COLUMN`. */
  readonly name: string;
  readonly accountId: string;
  /** Shown under the column's name, e.g. `operations (central bus)`. @default none */
  readonly note?: string;
}

export interface Topology {
  readonly project: string;
  /** Columns in promotion order (the state account last when it is no environment's account). */
  readonly columns: readonly TopologyColumn[];
  /** Rows: the primary region, the DR region, then any other region something is copied into. */
  readonly regions: readonly string[];
  readonly stacks: readonly TopologyStack[];
  readonly nodes: readonly TopologyNode[];
  readonly edges: readonly TopologyEdge[];
}

/** Column of the state bucket when its account is not an environment's account. */
export const STATE_COLUMN = "state account";
