/**
 * A jest reporter that ends the run with one plain line, "jest: N passed, N failed, N skipped",
 * which CI tools read whatever the test runner. Skipped counts `it.skip` (tests that need
 * something absent, e.g. ../shared or the unifont package) and `it.todo` alike, so a run that
 * quietly did less than the whole suite says so. A test file that could not run at all (a
 * syntax or import error) has no tests to count: it counts as one failure, never as none.
 */
class PlainSummary {
  onRunComplete(_contexts, results) {
    const unrunnable = results.testResults.filter((file) => file.testExecError).length;
    const failed = results.numFailedTests + unrunnable;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = PlainSummary;
