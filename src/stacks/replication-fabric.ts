import { addEnvironmentArtifacts } from "../artifacts/environment-artifacts";
import type { DataTier } from "./data-tier";
import type { EnvironmentStack } from "./environment-stack";

/**
 * Composes artifact replication, the ledger, config mirroring, events and monitoring of one
 * environment stack. The fabric's functions call only AWS APIs, so they run outside the VPC and do
 * not use the data tier.
 */
export function addReplicationFabric(stack: EnvironmentStack, dataTier: DataTier): void {
  void dataTier;
  addEnvironmentArtifacts(stack);
}
