/*
 * Imported first by main.ts. cdktf captures and formats a full stack trace for every token and
 * computed list it creates (tens of thousands in one synth), only to show it if that token later
 * fails to resolve; none of it reaches the synthesized output. Two things make that expensive:
 * - tsx turns Node's source maps on, so every trace is mapped back to the TypeScript sources;
 * - V8 formats each trace into a string when cdktf reads it (about 0.5 s of a 4 s synth, and the
 *   strings stay in memory with their tokens).
 * Synth therefore runs without source maps, and traces captured on plain objects (how cdktf and
 * constructs record creation stacks) are formatted as nothing; errors keep V8's usual format.
 * `PLATFORM_DEBUG_TRACES=1` keeps both, for TypeScript line numbers and token creation stacks
 * when investigating a crash.
 */
if (process.env.PLATFORM_DEBUG_TRACES !== "1") {
  process.setSourceMapsEnabled(false);
  Error.prepareStackTrace = errorTraceOnly;
}

/** V8's default format (`<name>: <message>` and one `at` line per frame) for errors; "" for anything else. */
export function errorTraceOnly(target: unknown, frames: readonly NodeJS.CallSite[]): string {
  if (!(target instanceof Error)) return "";
  let head: string;
  try {
    head = Error.prototype.toString.call(target);
  } catch {
    head = "Error";
  }
  return head + frames.map((frame) => `\n    at ${String(frame)}`).join("");
}
