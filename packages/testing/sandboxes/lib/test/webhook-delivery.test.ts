import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../src/wait.js';
import { envInt } from '../env.js';
import { createWebhookDelivery, type DeliveryProgress, type WebhookDeliveryOptions } from '../webhook-delivery.js';
import { startWebhookReceiver, type WebhookReceiver } from '../webhook-receiver.js';

interface Delivery extends DeliveryProgress {
  readonly id: string;
}

const record = (id: string): Delivery => ({ id, attempts: 0, delivered: false, lastResult: null });
const options = (url: string | undefined, overrides: Partial<WebhookDeliveryOptions> = {}) => {
  const dropped: { message: string; fields?: { [key: string]: unknown } }[] = [];
  const value: WebhookDeliveryOptions = {
    url, maxAttempts: 4, initialBackoffMs: 50, maxBackoffMs: 120, timeoutMs: 1_000, maxRemembered: 10,
    log: (message, fields) => dropped.push({ message, ...(fields ? { fields } : {}) }),
    ...overrides,
  };
  return { value, dropped };
};

let receiver: WebhookReceiver | undefined;
const closers: (() => void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await receiver?.close();
  receiver = undefined;
});

describe('webhook delivery', () => {
  it('retries a refused event with the same bytes and headers, backing off 100 ms, then 150 and 150 (capped, not 200 and 400), and drops it after maxAttempts', async () => {
    receiver = await startWebhookReceiver();
    receiver.status = 503;
    const { value, dropped } = options(receiver.url, { initialBackoffMs: 100, maxBackoffMs: 150 });
    const delivery = createWebhookDelivery<Delivery>(value, (r) => ({ id: r.id }));
    closers.push(delivery.close);
    const arrivals: number[] = [];
    const seen = receiver.received;
    const watch = setInterval(() => {
      while (arrivals.length < seen.length) arrivals.push(performance.now());
    }, 2);
    closers.push(() => clearInterval(watch));
    const r = record('evt_1');
    delivery.deliver(r, '{"a":1}', { 'x-signature': 'sig-1' });
    await eventually(async () => (dropped.length === 1 ? true : undefined), { timeoutMs: 5_000, what: 'the drop' });
    expect(r).toMatchObject({ attempts: 4, delivered: false, lastResult: '503' });
    expect(dropped).toEqual([{ message: 'webhook dropped after the last attempt', fields: { id: 'evt_1', attempts: 4, lastResult: '503' } }]);
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((s) => s.body))).toEqual(new Set(['{"a":1}']));
    expect(seen.every((s) => s.headers['x-signature'] === 'sig-1' && s.headers['content-type'] === 'application/json')).toBe(true);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    [100, 150, 150].forEach((expected, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(expected - 5);
      expect(gaps[i]).toBeLessThan(expected + 200);
    });
  });

  it('stops retrying once an attempt is answered 2xx', async () => {
    receiver = await startWebhookReceiver();
    receiver.status = 500;
    const { value, dropped } = options(receiver.url, { maxAttempts: 20, maxBackoffMs: 50 });
    const delivery = createWebhookDelivery<Delivery>(value, (r) => ({ id: r.id }));
    closers.push(delivery.close);
    const r = record('evt_2');
    delivery.deliver(r, '{}', {});
    await eventually(async () => (r.attempts >= 2 ? true : undefined), { timeoutMs: 3_000, intervalMs: 10, what: 'a second attempt' });
    receiver.status = 204;
    await eventually(async () => (r.delivered ? true : undefined), { timeoutMs: 3_000, intervalMs: 10, what: 'delivery' });
    const attempts = r.attempts;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r).toMatchObject({ attempts, delivered: true, lastResult: '204' });
    expect(receiver.received).toHaveLength(attempts);
    expect(dropped).toEqual([]);
  });

  it('counts a network error as a failed attempt, and close cancels the pending retry', async () => {
    const closed = await startWebhookReceiver();
    const url = closed.url;
    await closed.close();
    const { value } = options(url, { initialBackoffMs: 200, maxBackoffMs: 200 });
    const delivery = createWebhookDelivery<Delivery>(value, (r) => ({ id: r.id }));
    const r = record('evt_3');
    delivery.deliver(r, '{}', {});
    await eventually(async () => (r.attempts === 1 && r.lastResult !== null ? true : undefined), { timeoutMs: 5_000, what: 'the first attempt' });
    expect(r.lastResult).toBe('TypeError');
    delivery.close();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(r.attempts).toBe(1);
  });

  it('remembers at most maxRemembered deliveries, oldest forgotten first; without a URL it is disabled and sends nothing', async () => {
    receiver = await startWebhookReceiver();
    const { value } = options(receiver.url, { maxRemembered: 2 });
    const delivery = createWebhookDelivery<Delivery>(value, (r) => ({ id: r.id }));
    closers.push(delivery.close);
    for (const id of ['a', 'b', 'c']) delivery.deliver(record(id), `{"id":"${id}"}`, {});
    expect(delivery.enabled).toBe(true);
    expect(delivery.deliveries().map((d) => d.id)).toEqual(['b', 'c']);
    await eventually(async () => (receiver!.received.length === 3 ? true : undefined), { timeoutMs: 5_000, what: 'three deliveries' });

    const off = createWebhookDelivery<Delivery>(options(undefined).value, (r) => ({ id: r.id }));
    const r = record('x');
    off.deliver(r, '{}', {});
    expect(off.enabled).toBe(false);
    expect(off.deliveries()).toEqual([]);
    expect(r.attempts).toBe(0);
  });
});

describe('envInt', () => {
  it('reads a bounded integer, falls back when unset or empty, and names the variable when out of range', () => {
    expect(envInt('42', 7, 0, 100, 'FOO')).toBe(42);
    expect(envInt(undefined, 7, 0, 100, 'FOO')).toBe(7);
    expect(envInt('', 7, 0, 100, 'FOO')).toBe(7);
    expect(() => envInt('101', 7, 0, 100, 'FOO_SANDBOX_PORT')).toThrow('FOO_SANDBOX_PORT must be an integer from 0 to 100, got 101');
    expect(() => envInt('1.5', 7, 0, 100, 'FOO')).toThrow('FOO must be an integer');
    expect(() => envInt('abc', 7, 0, 100, 'FOO')).toThrow('FOO must be an integer');
  });
});
