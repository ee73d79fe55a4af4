/*
 * Imported first by main.ts. cdktf captures a full stack trace (no depth limit) for every token and
 * computed list it creates, tens of thousands in one synth, only to show it if that token later
 * fails to resolve; none of it reaches the synthesized output. That costs twice:
 * - tsx turns Node's source maps on, so every trace is mapped back to the TypeScript sources;
 * - V8 walks the whole stack for each capture and formats it into strings that stay in memory with
 *   their tokens (about 0.5 s of a 2 s synth, more as the platform grows).
 * Synth therefore runs without source maps, and stack traces are captured for errors only: cdktf
 * and constructs record creation stacks on plain objects (`{ stack: "" }`), which are left as they
 * are (every other caller in the synth app's bundle, cdktf's and constructs' own included, passes
 * an Error). `PLATFORM_DEBUG_TRACES=1` keeps both, for TypeScript line numbers and token creation
 * stacks when investigating a crash.
 */
if (process.env.PLATFORM_DEBUG_TRACES !== "1") {
  process.setSourceMapsEnabled(false);
  const captureStackTrace = Error.captureStackTrace;
  Error.captureStackTrace = function captureErrorStackTrace(target: object, constructorOpt?: Function): void {
    if (target instanceof Error) captureStackTrace(target, constructorOpt);
  };
}

export {};
