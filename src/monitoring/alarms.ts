import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/** One CloudWatch metric, as alarms and dashboard widgets refer to it. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: "Sum" | "Average" | "Maximum" | "Minimum" | "SampleCount";
  /** Seconds. @default 300 */
  readonly period?: number;
  /** @default the stack's region */
  readonly region?: string;
  /** @default the stack's account */
  readonly accountId?: string;
  /** Widget legend. @default the metric name */
  readonly label?: string;
}

export interface AlarmSpec {
  /** Unique within the environment; becomes part of the alarm name. */
  readonly name: string;
  readonly description: string;
  readonly metric: MetricRef;
  /** The alarm fires when the statistic is above this value. */
  readonly threshold: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  /** Missing data means "no problem" for counts and latencies that are only reported on activity. @default "notBreaching" */
  readonly treatMissingData?: "notBreaching" | "breaching" | "ignore" | "missing";
}

export interface FabricAlarmsProps {
  /** Prefix of every alarm name, e.g. `replica-dev`. */
  readonly namePrefix: string;
  /** Topic notified when an alarm fires and when it recovers. */
  readonly alarmTopicArn: string;
}

/**
 * The alarms of an environment's replication fabric: each one "greater than threshold", notifying
 * the environment's alarm topic on alarm and on recovery. `alarms` lists them for dashboards.
 *
 * @example
 * const alarms = new FabricAlarms(this, "alarms", { namePrefix: "replica-dev", alarmTopicArn });
 * alarms.add({ name: "dlq-depth", description: "...", metric: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: q }, statistic: "Maximum" }, threshold: 0 });
 */
export class FabricAlarms extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly props: FabricAlarmsProps;

  constructor(scope: Construct, id: string, props: FabricAlarmsProps) {
    super(scope, id);
    this.props = props;
  }

  add(spec: AlarmSpec): CloudwatchMetricAlarm {
    const evaluationPeriods = spec.evaluationPeriods ?? 1;
    const alarm = new CloudwatchMetricAlarm(this, spec.name, {
      alarmName: `${this.props.namePrefix}-${spec.name}`,
      alarmDescription: spec.description,
      namespace: spec.metric.namespace,
      metricName: spec.metric.metricName,
      dimensions: { ...spec.metric.dimensions },
      statistic: spec.metric.statistic,
      period: spec.metric.period ?? 300,
      comparisonOperator: "GreaterThanThreshold",
      threshold: spec.threshold,
      evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm ?? evaluationPeriods,
      treatMissingData: spec.treatMissingData ?? "notBreaching",
      alarmActions: [this.props.alarmTopicArn],
      okActions: [this.props.alarmTopicArn],
    });
    this.alarms.push(alarm);
    return alarm;
  }
}
