import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { randomId, registerFaultControl } from '../../lib/index.js';
import { errorBody, IDEMPOTENCY_KEY_PATTERN, type CreatePayoutBody, type PayoutEntity } from './protocol.js';
import { decideOutcome, PROCESSED } from './triggers.js';
import { createWebhookSender, type WebhookSenderOptions } from './webhooks.js';

export interface PayoutSandboxOptions {
  readonly keyId: string;
  readonly keySecret: string;
  /** The merchant's own RazorpayX account number that payouts debit (`account_number` in each request). */
  readonly accountNumber: string;
  /** Time from creation to the terminal state, in milliseconds. */
  readonly settleDelayMs: number;
  /** Bound on payouts kept in memory; the oldest is forgotten first. */
  readonly maxPayouts: number;
  readonly webhook: Omit<WebhookSenderOptions, 'log' | 'accountId'>;
  readonly logger?: boolean | { level: string };
}

interface StoredPayout {
  readonly entity: PayoutEntity;
  readonly idempotencyKey: string;
  readonly requestHash: string;
  timer?: NodeJS.Timeout;
}

const IFSC = '^[A-Z]{4}0[A-Z0-9]{6}$';
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength });
const createSchema = {
  type: 'object',
  required: ['account_number', 'amount', 'currency', 'mode', 'purpose', 'fund_account'],
  properties: {
    account_number: text(32),
    amount: { type: 'integer', minimum: 100, maximum: Number.MAX_SAFE_INTEGER },
    currency: { type: 'string', enum: ['INR'] },
    mode: { type: 'string', enum: ['IMPS', 'NEFT', 'RTGS', 'UPI'] },
    purpose: text(40),
    queue_if_low_balance: { type: 'boolean' },
    reference_id: { type: 'string', maxLength: 40 },
    narration: { type: 'string', maxLength: 30, pattern: '^[A-Za-z0-9 ]*$' },
    notes: { type: 'object', maxProperties: 15, additionalProperties: { type: 'string', maxLength: 256 } },
    fund_account: {
      type: 'object',
      required: ['account_type', 'bank_account', 'contact'],
      properties: {
        account_type: { type: 'string', enum: ['bank_account'] },
        bank_account: {
          type: 'object',
          required: ['name', 'ifsc', 'account_number'],
          properties: { name: text(120), ifsc: { type: 'string', pattern: IFSC }, account_number: text(64) },
        },
        contact: { type: 'object', required: ['name'], properties: { name: text(50), type: { type: 'string' }, reference_id: { type: 'string', maxLength: 40 } } },
      },
    },
  },
} as const;

