/*
 * Imported first by main.ts. tsx turns Node's source maps on, and cdktf captures a stack trace for
 * the tokens and constructs it creates (tens of thousands in one synth): with maps on, every one of
 * them is mapped back to the TypeScript sources, a large share of a synth's time. The synthesized
 * output holds no stack trace, so synth runs without maps (tsx then also skips writing them);
 * `PLATFORM_SOURCE_MAPS=1` keeps them, for TypeScript line numbers in the trace of a crash.
 */
if (process.env.PLATFORM_SOURCE_MAPS !== "1") process.setSourceMapsEnabled(false);

export {};
