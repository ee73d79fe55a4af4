/**
 * CloudWatch Embedded Metric Format (EMF): metrics are written as structured log lines that
 * CloudWatch Logs extracts into metrics asynchronously. No PutMetricData call, so no extra
 * latency, no throttling and no `cloudwatch:PutMetricData` permission.
 * Format reference: the "_aws" envelope with Timestamp and CloudWatchMetrics directives.
 */

export type MetricUnit = "Seconds" | "Milliseconds" | "Count" | "Bytes" | "Percent" | "None";
export type Dimensions = Readonly<Record<string, string>>;

export interface Metrics {
  /** Writes one EMF line for a single metric with the default dimensions plus `dimensions`. */
  put(name: string, value: number, unit: MetricUnit, dimensions?: Dimensions): void;
}

export interface MetricsOptions {
  /** CloudWatch namespace (env METRICS_NAMESPACE). */
  readonly namespace: string;
  /** The deployment environment, added as dimension `Environment` to every metric. */
  readonly environment: string;
  /** Extra dimensions added to every metric. @default {} */
  readonly defaultDimensions?: Dimensions;
  /** Where EMF lines go. @default console.log (stdout, picked up by CloudWatch Logs) */
  readonly sink?: (line: string) => void;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const sink = options.sink ?? ((line: string) => console.log(line));
  const now = options.now ?? Date.now;
  const fixed: Dimensions = { Environment: options.environment, ...(options.defaultDimensions ?? {}) };
  return {
    put(name, value, unit, dimensions = {}) {
      sink(JSON.stringify(emfRecord(options.namespace, name, value, unit, { ...fixed, ...dimensions }, now())));
    },
  };
}

/** Builds one EMF document. Exported for tests and for handlers that batch their own lines. */
export function emfRecord(namespace: string, name: string, value: number, unit: MetricUnit, dimensions: Dimensions, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: unit }] }],
    },
    ...dimensions,
    [name]: value,
  };
}
