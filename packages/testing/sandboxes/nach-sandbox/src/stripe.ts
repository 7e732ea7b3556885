/**
 * A US ACH debit authorisation vendor in Stripe's documented style, served by this sandbox under `/stripe`
 * (the card sandbox is a generic card processor, not Stripe's API). Form-encoded requests with bracketed keys
 * (`mandate_data[customer_acceptance][online][ip_address]=…`), `Authorization: Bearer sk_…`, an optional
 * `Idempotency-Key`, JSON answers and Stripe's error shape `{error: {type, code, param, message}}`:
 * - `POST /stripe/v1/setup_intents` with `confirm=true`, `payment_method_types[]=us_bank_account`,
 *   `payment_method_data[us_bank_account][routing_number|account_number|account_holder_type]`,
 *   `payment_method_data[billing_details][name]` and the consumer's authorisation,
 *   `mandate_data[customer_acceptance][type]=online` with `[online][ip_address]` and `[online][user_agent]`
 *   (required: NACHA has the originator keep the consumer's authorisation of recurring debits) → a SetupIntent
 *   `requires_action` (`next_action.type = verify_with_microdeposits`, a hosted verification URL) and a
 *   `pending` Mandate (docs.stripe.com/api/setup_intents, /api/mandates/object).
 * - `POST /stripe/v1/setup_intents/{id}/verify_microdeposits {descriptor_code}`: the consumer proves the
 *   account is theirs. `SM11AA` (Stripe's test code) succeeds → `succeeded`, mandate `active`, event
 *   `setup_intent.succeeded`; another code is a 400, and the third wrong one fails the SetupIntent
 *   (`requires_payment_method`, `last_setup_error`, mandate `inactive`, event `setup_intent.setup_failed`).
 *   Account number `000111111116` (Stripe's "no account" test number) fails at verification with
 *   `payment_method_microdeposit_failed`.
 * - `GET /stripe/v1/setup_intents/{id}`, `GET /stripe/v1/mandates/{id}`.
 * Events go to STRIPE_WEBHOOK_URL signed in `Stripe-Signature` (webhooks.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomId } from '../../lib/index.js';

export interface StripeAchOptions {
  readonly apiKey: string;
  readonly maxItems: number;
  /** Sends a signed event (webhooks.ts); none configured = clients poll. */
  readonly send: (type: string, object: { id: string }) => void;
}

type Form = { [key: string]: string | Form | string[] };
interface Mandate {
  id: string; object: 'mandate'; status: 'pending' | 'active' | 'inactive'; type: 'multi_use'; multi_use: Record<string, never>; livemode: false; payment_method: string;
  customer_acceptance: { accepted_at: number; type: 'online'; online: { ip_address: string; user_agent: string } };
  payment_method_details: { type: 'us_bank_account'; us_bank_account: { collection_method: null } };
}
interface SetupIntent {
  id: string; object: 'setup_intent'; status: 'requires_action' | 'succeeded' | 'requires_payment_method'; usage: string; livemode: false; created: number;
  payment_method_types: string[]; payment_method: string; mandate: string; metadata: Record<string, string>;
  next_action: null | { type: 'verify_with_microdeposits'; verify_with_microdeposits: { arrival_date: number; hosted_verification_url: string; microdeposit_type: 'descriptor_code' } };
  last_setup_error: null | { type: 'invalid_request_error'; code: string; message: string };
  /** Not Stripe's: the sandbox's own record of the bank account (never shown). */
  account_number?: string;
}

const TEST_DESCRIPTOR_CODE = 'SM11AA';
const NO_ACCOUNT = '000111111116';
const MAX_VERIFY_ATTEMPTS = 3;

/** `a[b][c]=v` → {a: {b: {c: v}}}; `a[]=v` and `a[0]=v` → arrays. Stripe's encoding of nested parameters. */
export function parseStripeForm(body: string): Form {
  const out: Form = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Form = out;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const arrayNext = !last && (path[i + 1] === '' || /^\d+$/.test(path[i + 1]!));
      if (last) {
        if (Array.isArray(node)) (node as unknown as string[]).push(value);
        else node[part] = value;
        return;
      }
      if (node[part] === undefined) node[part] = arrayNext ? [] : {};
      node = node[part] as Form;
    });
  }
  return out;
}

