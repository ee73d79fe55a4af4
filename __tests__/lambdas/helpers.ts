/** Test doubles shared by the Lambda tests: capture logs and EMF lines instead of printing. */
import type { Context, DynamoDBRecord } from "aws-lambda";
import { marshall } from "@aws-sdk/util-dynamodb";
import { createLogger, type Logger } from "../../lambdas/shared/log";
import { createMetrics, type Metrics } from "../../lambdas/shared/metrics";
import type { Clock } from "../../lambdas/shared/clock";

export interface Captured {
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly lines: string[];
  readonly emf: Array<Record<string, unknown>>;
  /** Values of metric `name` across all EMF lines, optionally filtered by a dimension. */
  metricValues(name: string, dimensions?: Record<string, string>): number[];
}

export function capture(environment = "dev"): Captured {
  const lines: string[] = [];
  const emf: Array<Record<string, unknown>> = [];
  return {
    lines,
    emf,
    log: createLogger({ level: "debug", sink: (_level, line) => lines.push(line) }),
    metrics: createMetrics({ namespace: "Test/Replication", environment, sink: (line) => emf.push(JSON.parse(line)), now: () => 0 }),
    metricValues(name, dimensions = {}) {
      return emf
        .filter((record) => name in record && Object.entries(dimensions).every(([k, v]) => record[k] === v))
        .map((record) => record[name] as number);
    },
  };
}

/**
 * A virtual clock: `sleep` resolves instantly in real time but advances virtual time. Concurrent
 * sleepers overlap as they would in real time: timers fire in order of their due time, one per
 * macrotask, so every other sleeper has registered before time moves on.
 */
export function fakeClock(start = 1_700_000_000_000): Clock & { elapsed(): number } {
  let now = start;
  const timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  let seq = 0;
  let scheduled = false;
  const schedule = (): void => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(tick);
    }
  };
  const tick = (): void => {
    scheduled = false;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = timers.shift();
    if (next === undefined) return;
    now = Math.max(now, next.at);
    next.resolve();
    if (timers.length > 0) schedule();
  };
  return {
    now: () => now,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        timers.push({ at: now + ms, seq: seq++, resolve });
        schedule();
      }),
    elapsed: () => now - start,
  };
}

/** A Lambda context whose remaining time follows `clock`. */
export function lambdaContext(clock: Clock, budgetMs: number): Context {
  const deadline = clock.now() + budgetMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "test",
    functionVersion: "1",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:test",
    memoryLimitInMB: "256",
    awsRequestId: "req-1",
    logGroupName: "/aws/lambda/test",
    logStreamName: "stream",
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export const STREAM_ARN = "arn:aws:dynamodb:us-east-1:111111111111:table/replication-ledger-dev/stream/2024-01-01T00:00:00.000";

/** A stream record for `item` (INSERT unless told otherwise). */
export function streamRecord(sequenceNumber: string, item: object | undefined, overrides: Partial<DynamoDBRecord> = {}): DynamoDBRecord {
  return {
    eventID: `event-${sequenceNumber}`,
    eventName: "INSERT",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      SequenceNumber: sequenceNumber,
      StreamViewType: "NEW_AND_OLD_IMAGES",
      Keys: item === undefined ? undefined : (marshall({ pk: (item as { pk?: unknown }).pk, sk: (item as { sk?: unknown }).sk }) as never),
      NewImage: item === undefined ? undefined : (marshall(item, { removeUndefinedValues: true }) as never),
    },
    ...overrides,
  };
}

/**
 * Loads a handler module afresh (its module-scope clients and env reading run again) with
 * `env` as process.env. `mock` receives the isolated module registry's `require` so tests can
 * mockClient the very SDK classes that copy of the handler uses.
 */
export function loadHandler<T>(modulePath: string, env: Record<string, string>, mock: (load: (id: string) => unknown) => void = () => undefined): T {
  const saved = process.env;
  process.env = { ...env };
  try {
    let loaded: T | undefined;
    jest.isolateModules(() => {
      mock((id) => require(id));
      loaded = require(modulePath) as T;
    });
    return loaded as T;
  } finally {
    process.env = saved;
  }
}
