/**
 * The RazorpayX payout adapter against the REAL sandbox process (packages/testing/sandboxes/payout-sandbox) on
 * a free port, its webhooks received over a socket by payoutWebhookRoute and verified by the adapter.
 */
import { randomUUID } from 'node:crypto';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpServer, createMetrics } from '@lendstack/platform';
import { eventually, testPort } from '@lendstack/testing';
import { startPayoutSandbox, stopPayoutSandbox } from '@lendstack/testing/payout-sandbox';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { payoutWebhookRoute } from '../src/modules/payouts/adapters/payout-webhook.routes.js';
import { createRazorpayXPayoutClient, razorpayXOptions } from '../src/modules/payouts/adapters/razorpayx-payout.client.js';
import { PayoutRailUnavailableError, type PayoutOutcome, type PayoutPort, type PayoutRequest, type PayoutSnapshot } from '../src/modules/payouts/ports.js';

const PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../.cache', import.meta.url));
const sandboxFiles = { pidFile: join(cache, `payout-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `payout-sandbox-${PORT}.log`) };
const config = loadConfig({ PAYOUT_BASE_URL: `http://127.0.0.1:${PORT}` });

let receiver: FastifyInstance;
let client: PayoutPort;
let sandboxUrl: string;
const outcomes: PayoutOutcome[] = [];
/** Webhook deliveries the receiver answers with 500 before it accepts again (the LMS "down"). */
let refuseNext = 0;

const request = (overrides: Partial<PayoutRequest> & { amountMinor?: bigint; accountToken?: string } = {}): PayoutRequest => ({
  payoutId: overrides.payoutId ?? randomUUID(),
  tenantId: 'demo',
  loanId: randomUUID(),
  amount: overrides.amount ?? { amountMinor: overrides.amountMinor ?? 5_000_000n, currency: 'INR', scale: 2 },
  beneficiary: overrides.beneficiary ?? { accountToken: overrides.accountToken ?? 'tok_vwHjl4w2iZZlAXBTRf7aWhYwAvhEar3j', bankCode: 'HDFC0001234', holderName: 'Asha Rao' },
  narration: overrides.narration ?? 'Lendstack loan disbursement (PL-12)',
});

const snapshot = (r: Awaited<ReturnType<PayoutPort['submit']>>): PayoutSnapshot => {
  if ('error' in r) throw new Error(`refused: ${JSON.stringify(r.error)}`);
  return r;
};
const outcomeOf = (payoutId: string) => eventually(async () => outcomes.find((o) => o.payoutId === payoutId), { timeoutMs: 15_000, what: `the webhook of ${payoutId}` });
const sandboxState = async () => (await (await fetch(`${sandboxUrl}/sandbox/state`)).json()) as { payouts: { idempotencyKey: string }[]; deliveries: { payoutId: string; event: string; attempts: number; delivered: boolean }[] };
const armFaults = (faults: { before?: number; after?: number; status?: number }) =>
  fetch(`${sandboxUrl}/sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });

beforeAll(async () => {
  client = createRazorpayXPayoutClient({ ...razorpayXOptions(config, () => new Date()), retryBaseDelayMs: 20 });
  receiver = await createHttpServer({ logger: pino({ level: 'silent' }), metrics: createMetrics('payouts-int'), serviceName: 'payouts-int', title: 't', description: 'd', version: '1' });
  await payoutWebhookRoute(receiver, {
    verify: client.verifyWebhook,
    onOutcome: async (o) => {
      if (refuseNext > 0) {
        refuseNext -= 1;
        throw new Error('LMS down');
      }
      outcomes.push(o);
    },
  });
  const receiverUrl = await receiver.listen({ host: '127.0.0.1', port: 0 });
  await stopPayoutSandbox(sandboxFiles);
  const sandbox = await startPayoutSandbox({
    port: PORT,
    ...sandboxFiles,
    env: { PAYOUT_WEBHOOK_URL: `${receiverUrl}/v1/payout-webhooks/razorpayx`, PAYOUT_SANDBOX_DELAY_MS: '100', LOG_LEVEL: 'warn' },
  });
  sandboxUrl = sandbox.url;
});

afterAll(async () => {
  await stopPayoutSandbox(sandboxFiles);
  await receiver?.close();
});

describe('RazorpayX payout adapter against the sandbox', () => {
  it('submit → processing, then a signed payout.processed webhook verifies to a processed outcome with a UTR', async () => {
    const req = request();
    const submitted = snapshot(await client.submit(req));
    expect(submitted).toMatchObject({ providerPayoutId: expect.stringMatching(/^pout_/), status: 'processing' });
    const outcome = await outcomeOf(req.payoutId);
    expect(outcome).toMatchObject({ providerPayoutId: submitted.providerPayoutId, status: 'processed', utr: expect.any(String), eventId: expect.stringMatching(/^evt_/) });
    expect(outcome.failureReason).toBeUndefined();
    expect(await client.status(submitted.providerPayoutId)).toMatchObject({ status: 'processed', utr: outcome.utr });
  });

  it('an amount ending in 13 paise fails with BENEFICIARY_BANK_DOWN; a token ending in FAIL with INVALID_ACCOUNT; REVERSE is reversed', async () => {
    const bankDown = request({ amountMinor: 5_000_013n });
    const invalid = request({ accountToken: 'tok_abcFAIL' });
    const returned = request({ accountToken: 'tok_abcREVERSE' });
    for (const r of [bankDown, invalid, returned]) snapshot(await client.submit(r));
    expect(await outcomeOf(bankDown.payoutId)).toMatchObject({ status: 'failed', failureReason: 'BENEFICIARY_BANK_DOWN', failureDetail: expect.any(String) });
    expect(await outcomeOf(invalid.payoutId)).toMatchObject({ status: 'failed', failureReason: 'INVALID_ACCOUNT' });
    // Processed first, then returned by the beneficiary bank (payout.reversed after payout.processed).
    expect(await outcomeOf(returned.payoutId)).toMatchObject({ status: 'processed' });
    const reversal = await eventually(async () => outcomes.find((o) => o.payoutId === returned.payoutId && o.status === 'reversed'), { timeoutMs: 15_000, what: 'payout.reversed' });
    expect(reversal).toMatchObject({ failureReason: 'BENEFICIARY_BANK_REJECTED' });
  });

  it('a resubmit with the same payoutId is the same payout (latest state), never a second one; another body with it is refused', async () => {
    const req = request();
    const first = snapshot(await client.submit(req));
    const again = snapshot(await client.submit(req));
    expect(again.providerPayoutId).toBe(first.providerPayoutId);
    await outcomeOf(req.payoutId);
    expect(snapshot(await client.submit(req))).toMatchObject({ providerPayoutId: first.providerPayoutId, status: 'processed' });
    expect((await sandboxState()).payouts.filter((p) => p.idempotencyKey === req.payoutId)).toHaveLength(1);
    expect(await client.submit({ ...req, amount: { ...req.amount, amountMinor: req.amount.amountMinor + 100n } })).toMatchObject({ error: { code: 'idempotency-conflict' } });
  });

  it('a 5xx after the payout was created is retried with the same key: one payout, and the caller sees it', async () => {
    await armFaults({ after: 1 });
    const req = request();
    const submitted = snapshot(await client.submit(req));
    expect((await sandboxState()).payouts.filter((p) => p.idempotencyKey === req.payoutId)).toHaveLength(1);
    expect(await outcomeOf(req.payoutId)).toMatchObject({ providerPayoutId: submitted.providerPayoutId, status: 'processed' });
  });

  it('5xx before creation is retried up to PAYOUT_MAX_ATTEMPTS, then PayoutRailUnavailableError; network errors likewise', async () => {
    await armFaults({ before: config.PAYOUT_MAX_ATTEMPTS - 1 });
    snapshot(await client.submit(request()));
    await armFaults({ before: config.PAYOUT_MAX_ATTEMPTS, status: 502 });
    await expect(client.submit(request())).rejects.toBeInstanceOf(PayoutRailUnavailableError);
    await armFaults({});
    const unreachable = createRazorpayXPayoutClient({ ...razorpayXOptions(loadConfig({ PAYOUT_BASE_URL: 'http://127.0.0.1:9' }), () => new Date()), retryBaseDelayMs: 10 });
    await expect(unreachable.submit(request())).rejects.toBeInstanceOf(PayoutRailUnavailableError);
  });

  it('while the LMS answers 500 the sandbox redelivers the same signed event with backoff until it is accepted', async () => {
    refuseNext = 2;
    const req = request();
    snapshot(await client.submit(req));
    await outcomeOf(req.payoutId);
    const deliveries = (await sandboxState()).deliveries.filter((d) => d.event === 'payout.processed' && d.delivered);
    expect(deliveries.some((d) => d.attempts >= 2)).toBe(true);
  });

  it('a webhook with a bad signature is refused with 401 and changes nothing', async () => {
    const body = JSON.stringify({ entity: 'event', event: 'payout.processed', contains: ['payout'], payload: { payout: { entity: { id: 'pout_forged', status: 'processed', reference_id: 'forged-0001' } } }, created_at: Math.floor(Date.now() / 1000) });
    const signature = createHmac('sha256', 'not-the-webhook-secret').update(body).digest('hex');
    const response = await fetch(`http://127.0.0.1:${(receiver.server.address() as { port: number }).port}/v1/payout-webhooks/razorpayx`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': signature }, body });
    expect(response.status).toBe(401);
    expect(outcomes.some((o) => o.payoutId === 'forged-0001')).toBe(false);
  });

  it('bad requests are refused as values naming the field; unknown payouts are not-found', async () => {
    expect(await client.submit(request({ beneficiary: { accountToken: 'tok_x', bankCode: 'NOT-AN-IFSC', holderName: 'Asha Rao' } }))).toMatchObject({ error: { code: 'invalid-request', field: 'fund_account.bank_account.ifsc' } });
    expect(await client.submit(request({ amount: { amountMinor: 100n, currency: 'USD', scale: 2 } }))).toMatchObject({ error: { code: 'unsupported-currency' } });
    expect(await client.status('pout_doesnotexist')).toEqual({ error: 'not-found' });
  });
});
