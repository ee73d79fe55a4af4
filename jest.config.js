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
  testTimeout: 60000,
};
