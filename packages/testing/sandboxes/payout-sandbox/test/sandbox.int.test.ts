/** The payout sandbox as a process: lifecycle (pid file, idempotent start) and the protocol it speaks. */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../src/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../lib/index.js';
import { payoutSandboxStatus, startPayoutSandbox, stopPayoutSandbox } from '../src/control.js';
import { SANDBOX_DEFAULTS } from '../src/defaults.js';
import { testPort } from '../../../src/ports.js';

const PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../../../.cache', import.meta.url));
const files = { pidFile: join(cache, `payout-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `payout-sandbox-${PORT}.log`) };
const url = `http://127.0.0.1:${PORT}`;
// Loosely typed JSON bodies, on purpose.
const json = (response: Response): Promise<any> => response.json();
const auth = `Basic ${Buffer.from(`${SANDBOX_DEFAULTS.keyId}:${SANDBOX_DEFAULTS.keySecret}`).toString('base64')}`;

let receiver: WebhookReceiver;

const payout = (key: string, overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/payouts`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json', 'x-payout-idempotency': key, ...headers },
    body: JSON.stringify({
      account_number: SANDBOX_DEFAULTS.accountNumber, amount: 250_000, currency: 'INR', mode: 'IMPS', purpose: 'payout', reference_id: key, narration: 'Loan disbursement',
      fund_account: { account_type: 'bank_account', bank_account: { name: 'Asha Rao', ifsc: 'HDFC0001234', account_number: 'tok_abc' }, contact: { name: 'Asha Rao', type: 'customer' } },
      ...overrides,
    }),
  });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  await stopPayoutSandbox(files);
  await startPayoutSandbox({ port: PORT, ...files, env: { PAYOUT_WEBHOOK_URL: receiver.url, PAYOUT_SANDBOX_DELAY_MS: '50', PAYOUT_SANDBOX_MAX_PAYOUTS: '3', PAYOUT_SANDBOX_WEBHOOK_MAX_ATTEMPTS: '3', LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
  await stopPayoutSandbox(files);
  await receiver?.close();
});

describe('payout sandbox', () => {
  it('start is idempotent and status reports it', async () => {
    const again = await startPayoutSandbox({ port: PORT, ...files });
    expect(again.alreadyRunning).toBe(true);
    expect(await payoutSandboxStatus({ port: PORT, ...files })).toMatchObject({ up: true, pid: again.pid });
  });

  it('creates a processing payout, then POSTs payout.initiated and payout.processed signed over the exact body', async () => {
    const response = await payout('sbx-key-0001');
    expect(response.status).toBe(200);
    const created = await json(response);
    expect(created).toMatchObject({ id: expect.stringMatching(/^pout_/), entity: 'payout', status: 'processing', amount: 250_000, reference_id: 'sbx-key-0001' });
    const processed = await eventually(async () => receiver.received.find((r) => r.body.includes('"payout.processed"') && r.body.includes(created.id)), { what: 'payout.processed' });
    expect(processed.headers['x-razorpay-signature']).toBe(createHmac('sha256', SANDBOX_DEFAULTS.webhookSecret).update(processed.body).digest('hex'));
    expect(processed.headers['x-razorpay-event-id']).toMatch(/^evt_/);
    expect(JSON.parse(processed.body)).toMatchObject({ entity: 'event', event: 'payout.processed', contains: ['payout'], payload: { payout: { entity: { id: created.id, status: 'processed', utr: expect.any(String) } } } });
    expect(receiver.received.some((r) => r.body.includes('"payout.initiated"') && r.body.includes(created.id))).toBe(true);
    const fetched = await json(await fetch(`${url}/v1/payouts/${created.id}`, { headers: { authorization: auth } }));
    expect(fetched).toMatchObject({ id: created.id, status: 'processed', status_details: { reason: 'payout_processed' } });
  });

  it('refuses a missing idempotency key, wrong credentials and invalid fields in the provider error format', async () => {
    const noKey = await fetch(`${url}/v1/payouts`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(400);
    const unauthenticated = await payout('sbx-key-0002', {}, { authorization: 'Basic eDp5' });
    expect(unauthenticated.status).toBe(401);
    const missing = await fetch(`${url}/v1/payouts`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', 'x-payout-idempotency': 'sbx-key-0003' },
      body: JSON.stringify({ account_number: SANDBOX_DEFAULTS.accountNumber, amount: 250_000, currency: 'INR', mode: 'IMPS', purpose: 'payout' }),
    });
    expect(await json(missing)).toMatchObject({ error: { code: 'BAD_REQUEST_ERROR', field: 'fund_account' } });
    expect((await json(await payout('sbx-key-0004', { mode: 'CHEQUE' }))).error.field).toBe('mode');
    const idempotencyBody = await json(await fetch(`${url}/v1/payouts/pout_nope`, { headers: { authorization: auth } }));
    expect(idempotencyBody).toMatchObject({ error: { description: 'The id provided does not exist' } });
  });

  it('the same key and body answers the same payout; the same key with another body is a BAD_REQUEST', async () => {
    const first = await json(await payout('sbx-key-0005'));
    const second = await json(await payout('sbx-key-0005'));
    expect(second.id).toBe(first.id);
    const conflict = await payout('sbx-key-0005', { amount: 250_100 });
    expect(conflict.status).toBe(400);
    expect((await json(conflict)).error.field).toBe('X-Payout-Idempotency');
  });

  it('keeps at most PAYOUT_SANDBOX_MAX_PAYOUTS payouts, forgetting the oldest', async () => {
    const ids: string[] = [];
    for (const key of ['sbx-bound-1', 'sbx-bound-2', 'sbx-bound-3', 'sbx-bound-4']) ids.push((await json(await payout(key))).id);
    const state = await json(await fetch(`${url}/sandbox/state`));
    expect(state.payouts).toHaveLength(3);
    expect((await fetch(`${url}/v1/payouts/${ids[0]}`, { headers: { authorization: auth } })).status).toBe(404);
  });

  it('retries a refused webhook a bounded number of times with the same event id and body', async () => {
    receiver.status = 503;
    const created = await json(await payout('sbx-key-0006'));
    const deliveries = await eventually(async () => {
      const state = await json(await fetch(`${url}/sandbox/state`));
      const d = state.deliveries.find((x: any) => x.payoutId === created.id && x.event === 'payout.processed');
      return d && d.attempts === 3 ? d : undefined;
    }, { timeoutMs: 10_000, what: 'three attempts' });
    expect(deliveries.delivered).toBe(false);
    const attempts = receiver.received.filter((r) => r.body.includes(created.id) && r.body.includes('"payout.processed"'));
    expect(new Set(attempts.map((a) => a.headers['x-razorpay-event-id'])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    receiver.status = 200;
  });

  it('stop ends the process and removes the pid file; status says down', async () => {
    expect(await stopPayoutSandbox(files)).toBe(true);
    expect(await payoutSandboxStatus({ port: PORT, ...files })).toMatchObject({ up: false });
    expect(await stopPayoutSandbox(files)).toBe(false);
  });
});
