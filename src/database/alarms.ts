import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct } from "constructs";
import type { AlarmConfig } from "../config/types";

export interface DatabaseAlarmsProps {
  /** Identifier of the cluster watched (the alarms' dimension and name prefix). */
  readonly clusterIdentifier: string;
  readonly thresholds: AlarmConfig;
  /** SNS topic notified on alarm and on recovery, in the cluster's region. */
  readonly topicArn: string;
  /** Whether the cluster has reader instances (otherwise replica lag has no data). */
  readonly hasReaders: boolean;
  /**
   * Set when the cluster is a member of a global database: its replication lag (and, for Aurora
   * PostgreSQL, its RPO lag) is then watched. Both members carry these alarms, because either can be
   * the secondary (RDS publishes the metrics on the secondary only; the writer's alarms see no data).
   * @default not a member (no global alarms)
   */
  readonly globalMember?: { readonly engine: "aurora-postgresql" | "aurora-mysql" };
  /** Provider of the cluster's region. @default the stack's default provider */
  readonly provider?: AwsProvider;
}

/**
 * The alarms of one Aurora cluster, each on the cluster-level metrics (`DBClusterIdentifier`):
 * sustained CPU, reader lag, global replication lag (secondaries), low freeable memory and too many
 * connections. Missing data means "no load" or "no replica" for the activity metrics (not breaching);
 * every instance always reports FreeableMemory, so its absence is treated as breaching.
 */
export class DatabaseAlarms extends Construct {
  readonly alarms: readonly CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: DatabaseAlarmsProps) {
    super(scope, id);
    const { clusterIdentifier: cluster, thresholds, provider } = props;
    const common = {
      provider,
      namespace: "AWS/RDS",
      alarmActions: [props.topicArn],
      okActions: [props.topicArn],
    };
    const alarms: CloudwatchMetricAlarm[] = [
      new CloudwatchMetricAlarm(this, "cpu", {
        ...common,
        alarmName: `${cluster}-cpu-high`,
        alarmDescription: `CPU of ${cluster} above ${thresholds.cpuUtilizationPercent}% for 5 minutes`,
        metricName: "CPUUtilization",
        dimensions: { DBClusterIdentifier: cluster },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        threshold: thresholds.cpuUtilizationPercent,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      }),
      new CloudwatchMetricAlarm(this, "memory", {
        ...common,
        alarmName: `${cluster}-freeable-memory-low`,
        alarmDescription: `FreeableMemory of an instance of ${cluster} below ${thresholds.freeableMemoryMiB} MiB for 5 minutes`,
        metricName: "FreeableMemory",
        dimensions: { DBClusterIdentifier: cluster },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        threshold: thresholds.freeableMemoryMiB * 1024 * 1024,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
      }),
      new CloudwatchMetricAlarm(this, "connections", {
        ...common,
        alarmName: `${cluster}-connections-high`,
        alarmDescription: `DatabaseConnections of an instance of ${cluster} above ${thresholds.maxConnections} for 5 minutes`,
        metricName: "DatabaseConnections",
        dimensions: { DBClusterIdentifier: cluster },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 5,
        threshold: thresholds.maxConnections,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
      }),
    ];
    if (props.hasReaders) {
      alarms.push(
        new CloudwatchMetricAlarm(this, "replica-lag", {
          ...common,
          alarmName: `${cluster}-replica-lag-high`,
          alarmDescription: `AuroraReplicaLag of a reader of ${cluster} above ${thresholds.replicaLagMs} ms for 5 minutes`,
          metricName: "AuroraReplicaLag",
          dimensions: { DBClusterIdentifier: cluster, Role: "READER" },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          threshold: thresholds.replicaLagMs,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
        }),
      );
    }
    if (props.globalMember) {
      alarms.push(
        new CloudwatchMetricAlarm(this, "global-replication-lag", {
          ...common,
          alarmName: `${cluster}-global-replication-lag-high`,
          alarmDescription: `AuroraGlobalDBReplicationLag into ${cluster} above ${thresholds.globalReplicationLagMs} ms for 5 minutes`,
          metricName: "AuroraGlobalDBReplicationLag",
          dimensions: { DBClusterIdentifier: cluster },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          threshold: thresholds.globalReplicationLagMs,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
        }),
      );
    }
    // Only Aurora PostgreSQL publishes the recovery point lag (time until the latest commit is stored
    // in the secondary region): the data a failover now would lose.
    if (props.globalMember?.engine === "aurora-postgresql") {
      alarms.push(
        new CloudwatchMetricAlarm(this, "global-rpo-lag", {
          ...common,
          alarmName: `${cluster}-global-rpo-lag-high`,
          alarmDescription: `AuroraGlobalDBRPOLag into ${cluster} above ${thresholds.globalRpoLagMs} ms for 5 minutes (a failover would lose that much)`,
          metricName: "AuroraGlobalDBRPOLag",
          dimensions: { DBClusterIdentifier: cluster },
          statistic: "Maximum",
          period: 60,
          evaluationPeriods: 5,
          datapointsToAlarm: 5,
          threshold: thresholds.globalRpoLagMs,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
        }),
      );
    }
    this.alarms = alarms;
  }
}
