import { Construct } from "constructs";
import type { AlarmConfig } from "../config/types";
import { FabricAlarms, type MetricRef } from "./alarms";
import { FabricDashboard, type Widget } from "./dashboard";
import { CANARY_CHANNELS, type CanaryChannel, DRIFT_CATEGORIES, handlerDimensions } from "./metrics";

/** A function to watch: its name, its handler (metric dimension) and its dead-letter queue's name. */
export interface WatchedFunction {
  readonly functionName: string;
  readonly handler: string;
  readonly deadLetterQueueName: string;
}

export interface FabricMonitoringProps {
  readonly namePrefix: string;
  readonly environment: string;
  readonly region: string;
  readonly alarmTopicArn: string;
  readonly thresholds: AlarmConfig;
  readonly metricsNamespace: string;
  /** The artifacts bucket and its replication rules (S3 metrics are per source, destination and rule). */
  readonly replication: { readonly sourceBucketName: string; readonly rules: readonly { readonly id: string; readonly destinationBucketName: string }[] };
  /**
   * The ledger and the Regions its writes replicate into (`ReceivingRegion`): the DR region, or the
   * Regions of a multi-account global table's other members; each gets a latency alarm.
   */
  readonly ledger: { readonly tableName: string; readonly receivingRegions: readonly { readonly region: string; readonly label: string }[] };
  readonly functions: readonly WatchedFunction[];
  /** Other dead-letter queues (the EventBridge targets' queue). */
  readonly queueNames: readonly string[];
  /** Whether the environment runs the replication monitor / config validator (their custom metrics). */
  readonly canary: boolean;
  /** The canary channels the monitor runs (the ledger channel is off for a multi-account ledger). @default every channel */
  readonly canaryChannels?: readonly CanaryChannel[];
  /** Alarms on the snapshot copies, one age alarm per database and destination region (`lambdas/snapshot-copy` metrics). @default none */
  readonly snapshotCopies?: { readonly copies: readonly { readonly database: string; readonly region: string; readonly accountId?: string; readonly maxAgeHours: number }[] };
  readonly validator: boolean;
}

/**
 * Alarms and the dashboard of an environment's replication fabric: S3 replication failures and
 * latency per rule, DynamoDB global-table replication latency, errors and throttles of every function,
 * the depth of every dead-letter queue, stream iterator age, configuration drift from the validator
 * and replication lag from the canaries. Every alarm notifies the environment's alarm topic.
 */
export class FabricMonitoring extends Construct {
  readonly alarms: FabricAlarms;
  readonly dashboard: FabricDashboard;

