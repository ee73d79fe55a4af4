import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import type { Construct } from "constructs";
import type { DatabaseConfig } from "../config/types";
import { ENGINE_TRAITS, parameterGroupFamily } from "./engine";

/** Days the exported database logs are kept. */
export const DATABASE_LOG_RETENTION_DAYS = 90;

/** Backups between 03:00 and 04:00 UTC, maintenance right after on Mondays (seed 001). */
export const BACKUP_WINDOW = "03:00-04:00";
export const MAINTENANCE_WINDOW = "mon:04:00-mon:05:00";

/** Which cluster of a database: the primary (writer and readers) or the DR secondary of its global database. */
export type ClusterRole = "primary" | "secondary";

/**
 * The cluster's capacity range: the primary at `minCapacity` (pausing after `secondsUntilAutoPause` at
 * 0), the secondary at `secondaryMinCapacity` (a global database never pauses), both up to `maxCapacity`.
 */
export function scalingConfiguration(database: DatabaseConfig, role: ClusterRole) {
  if (role === "secondary") return { minCapacity: database.secondaryMinCapacity, maxCapacity: database.maxCapacity };
  return {
    minCapacity: database.minCapacity,
    maxCapacity: database.maxCapacity,
    ...(database.secondsUntilAutoPause !== undefined ? { secondsUntilAutoPause: database.secondsUntilAutoPause } : {}),
  };
}

/** The cluster parameter group: TLS-only connections and statement logging for the engine. */
/**
 * The settings every Aurora cluster of the platform shares, primary or DR secondary: Serverless v2
 * capacity, private placement, encryption with the environment key, IAM authentication, encrypted log
 * exports, backups and maintenance in fixed windows. One place, so the two kinds never drift apart.
 */
export function sharedClusterSettings(database: DatabaseConfig, placement: { readonly subnetGroupName: string; readonly securityGroupIds: readonly string[]; readonly kmsKeyArn: string; readonly parameterGroupName: string }, role: ClusterRole) {
  return {
    serverlessv2ScalingConfiguration: scalingConfiguration(database, role),
    dbSubnetGroupName: placement.subnetGroupName,
    vpcSecurityGroupIds: [...placement.securityGroupIds],
    dbClusterParameterGroupName: placement.parameterGroupName,
    storageEncrypted: true,
    kmsKeyId: placement.kmsKeyArn,
    iamDatabaseAuthenticationEnabled: true,
    enabledCloudwatchLogsExports: [...ENGINE_TRAITS[database.engine].logExports],
    backupRetentionPeriod: database.backupRetentionDays,
    preferredBackupWindow: BACKUP_WINDOW,
    preferredMaintenanceWindow: MAINTENANCE_WINDOW,
    copyTagsToSnapshot: true,
  };
}

/**
 * The engine's parameters plus the managed RPO, which every member of a global database carries: the
 * parameter applies on whichever cluster is the writer, and that changes with a switchover.
 */
function clusterParameters(database: DatabaseConfig): Record<string, string> {
  const parameters: Record<string, string> = { ...ENGINE_TRAITS[database.engine].clusterParameters };
  if (database.managedRpoSeconds !== undefined) parameters["rds.global_db_rpo"] = String(database.managedRpoSeconds);
  return parameters;
}

export function clusterParameterGroup(scope: Construct, id: string, database: DatabaseConfig, name: string, provider?: AwsProvider): RdsClusterParameterGroup {
  return new RdsClusterParameterGroup(scope, id, {
    provider,
    name,
    family: parameterGroupFamily(database),
    description: `${database.name}: TLS only, statement logging`,
    parameter: Object.entries(clusterParameters(database)).map(([parameterName, value]) => ({ name: parameterName, value })),
  });
}

/**
 * The log groups RDS exports into, created before the cluster so they are encrypted with the
 * environment key and expire (RDS would otherwise create them unencrypted, kept forever).
 */
export function exportLogGroups(scope: Construct, id: string, database: DatabaseConfig, clusterIdentifier: string, kmsKeyArn: string, provider?: AwsProvider): CloudwatchLogGroup[] {
  return ENGINE_TRAITS[database.engine].logExports.map(
    (logType) =>
      new CloudwatchLogGroup(scope, `${id}-${logType}`, {
        provider,
        name: `/aws/rds/cluster/${clusterIdentifier}/${logType}`,
        retentionInDays: DATABASE_LOG_RETENTION_DAYS,
        kmsKeyId: kmsKeyArn,
      }),
  );
}

export interface ServerlessInstancesProps {
  readonly database: DatabaseConfig;
  /** The cluster's identifier as text, for the instance identifiers (`<cluster>-1`, ...). */
  readonly clusterIdentifier: string;
  /** A reference to the cluster's id, so the instances are created after it. */
  readonly clusterId: string;
  readonly subnetGroupName: string;
  /** Zone of each instance in turn (instance i goes to zone i mod length). */
  readonly availabilityZones: readonly string[];
  /** Key of Performance Insights data, when `database.performanceInsights` is on. */
  readonly kmsKeyArn: string;
  /** Role of enhanced monitoring, when `database.enhancedMonitoringInterval` is above 0. */
  readonly monitoringRoleArn?: string;
  readonly applyImmediately: boolean;
  readonly provider?: AwsProvider;
}

/**
 * `instanceCount` Serverless v2 instances, placed explicitly round-robin over the availability zones:
 * RDS only promises that a cluster's instances land in the subnet group's zones, not that they spread,
 * and a writer and its failover reader in one zone would not survive that zone's outage.
 */
export function serverlessInstances(scope: Construct, id: string, props: ServerlessInstancesProps): RdsClusterInstance[] {
  const { database } = props;
  const monitoring = database.enhancedMonitoringInterval > 0 && props.monitoringRoleArn !== undefined;
  return Array.from({ length: database.instanceCount }, (_, i) =>
    new RdsClusterInstance(scope, `${id}-${i + 1}`, {
      provider: props.provider,
      identifier: `${props.clusterIdentifier}-${i + 1}`,
      clusterIdentifier: props.clusterId,
      engine: database.engine,
      instanceClass: "db.serverless",
      dbSubnetGroupName: props.subnetGroupName,
      availabilityZone: props.availabilityZones[i % props.availabilityZones.length],
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      promotionTier: promotionTier(i, database.readerScaling),
      copyTagsToSnapshot: true,
      applyImmediately: props.applyImmediately,
      performanceInsightsEnabled: database.performanceInsights,
      performanceInsightsKmsKeyId: database.performanceInsights ? props.kmsKeyArn : undefined,
      performanceInsightsRetentionPeriod: database.performanceInsights ? 7 : undefined,
      monitoringInterval: monitoring ? database.enhancedMonitoringInterval : 0,
      monitoringRoleArn: monitoring ? props.monitoringRoleArn : undefined,
    }),
  );
}

/**
 * Serverless v2 readers in promotion tiers 0 and 1 keep the writer's capacity; from tier 2 on they
 * scale on their own load. The first instance (the writer at creation) is tier 0 either way.
 */
export function promotionTier(index: number, readerScaling: DatabaseConfig["readerScaling"]): number {
  return readerScaling === "independent" && index > 0 ? index + 1 : index;
}
