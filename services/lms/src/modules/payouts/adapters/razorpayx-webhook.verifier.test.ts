import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRazorpayXWebhookVerifier } from './razorpayx-webhook.verifier.js';

const secret = 'test-webhook-secret-0123456789';
const now = new Date('2026-12-01T10:00:00Z');
const verify = createRazorpayXWebhookVerifier({ secret, maxAgeSeconds: 90_000, now: () => now });
const sign = (body: string, key = secret) => createHmac('sha256', key).update(body).digest('hex');

const event = (name: string, entity: Record<string, unknown> = {}, createdAt = now.getTime() / 1000 - 5) =>
  JSON.stringify({
    entity: 'event',
    account_id: 'acc_1',
    event: name,
    contains: ['payout'],
    payload: { payout: { entity: { id: 'pout_1', status: name.split('.')[1], reference_id: 'payout-0001', notes: { payout_id: 'payout-0001' }, utr: null, status_details: null, ...entity } } },
    created_at: createdAt,
  });

describe('RazorpayX webhook verification', () => {
  it('given a processed event signed with the secret, then it is a processed outcome with its UTR and event id', () => {
    const body = event('payout.processed', { utr: 'SBXN000000000001' });
    const outcome = verify(Buffer.from(body), { 'x-razorpay-signature': sign(body), 'x-razorpay-event-id': 'evt_1' });
    expect(outcome).toEqual({ eventId: 'evt_1', payoutId: 'payout-0001', providerPayoutId: 'pout_1', status: 'processed', utr: 'SBXN000000000001', at: new Date((now.getTime() / 1000 - 5) * 1000) });
  });

  it('given a failed event, then the reason is provider-neutral upper snake case with the provider description', () => {
    const body = event('payout.failed', { status_details: { source: 'beneficiary_bank', reason: 'beneficiary_bank_down', description: 'Bank down' } });
    expect(verify(Buffer.from(body), { 'x-razorpay-signature': sign(body) })).toMatchObject({ status: 'failed', failureReason: 'BENEFICIARY_BANK_DOWN', failureDetail: 'Bank down', eventId: 'pout_1:payout.failed' });
  });

  it('given reversed and rejected events, then they settle as reversed and failed', () => {
    const reversed = event('payout.reversed', { status_details: { reason: 'beneficiary_bank_rejected' } });
    const rejected = event('payout.rejected');
    expect(verify(Buffer.from(reversed), { 'x-razorpay-signature': sign(reversed) })).toMatchObject({ status: 'reversed', failureReason: 'BENEFICIARY_BANK_REJECTED' });
    expect(verify(Buffer.from(rejected), { 'x-razorpay-signature': sign(rejected) })).toMatchObject({ status: 'failed' });
  });

  it('given an event that settles nothing, then it is ignored', () => {
    const body = event('payout.initiated');
    expect(verify(Buffer.from(body), { 'x-razorpay-signature': sign(body) })).toEqual({ ignored: 'payout.initiated' });
  });

  it('given a payout without our reference, then it is ignored', () => {
    const body = event('payout.processed', { reference_id: null, notes: [] });
    expect(verify(Buffer.from(body), { 'x-razorpay-signature': sign(body) })).toMatchObject({ ignored: expect.stringContaining('reference_id') });
  });

  it('given a missing, wrong, truncated or non-hex signature, then it is refused', () => {
    const body = event('payout.processed');
    expect(verify(Buffer.from(body), {})).toMatchObject({ error: 'missing-signature' });
    expect(verify(Buffer.from(body), { 'x-razorpay-signature': sign(body, 'another-secret') })).toMatchObject({ error: 'bad-signature' });
    expect(verify(Buffer.from(body), { 'x-razorpay-signature': sign(body).slice(0, 62) })).toMatchObject({ error: 'bad-signature' });
    expect(verify(Buffer.from(body), { 'x-razorpay-signature': 'z'.repeat(64) })).toMatchObject({ error: 'bad-signature' });
  });

  it('given a body changed after signing (even re-serialised), then it is refused', () => {
    const body = event('payout.processed');
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(verify(Buffer.from(reserialised), { 'x-razorpay-signature': sign(body) })).toMatchObject({ error: 'bad-signature' });
  });

  it('given an event older than the window or from the future, then it is stale', () => {
    const old = event('payout.processed', {}, now.getTime() / 1000 - 90_001);
    const future = event('payout.processed', {}, now.getTime() / 1000 + 3_600);
    expect(verify(Buffer.from(old), { 'x-razorpay-signature': sign(old) })).toMatchObject({ error: 'stale' });
    expect(verify(Buffer.from(future), { 'x-razorpay-signature': sign(future) })).toMatchObject({ error: 'stale' });
  });

  it('given a signed body that is not a payout event, then it is malformed', () => {
    for (const body of ['not json', '{"event":"payout.processed"}']) {
      expect(verify(Buffer.from(body), { 'x-razorpay-signature': sign(body) })).toMatchObject({ error: 'malformed' });
    }
  });
});
