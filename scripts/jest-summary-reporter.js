/**
 * Ends a jest run with one plain line, `tests: N passed, N failed`, which CI systems that do not
 * parse jest's own summary can read. (Skipped tests are not allowed in this project, but are
 * counted if they appear.)
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
    // Jest prints its own summary after the reporters run; write ours last.
    process.once("exit", () => process.stdout.write(`${line}\n`));
  }
}
module.exports = SummaryReporter;
