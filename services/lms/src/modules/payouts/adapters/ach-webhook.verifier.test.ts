import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyAchWebhook } from './ach-webhook.verifier.js';

const secret = 'ach-webhook-secret-for-tests';
const now = new Date('2026-12-02T12:00:00Z');
const t = Math.floor(now.getTime() / 1000);
const body = JSON.stringify({ id: 'evt_1', type: 'file.settled', createdAt: now.toISOString(), data: { fileId: 'file_1', settlementDate: '2026-12-03', traceNumbers: ['231380100000001'] } });
const sign = (raw: string, at = t, key = secret) => `t=${at},v1=${createHmac('sha256', key).update(`${at}.${raw}`).digest('hex')}`;
const verify = (raw: string, signature: string | undefined) => verifyAchWebhook(Buffer.from(raw), signature ? { 'x-ach-signature': signature } : {}, { secret, maxAgeSeconds: 3_600, now: () => now });

describe('ACH webhook verifier', () => {
  it('accepts a body signed with the secret over "t.body" and parses the event', () => {
    expect(verify(body, sign(body))).toEqual({ event: JSON.parse(body) });
  });
  it('refuses a missing, malformed or wrong signature, another body, and an old or future timestamp', () => {
    expect(verify(body, undefined)).toMatchObject({ error: 'missing-signature' });
    expect(verify(body, 'sha256=abc')).toMatchObject({ error: 'bad-signature' });
    expect(verify(body, sign(body, t, 'another-secret-entirely'))).toMatchObject({ error: 'bad-signature' });
    expect(verify(body.replace('file_1', 'file_2'), sign(body))).toMatchObject({ error: 'bad-signature' });
    expect(verify(body, sign(body, t - 3_601))).toMatchObject({ error: 'stale' });
    expect(verify(body, sign(body, t + 600))).toMatchObject({ error: 'stale' });
  });
  it('refuses a signed body that is not an ACH event', () => {
    const other = JSON.stringify({ id: 'evt_2', type: 'file.settled', createdAt: now.toISOString(), data: { fileId: 'f', settlementDate: '2026-12-03', traceNumbers: ['12'] } });
    expect(verify(other, sign(other))).toMatchObject({ error: 'malformed', detail: expect.stringContaining('traceNumbers') });
    expect(verify('not json', sign('not json'))).toMatchObject({ error: 'malformed' });
  });
});
