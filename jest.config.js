/**
 * Tests are transpiled by SWC without type-checking: `tsc --noEmit` runs once over the whole
 * project in `npm test` instead, which is far cheaper than type-checking inside every worker.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  reporters: ["default", "<rootDir>/scripts/jest-summary-reporter.js"],
  // Synth tests write stack folders to temporary directories; keep workers within the 2-core budget.
  maxWorkers: 2,
  // A worker that runs many synth test files grows: at the end of a full run each held 3.2 to 3.5 GB
  // (2.5 to 2.8 GB of heap), with no handle or timer left open, and giving that back on exit took
  // longer than the 500 ms jest waits ("a worker process has failed to exit gracefully"). A worker
  // past this much after a file is replaced by a fresh one.
  workerIdleMemoryLimit: "1GB",
  testTimeout: 60000,
};
