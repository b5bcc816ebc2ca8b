// Prints "N passed, N failed, N skipped" from vitest's JSON report.
import { readFileSync } from "node:fs";

const [file] = process.argv.slice(2);
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (err) {
  console.log(`0 passed, 1 failed (no test report: ${err.message})`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
// A file that fails to load has no tests of its own but still fails the run.
const failedFiles = report.testResults.filter((r) => r.status === "failed" && r.assertionResults.length === 0).length;
const failed = report.numFailedTests + failedFiles;
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || report.numTotalTests === 0 ? 1 : 0);
