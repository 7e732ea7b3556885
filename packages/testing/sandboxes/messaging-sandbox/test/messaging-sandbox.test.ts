/** The messaging sandbox's Twilio API answers, in-process (receipts over a socket are in the LMS notifications test). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessagingSandbox } from '../src/server.js';

const sid = 'AC0000000000000000000000000000a11d';
const app = buildMessagingSandbox({ accountSid: sid, authToken: 'token-token-token', stepDelayMs: 10, maxMessages: 10, webhookMaxAttempts: 1 });
const auth = `Basic ${Buffer.from(`${sid}:token-token-token`).toString('base64')}`;
const send = (form: Record<string, string>, authorization = auth) =>
  app.inject({ method: 'POST', url: `/2010-04-01/Accounts/${sid}/Messages.json`, headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });

beforeAll(() => app.ready());
afterAll(() => app.close());

describe('messaging sandbox (Twilio Messaging API)', () => {
  it('creates a queued message and moves it to delivered', async () => {
    const created = await send({ To: '+919876543210', From: '+15005550006', Body: 'hello' });
    expect(created.statusCode).toBe(201);
    const message = created.json();
    expect(message).toMatchObject({ status: 'queued', to: '+919876543210', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01' });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    await new Promise((r) => setTimeout(r, 60));
    const fetched = await app.inject({ url: `/2010-04-01/Accounts/${sid}/Messages/${message.sid}.json`, headers: { authorization: auth } });
    expect(fetched.json()).toMatchObject({ status: 'delivered', error_code: null });
  });

  it("answers Twilio's error codes", async () => {
    expect((await send({ To: '+919876543210', From: '+15005550006', Body: 'x' }, 'Basic bad')).json()).toMatchObject({ code: 20003, status: 401 });
    expect((await send({ From: '+15005550006', Body: 'x' })).json()).toMatchObject({ code: 21604, status: 400 });
    expect((await send({ To: 'not-a-number', From: '+15005550006', Body: 'x' })).json()).toMatchObject({ code: 21211 });
    expect((await send({ To: '+15005550001', From: '+15005550006', Body: 'x' })).json()).toMatchObject({ code: 21211, more_info: 'https://www.twilio.com/docs/errors/21211' });
    expect((await send({ To: 'whatsapp:+919876543210', From: '+15005550006', Body: 'x' })).json()).toMatchObject({ code: 21910 });
    expect((await send({ To: '+919876543210', From: '+15005550006' })).json()).toMatchObject({ code: 21602 });
    expect((await send({ To: '+919876543210', From: '+15005550006', Body: 'x'.repeat(1601) })).json()).toMatchObject({ code: 21617 });
    expect((await send({ To: '+919876543210', From: '+15005550006', Body: 'x', StatusCallback: 'ftp://nowhere' })).json()).toMatchObject({ code: 21609 });
    const other = await app.inject({ method: 'POST', url: '/2010-04-01/Accounts/ACffffffffffffffffffffffffffffffff/Messages.json', headers: { authorization: auth } });
    expect(other.statusCode).toBe(404);
  });

  it('fails a message to a number ending 30001 without sending it', async () => {
    const message = (await send({ To: '+12125530001', From: '+15005550006', Body: 'x' })).json();
    await new Promise((r) => setTimeout(r, 40));
    expect((await app.inject({ url: `/2010-04-01/Accounts/${sid}/Messages/${message.sid}.json`, headers: { authorization: auth } })).json()).toMatchObject({ status: 'failed', error_code: 30001, error_message: 'Queue overflow', date_sent: null });
  });
});
