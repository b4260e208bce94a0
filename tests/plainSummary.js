/**
 * A jest reporter that ends the run with one plain line, "jest: N passed, N failed, N skipped",
 * which CI tools read whatever the test runner. Skipped counts `it.skip` (tests that need
 * something absent, e.g. ../shared or the unifont package) and `it.todo` alike, so a run that
 * quietly did less than the whole suite says so. A test file that could not run at all (a
 * syntax or import error) has no tests to count: it counts as one failure, never as none.
 *
 * In CI (jest's `ci`: `--ci`, or the CI variable .ci/run sets) nothing may skip: CI has every
 * optional input, so a skip there means a check silently stopped running. The skipped tests
 * are named and the run fails.
 */
class PlainSummary {
  constructor(globalConfig) {
    this.ci = Boolean(globalConfig && globalConfig.ci);
    this.error = undefined;
  }

  onRunComplete(_contexts, results) {
    const unrunnable = results.testResults.filter((file) => file.testExecError).length;
    const failed = results.numFailedTests + unrunnable;
    const skipped = results.numPendingTests + results.numTodoTests;
    if (this.ci && skipped > 0) {
      const names = results.testResults.flatMap((file) =>
        file.testResults.filter((t) => t.status === 'pending' || t.status === 'todo').map((t) => t.fullName));
      process.stdout.write(`skipped, and nothing may skip in CI:\n${names.map((n) => `  ${n}\n`).join('')}`);
      this.error = new Error(`${skipped} test(s) skipped in CI`);
    }
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }

  getLastError() {
    return this.error;
  }
}
module.exports = PlainSummary;
