/** The CloudWatch namespace of the fabric handlers' EMF metrics (METRICS_NAMESPACE). */
export function fabricMetricsNamespace(project: string): string {
  return `${project}/Replication`;
}

/** Canary channels of the replication monitor (metric dimension `Channel`). */
export const CANARY_CHANNELS = ["s3", "dynamodb", "ssm"] as const;
export type CanaryChannel = (typeof CANARY_CHANNELS)[number];

/** Drift categories of the config validator (metric dimension `Category`). */
export const DRIFT_CATEGORIES = ["ssm", "schema", "dynamodb"] as const;

/** The dimensions every handler metric carries (`lambdas/shared/metrics.ts`), plus the per-metric ones. */
export function handlerDimensions(environment: string, handler: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { Environment: environment, Handler: handler, ...extra };
}

/** The S3 replication events the monitor receives as S3 event notifications (not on EventBridge). */
export const S3_REPLICATION_EVENTS = [
  "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationMissedThreshold",
  "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:Replication:OperationNotTracked",
] as const;
