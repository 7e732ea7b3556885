import { createHmac } from 'node:crypto';
import { createHttpServer, createMetrics } from '@lendstack/platform';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { PayoutOutcome } from '../ports.js';
import { payoutWebhookRoute } from './payout-webhook.routes.js';
import { createRazorpayXWebhookVerifier } from './razorpayx-webhook.verifier.js';

const secret = 'route-test-webhook-secret';
const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex');

async function server(onOutcome: (o: PayoutOutcome) => Promise<void>) {
  const app = await createHttpServer({ logger: pino({ level: 'silent' }), metrics: createMetrics('payout-webhook-test'), serviceName: 'test', title: 't', description: 'd', version: '1' });
  await payoutWebhookRoute(app, { verify: createRazorpayXWebhookVerifier({ secret, maxAgeSeconds: 90_000, now: () => new Date() }), onOutcome });
  // The rest of the API keeps its JSON parser.
  app.post('/echo', async (request) => request.body);
  await app.ready();
  return app;
}

const body = (name: string) =>
  // Odd spacing on purpose: the signature is over these exact bytes, not a re-serialisation.
  `{"entity":"event","event":"${name}",  "contains":["payout"],"payload":{"payout":{"entity":{"id":"pout_9","status":"processed","reference_id":"p-0009","utr":"UTR1"}}},"created_at":${Math.floor(Date.now() / 1000)}}`;

describe('POST /v1/payout-webhooks/razorpayx', () => {
  it('given a signed processed event, then onOutcome gets it and the answer is 200 accepted', async () => {
    const seen: PayoutOutcome[] = [];
    const app = await server(async (o) => void seen.push(o));
    const payload = body('payout.processed');
    const response = await app.inject({ method: 'POST', url: '/v1/payout-webhooks/razorpayx', headers: { 'content-type': 'application/json', 'x-razorpay-signature': sign(payload), 'x-razorpay-event-id': 'evt_9' }, payload });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'accepted', payoutId: 'p-0009', outcome: 'processed' });
    expect(seen).toMatchObject([{ eventId: 'evt_9', payoutId: 'p-0009', providerPayoutId: 'pout_9', status: 'processed', utr: 'UTR1' }]);
    expect((await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' })).json()).toEqual({ a: 1 });
    await app.close();
  });

  it('given a bad signature, then 401 problem+json and onOutcome is not called', async () => {
    let called = false;
    const app = await server(async () => void (called = true));
    const payload = body('payout.processed');
    const response = await app.inject({ method: 'POST', url: '/v1/payout-webhooks/razorpayx', headers: { 'content-type': 'application/json', 'x-razorpay-signature': sign(payload + ' ') }, payload });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(called).toBe(false);
    await app.close();
  });

  it('given an event that settles nothing, then 200 ignored', async () => {
    const app = await server(async () => undefined);
    const payload = body('payout.initiated');
    const response = await app.inject({ method: 'POST', url: '/v1/payout-webhooks/razorpayx', headers: { 'content-type': 'application/json', 'x-razorpay-signature': sign(payload) }, payload });
    expect(response.json()).toEqual({ status: 'ignored', event: 'payout.initiated' });
    await app.close();
  });

  it('given onOutcome fails, then 500 so the provider retries', async () => {
    const app = await server(async () => {
      throw new Error('database down');
    });
    const payload = body('payout.processed');
    const response = await app.inject({ method: 'POST', url: '/v1/payout-webhooks/razorpayx', headers: { 'content-type': 'application/json', 'x-razorpay-signature': sign(payload) }, payload });
    expect(response.statusCode).toBe(500);
    await app.close();
  });
});
