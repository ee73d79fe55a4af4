import type { EnvironmentStack } from "./environment-stack";

/** What the data tier of one environment stack offers the capabilities composed after it. */
export interface DataTier {}

/** Composes the network, peering and databases of one environment stack. */
export function addDataTier(stack: EnvironmentStack): DataTier {
  void stack;
  return {};
}
