/**
 * S3 replication incidents.
 *
 * Amazon S3 does NOT send replication events to EventBridge (its EventBridge events are Object
 * Created/Deleted/Restore/Tags/ACL/Storage Class/Access Tier). Replication events exist only as
 * S3 Event Notifications to SQS, SNS or Lambda, with event names
 *   s3:Replication:OperationFailedReplication        (needs replication metrics on the rule)
 *   s3:Replication:OperationMissedThreshold          (needs S3 Replication Time Control)
 *   s3:Replication:OperationReplicatedAfterThreshold (needs S3 RTC)
 *   s3:Replication:OperationNotTracked
 * so the artifacts bucket's notification configuration must target this function directly.
 * The only replication detail-type on EventBridge is "Object Replication Failed" from source
 * `aws.s3-outposts` (S3 on Outposts); it is accepted too.
 */
import type { LedgerWriter, ReplicationEventType } from "../shared/ledger";
import { ledgerItems } from "../shared/ledger";
import type { Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";

const EVENT_TYPES: Readonly<Record<string, ReplicationEventType>> = {
  "Replication:OperationFailedReplication": "failed",
  "Replication:OperationMissedThreshold": "missed-threshold",
  "Replication:OperationReplicatedAfterThreshold": "replicated-after-threshold",
  "Replication:OperationNotTracked": "not-tracked",
};

/** EventBridge detail-type for replication failures (S3 on Outposts only). */
export const OUTPOSTS_REPLICATION_FAILED = "Object Replication Failed";

/** Metric dimension value per event type. */
const METRIC_EVENT_TYPE: Readonly<Record<ReplicationEventType, string>> = {
  failed: "Failed",
  "missed-threshold": "MissedThreshold",
  "replicated-after-threshold": "ReplicatedAfterThreshold",
  "not-tracked": "NotTracked",
};

export interface ReplicationIncident {
  readonly eventType: ReplicationEventType;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly destinationBucket?: string;
  readonly ruleId?: string;
  readonly failureReason?: string;
  readonly occurredAt: string;
  /** Seconds from the original request to this event (after-threshold events only). */
  readonly lagSeconds?: number;
}

/** The fields of an S3 notification record that replication events carry. */
interface S3NotificationRecord {
  readonly eventSource?: string;
  readonly eventName?: string;
  readonly eventTime?: string;
  readonly s3?: { readonly bucket?: { readonly name?: string }; readonly object?: { readonly key?: string; readonly versionId?: string } };
  readonly replicationEventData?: {
    readonly replicationRuleId?: string;
    readonly destinationBucket?: string;
    readonly failureReason?: string;
    readonly requestTime?: string;
  };
}

export function isS3Notification(event: unknown): event is { Records: S3NotificationRecord[] } {
  const records = (event as { Records?: unknown })?.Records;
  return Array.isArray(records) && records.length > 0 && records.every((r) => (r as S3NotificationRecord)?.eventSource === "aws:s3");
}

/** Replication incidents in an S3 notification; non-replication records are ignored. */
export function incidentsFromNotification(event: { Records: readonly S3NotificationRecord[] }): ReplicationIncident[] {
  const out: ReplicationIncident[] = [];
  for (const record of event.Records) {
    const eventType = EVENT_TYPES[record.eventName ?? ""];
    const bucket = record.s3?.bucket?.name;
    const rawKey = record.s3?.object?.key;
    if (eventType === undefined || bucket === undefined || rawKey === undefined) {
      continue;
    }
    const data = record.replicationEventData ?? {};
    const occurredAt = record.eventTime ?? new Date().toISOString();
    const lag = eventType === "replicated-after-threshold" ? secondsBetween(data.requestTime, occurredAt) : undefined;
    out.push({
      eventType,
      bucket,
      // Keys in S3 notifications are URL-encoded with '+' for spaces.
      key: decodeURIComponent(rawKey.replace(/\+/g, " ")),
      versionId: record.s3?.object?.versionId,
      destinationBucket: data.destinationBucket,
      ruleId: data.replicationRuleId,
      failureReason: data.failureReason,
      occurredAt,
      lagSeconds: lag,
    });
  }
  return out;
}

/** The incident in an S3-on-Outposts "Object Replication Failed" EventBridge event. */
export function incidentFromOutpostsEvent(event: { time?: string; detail?: Record<string, unknown> }): ReplicationIncident | undefined {
  const detail = event.detail ?? {};
  const bucket = (detail.bucket as { name?: string } | undefined)?.name;
  const object = detail.object as { key?: string; "version-id"?: string } | undefined;
  if (bucket === undefined || object?.key === undefined) {
    return undefined;
  }
  return {
    eventType: "failed",
    bucket,
    key: object.key,
    versionId: object["version-id"],
    failureReason: typeof detail["failure-reason"] === "string" ? (detail["failure-reason"] as string) : undefined,
    occurredAt: event.time ?? new Date().toISOString(),
  };
}

export interface IncidentDeps {
  readonly environment: string;
  readonly region: string;
  readonly ledger: LedgerWriter;
  readonly log: Logger;
  readonly metrics: Metrics;
}

/** Publishes a metric and a ledger `replication` item per incident (idempotent per object version and type). */
export async function recordIncidents(incidents: readonly ReplicationIncident[], deps: IncidentDeps): Promise<void> {
  for (const incident of incidents) {
    deps.metrics.put("S3ReplicationEvents", 1, "Count", { Channel: "s3", EventType: METRIC_EVENT_TYPE[incident.eventType] });
    if (incident.lagSeconds !== undefined) {
      deps.metrics.put("ReplicationLagSeconds", incident.lagSeconds, "Seconds", { Channel: "s3", Source: "notification" });
    }
    const level = incident.eventType === "failed" ? "error" : "warn";
    deps.log[level]("S3 replication incident", { ...incident });
    await deps.ledger.put(ledgerItems.replication({ environment: deps.environment, channel: "s3", originRegion: deps.region, ...incident }));
  }
}

function secondsBetween(fromIso: string | undefined, toIso: string): number | undefined {
  if (fromIso === undefined) {
    return undefined;
  }
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  return Number.isNaN(from) || Number.isNaN(to) || to < from ? undefined : (to - from) / 1000;
}
