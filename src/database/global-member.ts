/**
 * What RDS, not Terraform, changes on the member clusters of an Aurora global database when the
 * writer moves between regions (`npm run dr -- switchover|failover`, see docs/disaster-recovery.md).
 * Both members carry the same list, because either one can be the writer: the cluster that was
 * created as the primary becomes a secondary after a switchover, and the other way round.
 */
export const GLOBAL_MEMBER_RDS_MANAGED_ATTRIBUTES: readonly string[] = [
  // RDS sets it on whichever cluster is currently a secondary (the writer's ARN) and clears it on the
  // writer. Left to Terraform, removing it is a promotion to a standalone cluster, which the provider
  // refuses for a global member ("promoting to standalone is not supported").
  "replication_source_identifier",
  // Empty after detach-and-promote (RemoveFromGlobalCluster); the provider cannot add an existing
  // cluster back ("existing RDS Clusters cannot be added to an existing RDS Global Cluster"), so a
  // diff here could only fail an apply. The global cluster is rebuilt deliberately (see the docs).
  "global_cluster_identifier",
  // Upgrades go through the global cluster's engine_version.
  "engine_version",
  // Both force replacement and are fixed at creation. Only the cluster created as the primary sets
  // them; once it is a secondary RDS may report them differently (DescribeDBClusters on a secondary),
  // and a replacement of a live database is never what a plan after a switchover should propose.
  "master_username",
  "database_name",
];

/** Identifiers of one global database and its secondary, derived from the primary cluster's identifier. */
export function globalDatabaseIdentifiers(clusterIdentifier: string, drRegion: string): { readonly globalClusterIdentifier: string; readonly secondaryClusterIdentifier: string } {
  return { globalClusterIdentifier: `${clusterIdentifier}-global`, secondaryClusterIdentifier: `${clusterIdentifier}-${drRegion}` };
}
