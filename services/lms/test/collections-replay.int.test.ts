/**
 * Workflow code must stay deterministic for the histories already on a Temporal server: a change that would
 * make a running loan's workflow take another path on replay fails here. The fixture is the first run (before
 * continue-as-new) of the 12-month loan in collector.int.test.ts — reminders, debits, R01 returns and
 * re-presentments, a promise made and broken, the bounced-twice flag — recorded with
 * `RECORD_COLLECTIONS_HISTORY=<dir>` from that test. No server is needed: the worker replays it in process.
 * A deliberate change of the workflow's path is versioned with `patched()`, and the fixture re-recorded.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';

const workflowsPath = fileURLToPath(new URL('../src/modules/collections/workflows/collections.workflow.ts', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/workflow-histories/collections-12-month-loan.run-1.json', import.meta.url));

describe('the collections workflow replays its recorded histories', () => {
  it('replays a 12-month loan run with returns, a broken promise and flags to the same commands', async () => {
    const history = historyFromJSON(JSON.parse(await readFile(fixture, 'utf8')));
    expect(history.events?.length).toBeGreaterThan(100);
    await expect(Worker.runReplayHistory({ workflowsPath, replayName: 'collections-replay' }, history)).resolves.toBeUndefined();
  });
});
