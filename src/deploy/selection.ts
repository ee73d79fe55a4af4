import type { ManifestStack } from "./manifest";

/** Raised when the targets name nothing known or the dependencies form a cycle. */
export class SelectionError extends Error {}

/** What a run will do: the stacks in apply order and what it assumes is already applied. */
export interface Selection {
  /** Selected stacks, dependencies first. */
  readonly order: readonly ManifestStack[];
  /** Stacks outside the selection that selected stacks depend on, each with the selected stacks that need it. */
  readonly assumedApplied: readonly { readonly stack: string; readonly neededBy: readonly string[] }[];
}

const STATE_BOOTSTRAP = "state-bootstrap";
const ENVIRONMENT_STACK = /^([a-z][a-z0-9]*)-([a-z]{2}(?:-[a-z]+)+-\d)$/;

/** `state-bootstrap` and the `bootstrap-<env>` stacks administrators apply once, outside `all`. */
export function isBootstrapStack(name: string): boolean {
  return name === STATE_BOOTSTRAP || name.startsWith("bootstrap-");
}

/** The environment an `<env>-<region>` stack belongs to, or undefined for any other stack. */
export function environmentOf(name: string): string | undefined {
  if (isBootstrapStack(name)) return undefined;
  return ENVIRONMENT_STACK.exec(name)?.[1];
}

/**
 * Resolves targets to stacks. A target is `all` (every environment stack), `bootstrap`
 * (`state-bootstrap` and every `bootstrap-*` stack), an environment name (its stacks) or a stack name.
 * @throws SelectionError naming each unknown target and what is known.
 */
export function selectStacks(stacks: readonly ManifestStack[], targets: readonly string[]): Set<string> {
  if (targets.length === 0) throw new SelectionError(`no target given: name all, bootstrap, an environment or a stack (${describeKnown(stacks)})`);
  const selected = new Set<string>();
  const unknown: string[] = [];
  for (const target of targets) {
    const matches = matchTarget(stacks, target);
    if (matches.length === 0) unknown.push(target);
    for (const name of matches) selected.add(name);
  }
  if (unknown.length > 0) {
    throw new SelectionError(`unknown target${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => `"${t}"`).join(", ")}: known are all, bootstrap, ${describeKnown(stacks)}`);
  }
  return selected;
}

function matchTarget(stacks: readonly ManifestStack[], target: string): string[] {
  if (stacks.some((s) => s.name === target)) return [target];
  if (target === "all") return stacks.filter((s) => !isBootstrapStack(s.name)).map((s) => s.name);
  if (target === "bootstrap") return stacks.filter((s) => isBootstrapStack(s.name)).map((s) => s.name);
  return stacks.filter((s) => environmentOf(s.name) === target).map((s) => s.name);
}

function describeKnown(stacks: readonly ManifestStack[]): string {
  const environments = [...new Set(stacks.map((s) => environmentOf(s.name)).filter((e): e is string => e !== undefined))];
  return `environments ${environments.join(", ") || "(none)"}; stacks ${stacks.map((s) => s.name).join(", ") || "(none)"}`;
}

/**
 * Orders the selected stacks so every stack comes after the stacks it depends on, also through
 * stacks that are not selected. The order is stable: among stacks whose dependencies are all
 * placed, the first by name goes next, so the same manifest always gives the same order.
 * @throws SelectionError naming a dependency cycle.
 */
export function planOrder(stacks: readonly ManifestStack[], selected: ReadonlySet<string>): Selection {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const order = topologicalOrder(stacks).filter((s) => selected.has(s.name));
  const neededBy = new Map<string, string[]>();
  for (const stack of order) {
    for (const dependency of stack.dependencies) {
      if (selected.has(dependency) || !byName.has(dependency)) continue;
      neededBy.set(dependency, [...(neededBy.get(dependency) ?? []), stack.name]);
    }
  }
  const assumedApplied = [...neededBy.entries()].sort(([a], [b]) => compare(a, b)).map(([stack, needers]) => ({ stack, neededBy: needers }));
  return { order, assumedApplied };
}

function topologicalOrder(stacks: readonly ManifestStack[]): ManifestStack[] {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  // A dependency on a stack the manifest does not hold can never be placed: parseManifest reports it.
  const remaining = new Map(stacks.map((s) => [s.name, new Set(s.dependencies.filter((d) => byName.has(d)))]));
  const result: ManifestStack[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.entries()].filter(([, deps]) => deps.size === 0).map(([name]) => name).sort(compare);
    if (ready.length === 0) throw new SelectionError(`the stack dependencies form a cycle: ${findCycle(remaining).join(" → ")}`);
    const next = ready[0];
    remaining.delete(next);
    for (const deps of remaining.values()) deps.delete(next);
    result.push(byName.get(next)!);
  }
  return result;
}

/** Follows unplaced dependencies from the first unplaced stack until a stack repeats. */
function findCycle(remaining: Map<string, Set<string>>): string[] {
  const path: string[] = [];
  let current = [...remaining.keys()].sort(compare)[0];
  while (!path.includes(current)) {
    path.push(current);
    current = [...remaining.get(current)!].sort(compare)[0];
  }
  return [...path.slice(path.indexOf(current)), current];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
