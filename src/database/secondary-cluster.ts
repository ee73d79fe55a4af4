import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import type { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { DatabaseConfig } from "../config/types";
import { clusterParameterGroup, exportLogGroups, serverlessInstances, sharedClusterSettings } from "./cluster-parts";
import { ENGINE_TRAITS } from "./engine";
import { GLOBAL_MEMBER_RDS_MANAGED_ATTRIBUTES } from "./global-member";

export interface SecondaryClusterProps {
  readonly database: DatabaseConfig;
  readonly clusterIdentifier: string;
  /** Reference to the global cluster's id. */
  readonly globalClusterId: string;
  /** Provider of the DR region (same account). */
  readonly provider: AwsProvider;
  /** DB subnet group in the DR region, created by the DR-region stack. */
  readonly subnetGroupName: string;
  readonly securityGroupIds: readonly string[];
  readonly availabilityZones: readonly string[];
  /** The environment key of the DR region. */
  readonly kmsKeyArn: string;
  readonly deletionProtection: boolean;
  readonly monitoringRoleArn?: string;
  /** The primary's instances: a secondary can only join once the primary has a writer. */
  readonly after: readonly ITerraformDependable[];
}

/**
 * The read-only secondary cluster of an Aurora global database in the DR region, encrypted with that
 * region's environment key. It has no master user or database name of its own (both replicate from
 * the primary). It takes no final snapshot when deleted: the data lives on in the primary cluster and
 * its backups, and RDS cannot snapshot a member that is leaving a global database.
 */
export class SecondaryCluster extends Construct {
  readonly cluster: RdsCluster;
  readonly instances: readonly RdsClusterInstance[];

  constructor(scope: Construct, id: string, props: SecondaryClusterProps) {
    super(scope, id);
    const { database, clusterIdentifier, deletionProtection, provider } = props;
    const parameterGroup = clusterParameterGroup(this, "parameters", database, clusterIdentifier, provider);
    const logGroups = exportLogGroups(this, "logs", database, clusterIdentifier, props.kmsKeyArn, provider);
    this.cluster = new RdsCluster(this, "cluster", {
      provider,
      clusterIdentifier,
      globalClusterIdentifier: props.globalClusterId,
      engine: database.engine,
      engineVersion: database.engineVersion,
      engineMode: "provisioned",
      port: ENGINE_TRAITS[database.engine].port,
      ...sharedClusterSettings(database, { ...props, parameterGroupName: parameterGroup.name }, "secondary"),
      deletionProtection,
      skipFinalSnapshot: true,
      applyImmediately: !deletionProtection,
      allowMajorVersionUpgrade: false,
      dependsOn: [...props.after, ...logGroups],
      lifecycle: {
        ...(deletionProtection ? { preventDestroy: true } : {}),
        // The same list as the primary's: after a switchover this cluster is the writer.
        ignoreChanges: [...GLOBAL_MEMBER_RDS_MANAGED_ATTRIBUTES],
      },
    });
    this.instances = serverlessInstances(this, "instance", {
      database,
      clusterIdentifier,
      clusterId: this.cluster.id,
      subnetGroupName: props.subnetGroupName,
      availabilityZones: props.availabilityZones,
      kmsKeyArn: props.kmsKeyArn,
      monitoringRoleArn: props.monitoringRoleArn,
      applyImmediately: !deletionProtection,
      provider,
    });
  }
}
