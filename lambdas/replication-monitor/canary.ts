/**
 * Replication canaries: write a marker into each replicated store, then poll the replica until the
 * marker appears, measuring the lag. A marker that does not appear before the configured timeout,
 * or before the Lambda itself would time out, is reported as a timeout; the loop never outlives
 * the invocation. Only a definite "not there" counts towards a timeout: a replica read that is
 * refused (403 and other client errors) is an error at once, and one still throttled or failing
 * at the deadline is an error too, not replication lag.
 *
 * Lag resolution is the poll interval (plus one request round trip): a lag of 0.3 s polled every
 * 1 s is reported as up to ~1 s.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { GetParameterCommand, PutParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../shared/clock";
import { ledgerItems, type CanaryChannel, type CanaryItem, type CanaryStatus, type LedgerWriter } from "../shared/ledger";
import { errorFields, type Logger } from "../shared/log";
import type { Metrics } from "../shared/metrics";

/** One replicated store under test. */
export interface CanaryProbe {
  readonly channel: CanaryChannel;
  /** Writes the marker to the primary. */
  write(): Promise<void>;
  /** True once the marker is visible in the replica. */
  seen(): Promise<boolean>;
}

export interface CanaryResult {
  readonly channel: CanaryChannel;
  readonly status: CanaryStatus;
  readonly lagSeconds?: number;
  readonly error?: string;
}

export interface CanaryDeps {
  readonly runId: string;
  readonly environment: string;
  readonly region: string;
  /** How long a replica may take before the channel is reported as timed out. */
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly clock: Clock;
  /** Milliseconds left in the invocation (`context.getRemainingTimeInMillis`). */
  readonly remainingTimeMs: () => number;
  readonly ledger: LedgerWriter;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** Time kept back from the invocation's budget for recording results after polling stops. */
export const RESULT_MARGIN_MS = 3_000;

/** Runs all probes concurrently and records one result per channel. */
export async function runCanary(probes: readonly CanaryProbe[], deps: CanaryDeps): Promise<CanaryResult[]> {
  const hardDeadline = deps.clock.now() + deps.remainingTimeMs() - RESULT_MARGIN_MS;
  const results = await Promise.all(probes.map((probe) => runProbe(probe, hardDeadline, deps)));
  const occurredAt = new Date(deps.clock.now()).toISOString();
  for (const result of results) {
    if (result.status === "ok" && result.lagSeconds !== undefined) {
      deps.metrics.put("ReplicationLagSeconds", result.lagSeconds, "Seconds", { Channel: result.channel });
    }
    deps.metrics.put("CanaryTimeout", result.status === "timeout" ? 1 : 0, "Count", { Channel: result.channel });
    deps.metrics.put("CanaryError", result.status === "error" ? 1 : 0, "Count", { Channel: result.channel });
    const item: CanaryItem = ledgerItems.canary({
      environment: deps.environment,
      runId: deps.runId,
      record: "result",
      channel: result.channel,
      status: result.status,
      lagSeconds: result.lagSeconds,
      timeoutSeconds: deps.timeoutMs / 1000,
      error: result.error,
      occurredAt,
      originRegion: deps.region,
    });
    await deps.ledger.put(item);
  }
  deps.log.info("canary finished", { runId: deps.runId, results });
  return results;
}

async function runProbe(probe: CanaryProbe, hardDeadline: number, deps: CanaryDeps): Promise<CanaryResult> {
  const { clock } = deps;
  try {
    await probe.write();
  } catch (err) {
    deps.log.error("canary marker write failed", { channel: probe.channel, ...errorFields(err) });
    return { channel: probe.channel, status: "error", error: errorFields(err).errorMessage };
  }
  const writtenAt = clock.now();
  const deadline = Math.min(writtenAt + deps.timeoutMs, hardDeadline);
  let lastError: string | undefined;
  for (;;) {
    try {
      if (await probe.seen()) {
        return { channel: probe.channel, status: "ok", lagSeconds: (clock.now() - writtenAt) / 1000 };
      }
      lastError = undefined;
    } catch (err) {
      lastError = errorFields(err).errorMessage;
      if (!isTransient(err)) {
        // Access denied, a missing bucket or table: waiting longer cannot help, and it is not lag.
        deps.log.error("canary replica read refused", { channel: probe.channel, ...errorFields(err) });
        return { channel: probe.channel, status: "error", error: lastError };
      }
      // Throttling and server errors: keep polling; still failing at the deadline is an error.
    }
    const now = clock.now();
    if (now >= deadline) {
      deps.log.warn("canary replica not seen before the deadline", { channel: probe.channel, waitedMs: now - writtenAt, lastError });
      return lastError === undefined ? { channel: probe.channel, status: "timeout" } : { channel: probe.channel, status: "error", error: lastError };
    }
    await clock.sleep(Math.min(deps.pollIntervalMs, deadline - now));
  }
}

const THROTTLING = new Set(["ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "SlowDown", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "RequestThrottled"]);

/** Worth another poll: throttling, server-side (5xx) and network errors; not other client errors such as 403. */
function isTransient(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name !== undefined && THROTTLING.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || status === 408) return true;
  return status === undefined || status >= 500;
}

/** S3: a small object in the artifacts bucket, looked up in the replica bucket with HeadObject. */
export function s3Probe(params: { source: S3Client; replica: S3Client; bucket: string; replicaBucket: string; key: string; body: string }): CanaryProbe {
  return {
    channel: "s3",
    write: async () => {
      await params.source.send(new PutObjectCommand({ Bucket: params.bucket, Key: params.key, Body: params.body, ContentType: "application/json" }));
    },
    seen: async () => {
      try {
        await params.replica.send(new HeadObjectCommand({ Bucket: params.replicaBucket, Key: params.key }));
        return true;
      } catch (err) {
        // 404 until replicated. The reader has s3:ListBucket (see docs/lambdas.md): without it S3
        // answers 403 for a missing key, which is reported as an error, never as "not yet".
        if ((err as { name?: string }).name === "NotFound" || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
          return false;
        }
        throw err;
      }
    },
  };
}

/** DynamoDB: a canary marker item in the ledger, read back from the global table's replica region. */
export function dynamodbProbe(params: { ledger: LedgerWriter; replica: DynamoDBDocumentClient; replicaTableName: string; marker: CanaryItem }): CanaryProbe {
  return {
    channel: "dynamodb",
    write: () => params.ledger.put(params.marker),
    seen: async () => {
      const response = await params.replica.send(new GetCommand({ TableName: params.replicaTableName, Key: { pk: params.marker.pk, sk: params.marker.sk } }));
      return response.Item !== undefined;
    },
  };
}

/** SSM: a heartbeat parameter in this environment, expected to be mirrored into the next one. */
export function ssmProbe(params: { source: SSMClient; target: SSMClient; sourceName: string; targetName: string; value: string }): CanaryProbe {
  return {
    channel: "ssm",
    write: async () => {
      await params.source.send(new PutParameterCommand({ Name: params.sourceName, Value: params.value, Type: "String", Overwrite: true }));
    },
    seen: async () => {
      try {
        const response = await params.target.send(new GetParameterCommand({ Name: params.targetName }));
        return response.Parameter?.Value === params.value;
      } catch (err) {
        if ((err as { name?: string }).name === "ParameterNotFound") {
          return false;
        }
        throw err;
      }
    },
  };
}
