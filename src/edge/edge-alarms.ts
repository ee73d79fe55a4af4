import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { CLOUDFRONT_REGION } from "../config/edge-tier";

/** Thresholds of the edge tier's alarms. */
export const EDGE_ALARM_THRESHOLDS = {
  /** Share of requests answered with a 5xx, percent, over 5 minutes (load balancer and edge). */
  errorRatePercent: 5,
  /** Average time the instances take to answer, seconds, over 5 minutes (origin latency). */
  targetResponseSeconds: 2,
} as const;

export interface ApplicationAlarmsProps {
  readonly namePrefix: string;
  readonly topicArn: string;
  /** `app/<name>/<id>` and `targetgroup/<name>/<id>`: the load balancer metrics' dimensions. */
  readonly loadBalancerArnSuffix: string;
  readonly targetGroupArnSuffix: string;
  readonly autoScalingGroupName: string;
}

/**
 * The alarms of one region's application tier, to the region's alarm topic: unhealthy targets, the
 * share of 5xx answers (the load balancer's own and the instances'), origin latency (the instances'
 * response time), and the Auto Scaling group sitting at its maximum (it cannot scale further).
 */
export class ApplicationAlarms extends Construct {
  constructor(scope: Construct, id: string, props: ApplicationAlarmsProps) {
    super(scope, id);
    const actions = { alarmActions: [props.topicArn], okActions: [props.topicArn] };
    const lb = { LoadBalancer: props.loadBalancerArnSuffix };
    const target = { ...lb, TargetGroup: props.targetGroupArnSuffix };
    new CloudwatchMetricAlarm(this, "unhealthy-hosts", {
      ...actions,
      alarmName: `${props.namePrefix}-unhealthy-hosts`,
      alarmDescription: "An application instance fails the load balancer's health check",
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: target,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 3,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    const sum = (metricName: string, dimensions: Record<string, string>) => ({ metric: { namespace: "AWS/ApplicationELB", metricName, dimensions, period: 300, stat: "Sum" } });
    new CloudwatchMetricAlarm(this, "5xx-rate", {
      ...actions,
      alarmName: `${props.namePrefix}-5xx-rate`,
      alarmDescription: `More than ${EDGE_ALARM_THRESHOLDS.errorRatePercent}% of the load balancer's answers are 5xx (its own or the instances') over 5 minutes`,
      evaluationPeriods: 1,
      threshold: EDGE_ALARM_THRESHOLDS.errorRatePercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      metricQuery: [
        { id: "rate", expression: "100 * (FILL(elb, 0) + FILL(target, 0)) / requests", label: "5xx percent", returnData: true },
        { id: "elb", ...sum("HTTPCode_ELB_5XX_Count", lb) },
        { id: "target", ...sum("HTTPCode_Target_5XX_Count", lb) },
        { id: "requests", ...sum("RequestCount", lb) },
      ],
    });
    new CloudwatchMetricAlarm(this, "origin-latency", {
      ...actions,
      alarmName: `${props.namePrefix}-origin-latency`,
      alarmDescription: `The instances take more than ${EDGE_ALARM_THRESHOLDS.targetResponseSeconds}s on average to answer, over 5 minutes`,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions: lb,
      statistic: "Average",
      period: 300,
      evaluationPeriods: 1,
      threshold: EDGE_ALARM_THRESHOLDS.targetResponseSeconds,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    const group = (metricName: string) => ({ metric: { namespace: "AWS/AutoScaling", metricName, dimensions: { AutoScalingGroupName: props.autoScalingGroupName }, period: 300, stat: "Maximum" } });
    new CloudwatchMetricAlarm(this, "at-max-capacity", {
      ...actions,
      alarmName: `${props.namePrefix}-at-max-capacity`,
      alarmDescription: "The Auto Scaling group has wanted its maximum size for 15 minutes: it cannot scale out further",
      evaluationPeriods: 3,
      threshold: 0,
      comparisonOperator: "LessThanOrEqualToThreshold",
      treatMissingData: "notBreaching",
      metricQuery: [
        { id: "headroom", expression: "max - desired", label: "Instances below the maximum", returnData: true },
        { id: "max", ...group("GroupMaxSize") },
        { id: "desired", ...group("GroupDesiredCapacity") },
      ],
    });
  }
}

export interface DistributionAlarmsProps {
  readonly namePrefix: string;
  readonly distributionId: string;
  /** An alarm topic in us-east-1, where CloudFront publishes its metrics. */
  readonly topicArn: string;
}

/** The share of 5xx answers at the edge, from CloudFront's metrics (in us-east-1, dimension Region=Global). */
export class DistributionAlarms extends Construct {
  constructor(scope: Construct, id: string, props: DistributionAlarmsProps) {
    super(scope, id);
    new CloudwatchMetricAlarm(this, "5xx-rate", {
      region: CLOUDFRONT_REGION,
      alarmActions: [props.topicArn],
      okActions: [props.topicArn],
      alarmName: `${props.namePrefix}-5xx-rate`,
      alarmDescription: `More than ${EDGE_ALARM_THRESHOLDS.errorRatePercent}% of the distribution's answers are 5xx over 5 minutes (both origins failed)`,
      namespace: "AWS/CloudFront",
      metricName: "5xxErrorRate",
      dimensions: { DistributionId: props.distributionId, Region: "Global" },
      statistic: "Average",
      period: 300,
      evaluationPeriods: 1,
      threshold: EDGE_ALARM_THRESHOLDS.errorRatePercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
  }
}
