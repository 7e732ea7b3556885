/**
 * A local server of Twilio's Programmable Messaging API (protocol.ts) for SMS and WhatsApp, with delivery
 * receipts sent to each message's StatusCallback, signed as Twilio signs them. Outcomes come from the
 * destination number (outcomes.ts). Sandbox-only: GET /sandbox/messages lists what was sent (newest first)
 * with its callback deliveries; POST /sandbox/faults arms 5xx answers for retry tests.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createWebhookDelivery, registerFaultControl, type DeliveryProgress, type WebhookDelivery } from '../../lib/index.js';
import { decideFate, ERROR_MESSAGES } from './outcomes.js';
import { rfc2822, segments, twilioError, twilioSignature, type MessageResource, type MessageStatus } from './protocol.js';

export interface MessagingSandboxOptions {
  readonly accountSid: string;
  readonly authToken: string;
  readonly stepDelayMs: number;
  readonly maxMessages: number;
  readonly webhookMaxAttempts: number;
  readonly logger?: FastifyServerOptions['logger'];
}

interface CallbackRecord extends DeliveryProgress {
  readonly messageSid: string;
  readonly status: MessageStatus;
}

interface Stored {
  readonly message: MessageResource;
  readonly statusCallback: string | undefined;
  readonly callbacks: CallbackRecord[];
}

const E164 = /^(whatsapp:)?\+[1-9]\d{6,14}$/;
const MAX_BODY_CHARS = 1600;
const MAX_CALLBACK_URLS = 100;

export function buildMessagingSandbox(options: MessagingSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });
  const messages = new Map<string, Stored>();
  const deliveries = new Map<string, WebhookDelivery<CallbackRecord>>();
  const timers = new Set<NodeJS.Timeout>();
  const faults = registerFaultControl(app);
  const base = `/2010-04-01/Accounts/${options.accountSid}`;

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.get('/health', async () => ({ status: 'ok' }));

  const authorised = (header: string | undefined) => header === `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/2010-04-01/')) return;
    if (!authorised(request.headers.authorization)) return reply.code(401).header('www-authenticate', 'Basic realm="Twilio API"').send(twilioError(401, 20003, 'Authenticate'));
    if (!request.url.startsWith(`${base}/`)) return reply.code(404).send(twilioError(404, 20404, `The requested resource ${request.url.split('?')[0]} was not found`));
  });

  const deliveryFor = (url: string) => {
    let delivery = deliveries.get(url);
    if (!delivery) {
      if (deliveries.size >= MAX_CALLBACK_URLS) deliveries.delete(deliveries.keys().next().value!);
      delivery = createWebhookDelivery<CallbackRecord>(
        { url, maxAttempts: options.webhookMaxAttempts, initialBackoffMs: 200, maxBackoffMs: 10_000, timeoutMs: 5_000, maxRemembered: 1_000, log: (m, f) => app.log.warn(f, m) },
        (r) => ({ messageSid: r.messageSid, status: r.status }),
      );
      deliveries.set(url, delivery);
    }
    return delivery;
  };

  const transition = (stored: Stored, status: MessageStatus, errorCode: number | null) => {
    const now = new Date();
    Object.assign(stored.message, { status, date_updated: rfc2822(now), error_code: errorCode, error_message: errorCode ? ERROR_MESSAGES[errorCode] ?? null : null });
    if (status === 'sent') stored.message.date_sent = rfc2822(now);
    if (!stored.statusCallback) return;
    const m = stored.message;
    const params: Record<string, string> = { AccountSid: m.account_sid, ApiVersion: m.api_version, From: m.from, MessageSid: m.sid, MessageStatus: status, SmsSid: m.sid, SmsStatus: status, To: m.to };
    if (errorCode !== null) params.ErrorCode = String(errorCode);
    const record: CallbackRecord = { messageSid: m.sid, status, attempts: 0, delivered: false, lastResult: null };
    stored.callbacks.push(record);
    const body = new URLSearchParams(params).toString();
    deliveryFor(stored.statusCallback).deliver(record, body, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(options.authToken, stored.statusCallback, params) });
  };

  const later = (fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, options.stepDelayMs);
    timers.add(timer);
  };

  app.post<{ Body: Record<string, string> | undefined }>(`${base}/Messages.json`, async (request, reply) => {
    if (faults.before > 0) {
      faults.before -= 1;
      return reply.code(faults.status).send(twilioError(faults.status, 20500, 'Internal Server Error'));
    }
    const form = request.body ?? {};
    const refuse = (code: number, message: string) => reply.code(400).send(twilioError(400, code, message));
    if (!form.To) return refuse(21604, "A 'To' phone number is required.");
    if (!E164.test(form.To)) return refuse(21211, `The 'To' number ${form.To} is not a valid phone number.`);
    if (!form.From) return refuse(21603, "A 'From' phone number is required.");
    if (!E164.test(form.From)) return refuse(21212, `The 'From' number ${form.From} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    if (form.To.startsWith('whatsapp:') !== form.From.startsWith('whatsapp:')) return refuse(21910, "Invalid 'From' and 'To' pair. From and To should be of the same channel");
    if (!form.Body) return refuse(21602, 'Message body is required.');
    if ([...form.Body].length > MAX_BODY_CHARS) return refuse(21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (form.StatusCallback !== undefined && !/^https?:\/\/[^\s_]+$/.test(form.StatusCallback)) return refuse(21609, "Invalid 'StatusCallback'");
    const fate = decideFate(form.To);
    if (fate.kind === 'invalid-to') return refuse(21211, `The 'To' number ${form.To} is not a valid phone number.`);

    const now = rfc2822(new Date());
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const message: MessageResource = {
      sid, account_sid: options.accountSid, api_version: '2010-04-01', to: form.To, from: form.From, body: form.Body, status: 'queued', direction: 'outbound-api',
      num_segments: String(segments(form.Body)), error_code: null, error_message: null, price: null, price_unit: 'USD', messaging_service_sid: null,
      date_created: now, date_updated: now, date_sent: null, uri: `${base}/Messages/${sid}.json`,
    };
    const stored: Stored = { message, statusCallback: form.StatusCallback, callbacks: [] };
    messages.set(sid, stored);
    if (messages.size > options.maxMessages) messages.delete(messages.keys().next().value!);
    if (fate.kind === 'failed') later(() => transition(stored, 'failed', fate.errorCode));
    else later(() => {
      transition(stored, 'sent', null);
      later(() => transition(stored, fate.kind === 'delivered' ? 'delivered' : 'undelivered', fate.kind === 'undelivered' ? fate.errorCode : null));
    });
    if (faults.after > 0) {
      faults.after -= 1;
      return reply.code(faults.status).send(twilioError(faults.status, 20500, 'Internal Server Error'));
    }
    return reply.code(201).send(message);
  });

  app.get<{ Params: { sid: string } }>(`${base}/Messages/:sid`, async (request, reply) => {
    const stored = messages.get(request.params.sid.replace(/\.json$/, ''));
    if (!stored) return reply.code(404).send(twilioError(404, 20404, `The requested resource ${request.url} was not found`));
    return stored.message;
  });

  app.get<{ Querystring: { to?: string } }>('/sandbox/messages', async (request) => {
    const all = [...messages.values()].reverse().filter((s) => !request.query.to || s.message.to === request.query.to);
    return { messages: all.slice(0, 100).map((s) => ({ ...s.message, status_callback: s.statusCallback ?? null, callbacks: s.callbacks })) };
  });

  app.addHook('onClose', async () => {
    for (const timer of timers) clearTimeout(timer);
    for (const delivery of deliveries.values()) delivery.close();
  });
  return app;
}
