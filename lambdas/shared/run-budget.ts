/**
 * Time limits of one database-sync invocation: how long a connection attempt may take, how long an
 * upload must have been quiet before its files are applied, and how much of the function's time
 * must be left to start another file. Files not started are left for the next invocation.
 */
import { systemClock } from "./clock";
import type { S3FileSource } from "./s3-source";

/** The system clock's sleep (not events.ts's: that module would bundle the EventBridge client into these functions). */
export const defaultSleep = systemClock.sleep;

export interface RunTiming {
  /** A connection that is not established within this time fails the run. */
  readonly connectTimeoutMs: number;
  /** Files are applied once the folder's newest file is at least this old (parallel uploads settle). */
  readonly uploadQuietMs: number;
  /** Longest wait for an upload to settle; then the run goes ahead with what is there. */
  readonly maxSettleWaitMs: number;
  /** No new file is started with less than this left of the function's time. */
  readonly fileStartReserveMs: number;
  /**
   * Time kept back at the end of the invocation to record a failure: a statement is cancelled by the
   * server (statement timeout) this long before the function would be stopped, so it never runs on
   * orphaned after Lambda ends the invocation.
   */
  readonly statementMarginMs: number;
}

export const DEFAULT_RUN_TIMING: RunTiming = {
  connectTimeoutMs: 10_000,
  // `aws s3 sync` starts every upload of a folder at once; they finish within a few seconds.
  uploadQuietMs: 5_000,
  maxSettleWaitMs: 60_000,
  // Migrations can be slow; with less than a minute left, the next invocation is the better place.
  fileStartReserveMs: 60_000,
  statementMarginMs: 10_000,
};

/**
 * The statement timeout for work started now: what is left of the invocation less the margin, at
 * least one second; undefined (the engine's default) when the invocation has no deadline.
 */
export function statementTimeoutFor(remainingMs: number, timing: RunTiming): number | undefined {
  if (!Number.isFinite(remainingMs)) return undefined;
  return Math.max(1_000, Math.floor(remainingMs - timing.statementMarginMs));
}

export interface SettleOptions {
  readonly timing: RunTiming;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Which files of the folder count (the function's file pattern). */
  readonly fileName: RegExp;
}

/**
 * Waits until no matching file of the folder is younger than `uploadQuietMs`, so a run started by
 * the first finished upload of a parallel `aws s3 sync` sees the files still in flight (and applies
 * them in version order) instead of applying a later version before an earlier one arrives.
 * Returns how long it waited.
 */
export async function waitForQuietFolder(source: S3FileSource, options: SettleOptions): Promise<number> {
  const started = options.now().getTime();
  for (;;) {
    const newest = Math.max(0, ...(await source.objects()).filter((f) => options.fileName.test(f.name)).map((f) => f.lastModified?.getTime() ?? 0));
    const now = options.now().getTime();
    const quietFor = now - newest;
    const waited = now - started;
    if (quietFor >= options.timing.uploadQuietMs || waited >= options.timing.maxSettleWaitMs) return waited;
    await options.sleep(Math.min(options.timing.uploadQuietMs - quietFor, options.timing.maxSettleWaitMs - waited));
  }
}
