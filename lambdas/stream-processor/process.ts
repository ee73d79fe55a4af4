/**
 * Turns a batch of ledger stream records into EventBridge events.
 *
 * Partial batch semantics (event source mapping with FunctionResponseTypes=ReportBatchItemFailures):
 * a DynamoDB stream shard is ordered, and Lambda checkpoints on the LOWEST sequence number we
 * report. Everything before it counts as done; it and everything after it is delivered again.
 * So records are handled strictly in order and we report exactly one record: the first one we
 * could not complete. Records after it are not attempted in this invocation (they will come back),
 * which keeps duplicates to the failing batch of at most 10 events. Returning an empty list means
 * the whole batch succeeded. A record we cannot parse is reported the same way, never thrown:
 * after the mapping's MaximumRetryAttempts it goes to the on-failure destination and the shard
 * moves on, instead of the whole batch failing forever.
 */
import type { AttributeValue as StreamAttributeValue, DynamoDBBatchResponse, DynamoDBRecord } from "aws-lambda";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { publishEvents, type PublishResult, type ReplicationEvent } from "../shared/events";
import { parseLedgerItem } from "../shared/ledger";
import { errorFields, type Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";
import { eventForItem, eventForManualDelete } from "./announce";

export interface StreamProcessorDeps {
  readonly eventBridge: EventBridgeClient;
  /** Central bus name or ARN. */
  readonly eventBusName: string;
  /** This function's region: items written in another region (global-table replicas) are skipped. */
  readonly region: string;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** PutEvents attempts per entry. @default 3 */
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What one record turned into. */
export type Decoded =
  | { readonly outcome: "event"; readonly event: ReplicationEvent }
  | { readonly outcome: "skip"; readonly reason: string }
  | { readonly outcome: "error"; readonly reason: string };

/** Classifies one stream record. Pure: no I/O. */
export function decodeRecord(record: DynamoDBRecord, region: string): Decoded {
  const resources = tableArn(record.eventSourceARN);
  try {
    if (record.eventName === "REMOVE") {
      // TTL deletions are performed by the DynamoDB service principal; they are expected housekeeping.
      if (record.userIdentity?.type === "Service" && record.userIdentity.principalId === "dynamodb.amazonaws.com") {
        return { outcome: "skip", reason: "ttl-expiry" };
      }
      const image = record.dynamodb?.OldImage ?? record.dynamodb?.Keys;
      if (image === undefined) {
        return { outcome: "error", reason: "REMOVE record without OldImage or Keys" };
      }
      const old = toPlain(image);
      if (typeof old.originRegion === "string" && old.originRegion !== region) {
        return { outcome: "skip", reason: "replicated-from-other-region" };
      }
      return { outcome: "event", event: eventForManualDelete(old, record.userIdentity?.principalId, resources) };
    }
    if (record.eventName !== "INSERT" && record.eventName !== "MODIFY") {
      return { outcome: "error", reason: `unknown eventName ${String(record.eventName)}` };
    }
    const newImage = record.dynamodb?.NewImage;
    if (newImage === undefined) {
      return { outcome: "error", reason: `${record.eventName} record without NewImage (stream view type must be NEW_AND_OLD_IMAGES)` };
    }
    const item = parseLedgerItem(toPlain(newImage));
    if (item.originRegion !== undefined && item.originRegion !== region) {
      return { outcome: "skip", reason: "replicated-from-other-region" };
    }
    const event = eventForItem(item, resources);
    return event === undefined ? { outcome: "skip", reason: "not-announced" } : { outcome: "event", event };
  } catch (err) {
    return { outcome: "error", reason: errorFields(err).errorMessage };
  }
}

export async function processStreamBatch(records: readonly DynamoDBRecord[], deps: StreamProcessorDeps): Promise<DynamoDBBatchResponse> {
  const decoded = records.map((record) => decodeRecord(record, deps.region));
  const firstError = decoded.findIndex((d) => d.outcome === "error");
  const usable = firstError === -1 ? records.length : firstError;

  // Only records before the first malformed one are published; it and later ones come back.
  const eventIndexes: number[] = [];
  const events: ReplicationEvent[] = [];
  for (let i = 0; i < usable; i += 1) {
    const d = decoded[i];
    if (d.outcome === "event") {
      eventIndexes.push(i);
      events.push(d.event);
    }
  }

  let results: PublishResult[];
  try {
    results = events.length === 0 ? [] : await publishEvents(deps.eventBridge, events, { eventBusName: deps.eventBusName, stopAfterFailedBatch: true, maxAttempts: deps.maxAttempts, sleep: deps.sleep });
  } catch (err) {
    deps.log.error("PutEvents failed for the whole batch", { ...errorFields(err), eventBusName: deps.eventBusName });
    results = events.map(() => ({ status: "failed", errorCode: errorFields(err).errorName, errorMessage: errorFields(err).errorMessage }));
  }

  const firstUnpublished = results.findIndex((r) => r.status !== "published");
  const failedAt = firstUnpublished === -1 ? firstError : eventIndexes[firstUnpublished];

  const published = firstUnpublished === -1 ? results.length : firstUnpublished;
  const skipped = decoded.slice(0, failedAt === -1 ? records.length : failedAt).filter((d) => d.outcome === "skip").length;
  deps.metrics.put("StreamEventsPublished", published, "Count");
  deps.metrics.put("StreamRecordsSkipped", skipped, "Count");
  deps.metrics.put("StreamRecordsFailed", failedAt === -1 ? 0 : 1, "Count");

  if (failedAt === -1) {
    deps.log.info("stream batch processed", { records: records.length, published, skipped });
    return { batchItemFailures: [] };
  }
  const failedRecord = records[failedAt];
  const reason = decoded[failedAt].outcome === "error" ? (decoded[failedAt] as { reason: string }).reason : describe(results[firstUnpublished]);
  const sequenceNumber = failedRecord.dynamodb?.SequenceNumber;
  deps.log.error("stream record failed; reporting it so the batch resumes from it", {
    sequenceNumber,
    eventID: failedRecord.eventID,
    position: failedAt,
    records: records.length,
    published,
    reason,
  });
  // An empty identifier makes Lambda retry the whole batch, the safe fallback if one is ever missing.
  return { batchItemFailures: [{ itemIdentifier: sequenceNumber ?? "" }] };
}

function describe(result: PublishResult | undefined): string {
  if (result?.status === "failed") {
    return `PutEvents ${result.errorCode}: ${result.errorMessage}`;
  }
  return "not published: an earlier entry in its batch failed";
}

function toPlain(image: Record<string, StreamAttributeValue>): Record<string, unknown> {
  // The aws-lambda and SDK AttributeValue types describe the same wire format.
  return unmarshall(image as unknown as Record<string, AttributeValue>);
}

/** `arn:...:table/name/stream/2024-...` → `[arn:...:table/name]`. */
function tableArn(eventSourceArn: string | undefined): string[] {
  if (eventSourceArn === undefined) {
    return [];
  }
  const index = eventSourceArn.indexOf("/stream/");
  return [index === -1 ? eventSourceArn : eventSourceArn.slice(0, index)];
}
