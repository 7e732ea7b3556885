// Prints the closing line CI reads, "N passed, N failed[, N skipped]", from vitest's JSON report.
// A run that produced no report, or ran no test, says so and fails. The run's unhandled errors (written by
// infra/unhandled-errors-reporter.mjs) are printed just above that line and each counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

const [file, unhandledFile] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.log('0 passed, 0 failed');
  console.error('no test report was written: the test run did not complete');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
// A file that fails to load has no failed test of its own; count it so it cannot pass unseen.
const failedTests = report.numFailedTests ?? 0;
const failed = failedTests > 0 ? failedTests : (report.numFailedTestSuites ?? 0);
const unhandled = unhandledFile && existsSync(unhandledFile) ? JSON.parse(readFileSync(unhandledFile, 'utf8')) : [];
for (const [i, e] of unhandled.entries()) {
  console.log(`unhandled error ${i + 1} of ${unhandled.length}${e.testFile ? ` (while ${e.testFile}${e.testName ? ` > ${e.testName}` : ''} ran)` : ''}: ${e.name}${e.code ? ` [${e.code}]` : ''}: ${e.message}`);
  for (const line of e.stack.split('\n').slice(1, 6)) console.log(`    ${line.trim()}`);
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed + unhandled.length} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) process.exit(1);
