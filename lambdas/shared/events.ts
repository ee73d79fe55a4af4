/**
 * Publishing to EventBridge. PutEvents takes at most 10 entries per call and can partly fail:
 * the call succeeds but `FailedEntryCount > 0` and the failed entries carry an `ErrorCode` at the
 * same index as the request entry. Only those entries are retried, with exponential backoff.
 */
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { redactDeep } from "../../engine/redact";

/** The `source` of every event the replication fabric emits. */
export const EVENT_SOURCE = "platform.replication";
export const MAX_ENTRIES_PER_PUT = 10;

export interface ReplicationEvent {
  readonly detailType: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /** ARNs of the resources the event is about. @default [] */
  readonly resources?: readonly string[];
  /** Event time. @default the time EventBridge receives it */
  readonly time?: Date;
}

export type PublishResult =
  | { readonly status: "published"; readonly eventId: string }
  | { readonly status: "failed"; readonly errorCode: string; readonly errorMessage: string }
  /** Not attempted because an earlier batch failed and `stopAfterFailedBatch` was set. */
  | { readonly status: "skipped" };

export interface PublishOptions {
  /** Bus name or ARN (an ARN can name a bus in another account). */
  readonly eventBusName: string;
  /** Attempts per entry, including the first. @default 3 */
  readonly maxAttempts?: number;
  /** Delay before the first retry; doubled for each further retry. @default 200 */
  readonly baseDelayMs?: number;
  /** Stop sending further batches once a batch still has failures after all attempts. @default false */
  readonly stopAfterFailedBatch?: boolean;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes `events` in order, in batches of 10, retrying failed entries.
 * Returns one result per input event, at the same index. Throws only if PutEvents itself throws
 * after the SDK's own retries (e.g. access denied); callers treat that as "all failed".
 */
export async function publishEvents(client: EventBridgeClient, events: readonly ReplicationEvent[], options: PublishOptions): Promise<PublishResult[]> {
  const maxAttempts = options.maxAttempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? defaultSleep;
  const results: PublishResult[] = events.map(() => ({ status: "skipped" }));

  for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_PUT) {
    let pending = events.slice(start, start + MAX_ENTRIES_PER_PUT).map((event, offset) => ({ index: start + offset, entry: toEntry(event, options.eventBusName) }));
    for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt += 1) {
      if (attempt > 1) {
        await sleep(baseDelayMs * 2 ** (attempt - 2));
      }
      const response = await client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) }));
      const entries = response.Entries ?? [];
      const stillFailing: typeof pending = [];
      pending.forEach((p, i) => {
        const entry = entries[i];
        if (entry?.EventId !== undefined && entry.ErrorCode === undefined) {
          results[p.index] = { status: "published", eventId: entry.EventId };
        } else {
          results[p.index] = { status: "failed", errorCode: entry?.ErrorCode ?? "MissingEntry", errorMessage: entry?.ErrorMessage ?? "no result entry returned" };
          stillFailing.push(p);
        }
      });
      pending = stillFailing;
    }
    if (pending.length > 0 && options.stopAfterFailedBatch === true) {
      break;
    }
  }
  return results;
}

function toEntry(event: ReplicationEvent, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: EVENT_SOURCE,
    DetailType: event.detailType,
    // Details carry error texts from database servers, which may quote a statement's password.
    Detail: JSON.stringify(redactDeep(event.detail)),
    Resources: event.resources !== undefined ? [...event.resources] : undefined,
    Time: event.time,
  };
}