const str = (f: Form | undefined, ...path: string[]): string | undefined => {
  let v: unknown = f;
  for (const p of path) v = v && typeof v === 'object' ? (v as Form)[p] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
};
const stripeError = (status: number, code: string, message: string, param?: string) => ({ status, body: { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } } });
/** ABA routing number checksum: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
const abaValid = (r: string) => /^\d{9}$/.test(r) && [...r].reduce((s, d, i) => s + Number(d) * [3, 7, 1][i % 3]!, 0) % 10 === 0;

export function registerStripeAch(app: FastifyInstance, options: StripeAchOptions): void {
  const intents = new Map<string, SetupIntent>();
  const mandates = new Map<string, Mandate>();
  const attempts = new Map<string, number>();
  const idempotent = new Map<string, { hash: string; status: number; body: unknown }>();
  const expectedAuth = Buffer.from(`Bearer ${options.apiKey}`);
  const bounded = <T>(map: Map<string, T>) => { while (map.size >= options.maxItems) map.delete(map.keys().next().value as string); };
  const publicIntent = ({ account_number: _a, ...si }: SetupIntent) => si;

  app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, parseStripeForm(body as string)));
    scope.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.url.startsWith('/stripe/hosted/')) return undefined;
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expectedAuth.length || !timingSafeEqual(given, expectedAuth)) return reply.status(401).send({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      return undefined;
    });
    const once = async (request: FastifyRequest, reply: FastifyReply, create: () => { status: number; body: unknown }) => {
      const key = request.headers['idempotency-key'];
      const hash = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
      const scoped = typeof key === 'string' ? `${request.url}:${key}` : undefined;
      const seen = scoped ? idempotent.get(scoped) : undefined;
      if (seen) return seen.hash === hash ? reply.header('idempotent-replayed', 'true').status(seen.status).send(seen.body) : reply.status(400).send(stripeError(400, 'idempotency_key_in_use', 'Keys for idempotent requests can only be used with the same parameters they were first used with.').body);
      const answer = create();
      if (scoped) { bounded(idempotent); idempotent.set(scoped, { hash, ...answer }); }
      return reply.status(answer.status).send(answer.body);
    };

    scope.post<{ Body: Form }>('/stripe/v1/setup_intents', (request, reply) => once(request, reply, () => {
      const b = request.body ?? {};
      const types = Array.isArray(b.payment_method_types) ? b.payment_method_types : [];
      if (!types.includes('us_bank_account')) return stripeError(400, 'parameter_invalid_empty', 'This sandbox sets up us_bank_account payment methods only.', 'payment_method_types');
      if (str(b, 'confirm') !== 'true') return stripeError(400, 'parameter_missing', 'confirm=true is required here (payment_method_data is given at creation).', 'confirm');
      const routing = str(b, 'payment_method_data', 'us_bank_account', 'routing_number');
      const account = str(b, 'payment_method_data', 'us_bank_account', 'account_number');
      if (!routing || !abaValid(routing)) return stripeError(400, 'routing_number_invalid', 'Invalid routing number.', 'payment_method_data[us_bank_account][routing_number]');
      if (!account || !/^\d{4,17}$/.test(account)) return stripeError(400, 'account_number_invalid', 'Invalid account number.', 'payment_method_data[us_bank_account][account_number]');
      if (!str(b, 'payment_method_data', 'billing_details', 'name')) return stripeError(400, 'parameter_missing', 'billing_details[name] is required for us_bank_account.', 'payment_method_data[billing_details][name]');
      if (str(b, 'mandate_data', 'customer_acceptance', 'type') !== 'online') return stripeError(400, 'parameter_missing', 'mandate_data[customer_acceptance][type]=online is required to confirm a us_bank_account SetupIntent.', 'mandate_data[customer_acceptance][type]');
      const ip = str(b, 'mandate_data', 'customer_acceptance', 'online', 'ip_address');
      const userAgent = str(b, 'mandate_data', 'customer_acceptance', 'online', 'user_agent');
      if (!ip) return stripeError(400, 'parameter_missing', 'An online acceptance needs the customer\'s IP address.', 'mandate_data[customer_acceptance][online][ip_address]');
      if (!userAgent) return stripeError(400, 'parameter_missing', 'An online acceptance needs the customer\'s user agent.', 'mandate_data[customer_acceptance][online][user_agent]');
      bounded(intents);
      bounded(mandates);
      const created = Math.floor(Date.now() / 1000);
      const id = randomId('seti_', 24);
      const mandate: Mandate = {
        id: randomId('mandate_', 24), object: 'mandate', status: 'pending', type: 'multi_use', multi_use: {}, livemode: false, payment_method: randomId('pm_', 24),
        customer_acceptance: { accepted_at: created, type: 'online', online: { ip_address: ip, user_agent: userAgent } }, payment_method_details: { type: 'us_bank_account', us_bank_account: { collection_method: null } },
      };
      const metadata = b.metadata && typeof b.metadata === 'object' && !Array.isArray(b.metadata) ? Object.fromEntries(Object.entries(b.metadata).filter(([, v]) => typeof v === 'string')) as Record<string, string> : {};
      const si: SetupIntent = {
        id, object: 'setup_intent', status: 'requires_action', usage: str(b, 'usage') ?? 'off_session', livemode: false, created, payment_method_types: ['us_bank_account'], payment_method: mandate.payment_method, mandate: mandate.id, metadata,
        next_action: { type: 'verify_with_microdeposits', verify_with_microdeposits: { arrival_date: created + 86_400, hosted_verification_url: `http://${request.headers.host}/stripe/hosted/microdeposits/${id}`, microdeposit_type: 'descriptor_code' } },
        last_setup_error: null, account_number: account,
      };
      intents.set(id, si);
      mandates.set(mandate.id, mandate);
      return { status: 200, body: publicIntent(si) };
    }));

    scope.post<{ Params: { id: string }; Body: Form }>('/stripe/v1/setup_intents/:id/verify_microdeposits', async (request, reply) => {
      const si = intents.get(request.params.id);
      if (!si) return reply.status(404).send(stripeError(404, 'resource_missing', `No such setupintent: '${request.params.id}'`, 'intent').body);
      if (si.status !== 'requires_action') return reply.status(400).send(stripeError(400, 'setup_intent_unexpected_state', `This SetupIntent is ${si.status}.`).body);
      const mandate = mandates.get(si.mandate)!;
      const fail = (code: string, message: string) => {
        Object.assign(si, { status: 'requires_payment_method', next_action: null, last_setup_error: { type: 'invalid_request_error', code, message } });
        mandate.status = 'inactive';
        options.send('setup_intent.setup_failed', publicIntent(si));
        return reply.status(400).send(stripeError(400, code, message).body);
      };
      if (si.account_number === NO_ACCOUNT) return fail('payment_method_microdeposit_failed', 'Microdeposits were failed to be deposited into the customer\'s bank account.');
      if (str(request.body, 'descriptor_code') !== TEST_DESCRIPTOR_CODE) {
        const n = (attempts.get(si.id) ?? 0) + 1;
        attempts.set(si.id, n);
        if (n >= MAX_VERIFY_ATTEMPTS) return fail('payment_method_microdeposit_verification_attempts_exceeded', 'You have exceeded the number of allowed verification attempts.');
        return reply.status(400).send(stripeError(400, 'payment_method_microdeposit_verification_descriptor_code_mismatch', 'The verification code provided does not match.', 'descriptor_code').body);
      }
      Object.assign(si, { status: 'succeeded', next_action: null });
      mandate.status = 'active';
      options.send('setup_intent.succeeded', publicIntent(si));
      return publicIntent(si);
    });
    scope.get<{ Params: { id: string } }>('/stripe/v1/setup_intents/:id', async (request, reply) => {
      const si = intents.get(request.params.id);
      return si ? publicIntent(si) : reply.status(404).send(stripeError(404, 'resource_missing', `No such setupintent: '${request.params.id}'`, 'intent').body);
    });
    scope.get<{ Params: { id: string } }>('/stripe/v1/mandates/:id', async (request, reply) => mandates.get(request.params.id) ?? reply.status(404).send(stripeError(404, 'resource_missing', `No such mandate: '${request.params.id}'`, 'mandate').body));
    scope.get<{ Params: { id: string } }>('/stripe/hosted/microdeposits/:id', async (request, reply) => {
      if (!intents.has(request.params.id)) return reply.status(404).send('unknown SetupIntent');
      return reply.type('text/html').send(`<!doctype html><title>Verify your bank account</title><p>Enter the 6-character code from the $0.01 deposit (sandbox: ${TEST_DESCRIPTOR_CODE}); it is POSTed to /stripe/v1/setup_intents/${request.params.id}/verify_microdeposits.</p>`);
    });
  });
  app.get('/sandbox/stripe/state', async () => ({ setupIntents: [...intents.values()].map(publicIntent), mandates: [...mandates.values()] }));
}
