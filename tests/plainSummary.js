/**
 * A jest reporter that ends the run with one plain line, "jest: N passed, N failed", which CI
 * tools read whatever the test runner.
 */
class PlainSummary {
  onRunComplete(_contexts, results) {
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed\n`);
  }
}
module.exports = PlainSummary;
