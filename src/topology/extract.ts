import type { PlatformConfig } from "../config/types";
import { TOPOLOGY_EXTRACTORS } from "./extractors";
import type { CellKey, Topology, TopologyColumn, TopologyEdge, TopologyNode, TopologyStack } from "./model";
import { STATE_COLUMN } from "./model";
import type { SynthesizedStack, TerraformJson } from "./synthesized";

/** What an extractor gets: the configuration, the synthesized stacks and the means to add to the picture. */
export interface ExtractionContext {
  readonly config: PlatformConfig;
  readonly stacks: readonly SynthesizedStack[];
  /** The cell a resource of `stack` lands in, from its `provider` (`aws.<alias>`, or the default provider). */
  placeOf(stack: SynthesizedStack, provider?: string): CellKey;
  /** The environment column that holds an account, preferring `hint` when several environments share it. */
  columnOfAccount(accountId: string, hint?: string): string;
  /** Adds a node once; a second call with the same id keeps the first. Returns the id. */
  addNode(node: TopologyNode): string;
  addEdge(edge: TopologyEdge): void;
  hasNode(id: string): boolean;
}

/** Reads one capability out of the synthesized stacks (databases, buckets, ledger, ...). */
export type TopologyExtractor = (context: ExtractionContext) => void;

/** Every resource of one type in a stack, by logical name. */
export function resourcesOf(json: TerraformJson, type: string): [string, any][] {
  return Object.entries(json.resource?.[type] ?? {});
}

/** The resource (or data source) a `${type.name.attribute}` (`${data.type.name.attribute}`) reference points at, if the stack holds it. */
export function referenced(json: TerraformJson, reference: unknown): any {
  return referencedWithType(json, reference)?.block;
}

/** Like `referenced`, with the type of what it points at (`aws_lb`, `data.aws_lb`, ...). */
export function referencedWithType(json: TerraformJson, reference: unknown): { type: string; block: any } | undefined {
  const match = typeof reference === "string" ? /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\./.exec(reference) : null;
  if (!match) return undefined;
  const block = (match[1] ? json.data : json.resource)?.[match[2]]?.[match[3]];
  return block === undefined ? undefined : { type: `${match[1] ?? ""}${match[2]}`, block };
}

/** The environment stacks, `<env>-<region>`, with their environment. */
export function environmentStacks(context: ExtractionContext): { stack: SynthesizedStack; environment: string; region: string }[] {
  const result = [];
  for (const stack of context.stacks) {
    for (const environment of context.config.environments) {
      for (const region of [context.config.primaryRegion, context.config.drRegion]) {
        if (stack.name === `${environment.name}-${region}`) result.push({ stack, environment: environment.name, region });
      }
    }
  }
  return result;
}

/** Builds the topology: columns and rows from the configuration, everything else from the stacks. */
export function extractTopology(config: PlatformConfig, stacks: readonly SynthesizedStack[], extractors = TOPOLOGY_EXTRACTORS): Topology {
  const environments = config.promotionOrder.map((name) => config.environments.find((e) => e.name === name)!);
  const stateAccount = config.stateBackend.accountId;
  const columns: TopologyColumn[] = environments.map((e) => ({
    name: e.name,
    accountId: e.accountId,
    note: e.name === config.operationsEnvironment ? "operations" : undefined,
  }));
  if (!environments.some((e) => e.accountId === stateAccount)) columns.push({ name: STATE_COLUMN, accountId: stateAccount });

  const nodes = new Map<string, TopologyNode>();
  const edges: TopologyEdge[] = [];
  const columnOfAccount = (accountId: string, hint?: string): string => {
    const holders = environments.filter((e) => e.accountId === accountId);
    if (holders.length === 0) return STATE_COLUMN;
    const words = new Set((hint ?? "").split(/[\s_-]+/));
    return (holders.find((e) => words.has(e.name)) ?? holders[0]).name;
  };
  const context: ExtractionContext = {
    config,
    stacks,
    placeOf(stack, provider) {
      const blocks = stack.json.provider?.aws ?? [];
      const alias = provider?.startsWith("aws.") ? provider.slice(4) : undefined;
      const block = blocks.find((b) => b.alias === alias) ?? blocks.find((b) => b.alias === undefined)!;
      const accountId = block.allowed_account_ids?.[0] ?? stateAccount;
      // The stack's own environment wins when several share the account; an alias like `ledger_prod` names its own.
      return { column: columnOfAccount(accountId, `${alias ?? ""} ${stack.name.split("-")[0]}`), region: block.region };
    },
    columnOfAccount,
    addNode(node) {
      if (!nodes.has(node.id)) nodes.set(node.id, node);
      return node.id;
    },
    addEdge(edge) {
      edges.push(edge);
    },
    hasNode: (id) => nodes.has(id),
  };
  for (const extract of extractors) extract(context);

  const missing = edges.flatMap((e) => [e.from, e.to]).filter((id) => !nodes.has(id));
  if (missing.length > 0) throw new Error(`topology: edges name nodes nobody added: ${[...new Set(missing)].join(", ")}`);

  const regions = [config.primaryRegion, config.drRegion];
  for (const node of nodes.values()) if (!regions.includes(node.region)) regions.push(node.region);
  return { project: config.project, columns, regions, stacks: stacksOf(stacks, config, columnOfAccount), nodes: [...nodes.values()], edges };
}

function stacksOf(stacks: readonly SynthesizedStack[], config: PlatformConfig, columnOfAccount: (id: string, hint?: string) => string): TopologyStack[] {
  return stacks.map((stack) => {
    const main = (stack.json.provider?.aws ?? []).find((b) => b.alias === undefined);
    const column = columnOfAccount(main?.allowed_account_ids?.[0] ?? config.stateBackend.accountId, stack.name);
    // A bootstrap stack holds IAM only: account-wide, so it belongs to the column rather than a region.
    const accountWide = stack.name.startsWith("bootstrap-");
    return { name: stack.name, deployOrder: stack.deployOrder, column, region: accountWide ? undefined : main?.region };
  });
}