  constructor(scope: Construct, id: string, props: FabricMonitoringProps) {
    super(scope, id);
    const t = props.thresholds;
    this.alarms = new FabricAlarms(this, "alarms", { namePrefix: props.namePrefix, alarmTopicArn: props.alarmTopicArn });
    const widgets: Widget[] = [{ kind: "text", markdown: `# ${props.environment} replication fabric (${props.region})\nArtifacts \`${props.replication.sourceBucketName}\`, ledger \`${props.ledger.tableName}\`.` }];

    // S3 replication, per rule.
    const s3Failures: MetricRef[] = [];
    const s3Latency: MetricRef[] = [];
    for (const rule of props.replication.rules) {
      const dimensions = { SourceBucket: props.replication.sourceBucketName, DestinationBucket: rule.destinationBucketName, RuleId: rule.id };
      const failed: MetricRef = { namespace: "AWS/S3", metricName: "OperationsFailedReplication", dimensions, statistic: "Sum", period: 300, label: `${rule.id} failed` };
      const latency: MetricRef = { namespace: "AWS/S3", metricName: "ReplicationLatency", dimensions, statistic: "Maximum", period: 300, label: `${rule.id} latency` };
      this.alarms.add({ name: `s3-replication-failed-${rule.id}`, description: `Objects failed to replicate by rule ${rule.id} to ${rule.destinationBucketName}`, metric: failed, threshold: 0 });
      this.alarms.add({
        name: `s3-replication-latency-${rule.id}`,
        description: `Replication by rule ${rule.id} is slower than ${t.s3ReplicationLatencySeconds} s`,
        metric: latency,
        threshold: t.s3ReplicationLatencySeconds,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
      s3Failures.push(failed);
      s3Latency.push(latency);
    }
    widgets.push(
      { kind: "graph", title: "S3 replication latency (s)", metrics: s3Latency, threshold: { label: "alarm", value: t.s3ReplicationLatencySeconds } },
      { kind: "graph", title: "S3 operations failed to replicate", metrics: s3Failures },
    );

    // DynamoDB global table: one alarm per receiving Region (DynamoDB publishes the metric per Region).
    const dynamoLatency: MetricRef[] = [];
    for (const receiver of props.ledger.receivingRegions) {
      const latency: MetricRef = {
        namespace: "AWS/DynamoDB",
        metricName: "ReplicationLatency",
        dimensions: { TableName: props.ledger.tableName, ReceivingRegion: receiver.region },
        statistic: "Average",
        period: 60,
        label: `to ${receiver.label}`,
      };
      this.alarms.add({
        name: props.ledger.receivingRegions.length === 1 ? "dynamodb-replication-latency" : `dynamodb-replication-latency-${receiver.region}`,
        description: `Ledger replication to ${receiver.label} is slower than ${t.dynamoReplicationLatencyMs} ms`,
        metric: latency,
        threshold: t.dynamoReplicationLatencyMs,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
      });
      dynamoLatency.push(latency);
    }
    widgets.push({ kind: "graph", title: "Ledger replication latency (ms)", metrics: dynamoLatency, threshold: { label: "alarm", value: t.dynamoReplicationLatencyMs } });

    // Functions: errors, throttles and dead letters.
    const errors: MetricRef[] = [];
    const throttles: MetricRef[] = [];
    for (const fn of props.functions) {
      const dimensions = { FunctionName: fn.functionName };
      const error: MetricRef = { namespace: "AWS/Lambda", metricName: "Errors", dimensions, statistic: "Sum", label: fn.handler };
      const throttle: MetricRef = { namespace: "AWS/Lambda", metricName: "Throttles", dimensions, statistic: "Sum", label: fn.handler };
      this.alarms.add({ name: `${fn.handler}-errors`, description: `${fn.functionName} invocations failed`, metric: error, threshold: 0 });
      this.alarms.add({ name: `${fn.handler}-throttles`, description: `${fn.functionName} was throttled (reserved concurrency reached)`, metric: throttle, threshold: 0 });
      errors.push(error);
      throttles.push(throttle);
    }
    const queues: MetricRef[] = [...props.functions.map((fn) => fn.deadLetterQueueName), ...props.queueNames].map((queue) => ({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue },
      statistic: "Maximum",
      label: queue,
    }));
    for (const queue of queues) {
      this.alarms.add({ name: `${queue.dimensions.QueueName.replace(`${props.namePrefix}-`, "")}-depth`, description: `Messages wait in the dead-letter queue ${queue.dimensions.QueueName}`, metric: queue, threshold: 0 });
    }
    widgets.push(
      { kind: "graph", title: "Function errors", metrics: errors },
      { kind: "graph", title: "Function throttles", metrics: throttles },
      { kind: "graph", title: "Dead-letter queue depth", metrics: queues },
    );
    const streamProcessor = props.functions.find((fn) => fn.handler === "stream-processor");
    if (streamProcessor) {
      const iteratorAge: MetricRef = { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: streamProcessor.functionName }, statistic: "Maximum", period: 60, label: "iterator age" };
      this.alarms.add({ name: "stream-processor-iterator-age", description: "The ledger stream processor is more than 5 minutes behind", metric: iteratorAge, threshold: 300_000, evaluationPeriods: 5, datapointsToAlarm: 3 });
      widgets.push({ kind: "graph", title: "Ledger stream iterator age (ms)", metrics: [iteratorAge] });
    }

    // Custom metrics of the handlers.
    if (props.validator) {
      const drift = DRIFT_CATEGORIES.map((category): MetricRef => ({
        namespace: props.metricsNamespace,
        metricName: "DriftCount",
        dimensions: handlerDimensions(props.environment, "config-validator", { Category: category }),
        statistic: "Maximum",
        period: 3600,
        label: category,
      }));
      for (const metric of drift) {
        this.alarms.add({ name: `drift-${metric.dimensions.Category}`, description: `The validator found ${metric.dimensions.Category} drift between environments`, metric, threshold: 0 });
      }
      const validationErrors: MetricRef = { namespace: props.metricsNamespace, metricName: "ValidationErrors", dimensions: handlerDimensions(props.environment, "config-validator"), statistic: "Maximum", period: 3600 };
      this.alarms.add({ name: "validation-errors", description: "The validator could not read an environment or category", metric: validationErrors, threshold: 0 });
      widgets.push({ kind: "graph", title: "Configuration drift (findings)", metrics: [...drift, validationErrors] });
    }
    if (props.canary) {
      const lag = (props.canaryChannels ?? CANARY_CHANNELS).map((channel): MetricRef => ({
        namespace: props.metricsNamespace,
        metricName: "ReplicationLagSeconds",
        dimensions: handlerDimensions(props.environment, "replication-monitor", { Channel: channel }),
        statistic: "Maximum",
        period: 300,
        label: channel,
      }));
      for (const metric of lag) {
        const channel = metric.dimensions.Channel;
        this.alarms.add({ name: `canary-lag-${channel}`, description: `The ${channel} canary took more than ${t.canaryLagSeconds} s to replicate`, metric, threshold: t.canaryLagSeconds, evaluationPeriods: 2, datapointsToAlarm: 2 });
        this.alarms.add({
          name: `canary-timeout-${channel}`,
          description: `The ${channel} canary's marker never reached its replica`,
          metric: { ...metric, metricName: "CanaryTimeout", label: `${channel} timeout` },
          threshold: 0,
        });
      }
      widgets.push({ kind: "graph", title: "Canary replication lag (s)", metrics: lag, threshold: { label: "alarm", value: t.canaryLagSeconds } });
    }

    if (props.snapshotCopies) {
      const { copies } = props.snapshotCopies;
      // An account copy adds DestinationAccount: its own metric and alarm, beside the region's.
      const metric = (metricName: string, c: (typeof copies)[number]): MetricRef => ({
        namespace: props.metricsNamespace,
        metricName,
        dimensions: handlerDimensions(props.environment, "snapshot-copy", { Database: c.database, DestinationRegion: c.region, ...(c.accountId ? { DestinationAccount: c.accountId } : {}) }),
        statistic: "Maximum",
        period: 3600,
        label: `${c.database} ${c.region}${c.accountId ? ` ${c.accountId}` : ""}`,
      });
      for (const c of copies) {
        const where = c.accountId ? `${c.region}-${c.accountId}` : c.region;
        // Missing data breaches: no age means no copy has ever completed, or the function stopped.
        this.alarms.add({
          name: `snapshot-copy-age-${c.database}-${where}`,
          description: `The newest ${c.database} snapshot copy in ${where} is older than ${c.maxAgeHours} hours (its recovery point objective), or there is none`,
          metric: metric("SnapshotCopyAgeHours", c),
          threshold: c.maxAgeHours,
          treatMissingData: "breaching",
          evaluationPeriods: 2,
        });
        this.alarms.add({ name: `snapshot-copy-failed-${c.database}-${where}`, description: `A ${c.database} snapshot copy into ${where} failed`, metric: metric("SnapshotCopiesFailed", c), threshold: 0 });
      }
      const threshold = Math.max(...copies.map((c) => c.maxAgeHours));
      widgets.push({ kind: "graph", title: "Age of the newest snapshot copy (hours)", metrics: copies.map((c) => metric("SnapshotCopyAgeHours", c)), threshold: { label: "alarm (highest)", value: threshold } });
    }

    widgets.push({ kind: "alarms", title: "Fabric alarms", alarmArns: this.alarms.alarms.map((a) => a.arn), height: 6 });
    this.dashboard = new FabricDashboard(this, "dashboard", { dashboardName: `${props.namePrefix}-replication`, region: props.region, widgets });
  }
}
