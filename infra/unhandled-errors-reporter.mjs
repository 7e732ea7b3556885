// A vitest reporter that writes the run's unhandled errors (an error no test caught: a rejected promise,
// an 'error' event without a listener, a worker that died) to the file named by
// LENDSTACK_UNHANDLED_ERRORS, so infra/test-summary.mjs can print them just above the closing line and
// count them as failures: vitest fails such a run even when every test passed.
import { writeFileSync } from 'node:fs';

export default class UnhandledErrorsReporter {
  onTestRunEnd(_modules, unhandledErrors) {
    const file = process.env.LENDSTACK_UNHANDLED_ERRORS;
    if (!file) return;
    const errors = unhandledErrors.map((e) => ({
      name: e.name ?? 'Error',
      message: String(e.message ?? e),
      code: e.code,
      testFile: e.VITEST_TEST_PATH,
      testName: e.VITEST_TEST_NAME,
      stack: String(e.stack ?? '').split('\n').slice(0, 12).join('\n'),
    }));
    writeFileSync(file, JSON.stringify(errors, null, 2));
  }
}