/** The sandbox's HTTP server (not listening yet) plus a close that stops its timers and deliveries. */
export function buildPayoutSandbox(options: PayoutSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024 });
  const payouts = new Map<string, StoredPayout>();
  const byKey = new Map<string, string>();
  const faults = registerFaultControl(app);
  const webhooks = createWebhookSender({ ...options.webhook, accountId: 'acc_LendstackSbx01', log: (message, fields) => app.log.warn(fields ?? {}, message) });
  const expectedAuth = Buffer.from(`Basic ${Buffer.from(`${options.keyId}:${options.keySecret}`).toString('base64')}`);

  const authorised = (request: FastifyRequest) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.validation) {
      const first = error.validation[0];
      const field = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : ((first?.params as { missingProperty?: string } | undefined)?.missingProperty ?? null);
      return reply.status(400).send(errorBody(`${field ?? 'body'} ${first?.message ?? 'is invalid'}`, field));
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    return reply.status(status).send(errorBody(error.message, null, status >= 500 ? 'server_error' : 'input_validation_failed', status >= 500 ? 'SERVER_ERROR' : 'BAD_REQUEST_ERROR'));
  });

  const remember = (stored: StoredPayout) => {
    while (payouts.size >= options.maxPayouts) {
      const [oldestId, oldest] = payouts.entries().next().value as [string, StoredPayout];
      clearTimeout(oldest.timer);
      payouts.delete(oldestId);
      byKey.delete(oldest.idempotencyKey);
    }
    payouts.set(stored.entity.id, stored);
    byKey.set(stored.idempotencyKey, stored.entity.id);
  };

  const settle = (stored: StoredPayout, accountNumber: string) => {
    stored.timer = setTimeout(() => {
      stored.timer = undefined;
      const outcome = decideOutcome({ amount: stored.entity.amount, accountNumber });
      if (outcome.status !== 'failed') stored.entity.utr = `SBXN${String(Date.now()).slice(-12)}`;
      if (outcome.status === 'reversed') {
        // As RazorpayX does: the payout is processed first; the beneficiary bank returns it later.
        stored.entity.status = 'processed';
        stored.entity.status_details = PROCESSED;
        webhooks.send('payout.processed', { ...stored.entity });
        stored.timer = setTimeout(() => {
          stored.timer = undefined;
          stored.entity.status = 'reversed';
          stored.entity.status_details = outcome.details;
          webhooks.send('payout.reversed', stored.entity);
        }, options.settleDelayMs);
        return;
      }
      stored.entity.status = outcome.status;
      stored.entity.status_details = outcome.details;
      webhooks.send(`payout.${outcome.status}`, stored.entity);
    }, options.settleDelayMs);
  };

  app.get('/health', async () => ({ status: 'ok' }));

  app.post<{ Body: CreatePayoutBody }>('/v1/payouts', { schema: { body: createSchema } }, async (request, reply) => {
    if (!authorised(request)) return reply.status(401).send(errorBody('The api key provided is invalid', null, 'authentication_failed'));
    const key = request.headers['x-payout-idempotency'];
    if (typeof key !== 'string') return reply.status(400).send(errorBody('Idempotency key is missing. Include idempotency header and key in the request.', 'X-Payout-Idempotency'));
    if (!IDEMPOTENCY_KEY_PATTERN.test(key)) return reply.status(400).send(errorBody('The idempotency key must be 4 to 36 letters, digits, hyphens, underscores or spaces.', 'X-Payout-Idempotency'));
    const body = request.body;
    if (body.account_number !== options.accountNumber) return reply.status(400).send(errorBody('The account number is invalid', 'account_number'));
    if (faults.before > 0) {
      faults.before -= 1;
      return reply.status(faults.status).send(errorBody('Sandbox fault before the payout was created', null, 'server_error', 'SERVER_ERROR'));
    }
    const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const existingId = byKey.get(key);
    const existing = existingId === undefined ? undefined : payouts.get(existingId);
    if (existing) {
      if (existing.requestHash !== requestHash) return reply.status(400).send(errorBody('Different request body sent for the same idempotency key', 'X-Payout-Idempotency'));
      return existing.entity;
    }
    const stored: StoredPayout = {
      idempotencyKey: key,
      requestHash,
      entity: {
        id: randomId('pout_'),
        entity: 'payout',
        fund_account_id: randomId('fa_'),
        amount: body.amount,
        currency: body.currency,
        notes: body.notes ?? {},
        fees: 0,
        tax: 0,
        status: 'processing',
        utr: null,
        mode: body.mode,
        purpose: body.purpose,
        reference_id: body.reference_id ?? null,
        narration: body.narration ?? null,
        batch_id: null,
        status_details: null,
        created_at: Math.floor(Date.now() / 1000),
      },
    };
    remember(stored);
    webhooks.send('payout.initiated', stored.entity);
    settle(stored, body.fund_account.bank_account.account_number);
    if (faults.after > 0) {
      // The payout exists but the answer is lost: a retry with the same key must find it, not pay twice.
      faults.after -= 1;
      return reply.status(faults.status).send(errorBody('Sandbox fault after the payout was created', null, 'server_error', 'SERVER_ERROR'));
    }
    return stored.entity;
  });

  app.get<{ Params: { id: string } }>('/v1/payouts/:id', async (request, reply) => {
    if (!authorised(request)) return reply.status(401).send(errorBody('The api key provided is invalid', null, 'authentication_failed'));
    const stored = payouts.get(request.params.id);
    if (!stored) return reply.status(404).send(errorBody('The id provided does not exist', 'id'));
    return stored.entity;
  });

  // Sandbox-only controls, not part of the protocol: inspect state (5xx faults: registerFaultControl above).
  app.get('/sandbox/state', async () => ({ payouts: [...payouts.values()].map((p) => ({ idempotencyKey: p.idempotencyKey, ...p.entity })), deliveries: webhooks.deliveries() }));

  app.addHook('onClose', async () => {
    webhooks.close();
    for (const stored of payouts.values()) clearTimeout(stored.timer);
  });
  return app;
}
