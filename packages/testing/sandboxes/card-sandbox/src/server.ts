/**
 * Card-on-file sandbox: a card processor's API for merchant-initiated recurring payments on a stored credential
 * (collections-rails research §4), JSON over HTTP with `Authorization: Bearer <api key>` and an
 * `Idempotency-Key` on every create (the same key and body answer the first response; another body is 409):
 * - `POST /v1/payment_methods` tokenises a card (number, expiry, holder; the customer's first, authenticated
 *   payment is assumed done): answers `pm_…` with the brand, last four digits and expiry, never the number.
 * - `POST /v1/payments` authorises a merchant-initiated payment on a stored payment method for a charge date
 *   (`initiator: merchant`, `stored_credential: recurring`): `authorised`, or `declined` with the issuer's ISO
 *   8583 response code and, on Mastercard, its Merchant Advice Code. `GET /v1/payments?batch=` lists a batch's.
 * - Sandbox-only: `POST /sandbox/payment_methods/{id}/revoke` (the cardholder revokes the merchant's
 *   authorisation at the issuer), `POST /sandbox/faults`, `GET /sandbox/state`. Outcomes come from test data
 *   (triggers.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomId, registerFaultControl } from '../../lib/index.js';
import { brandOf, issuerAnswer, luhnValid, type Brand } from './triggers.js';

export interface CardSandboxOptions {
  readonly apiKey: string;
  readonly maxItems: number;
  readonly logger?: boolean | { level: string };
}

interface PaymentMethod { id: string; object: 'payment_method'; brand: Brand; last4: string; exp_month: number; exp_year: number; holder_name: string; revoked: boolean; number: string }
interface Payment {
  id: string; object: 'payment'; payment_method: string; amount: string; currency: string; charge_date: string; reference: string; batch: string; network: Brand;
  status: 'authorised' | 'declined'; response_code: string; merchant_advice_code: string | null;
}

const KEY = /^[A-Za-z0-9_:.-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MINOR = /^[1-9]\d{0,14}$/;
const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({ type: `https://card-sandbox.lendstack.local/problems/${title}`, title, status, detail, ...extra });
const publicView = ({ number: _n, ...pm }: PaymentMethod) => pm;

export function buildCardSandbox(options: CardSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 256 * 1024 });
  const methods = new Map<string, PaymentMethod>();
  const payments = new Map<string, Payment>();
  const idempotent = new Map<string, { hash: string; status: number; body: unknown }>();
  const faults = registerFaultControl(app);
  const expectedAuth = Buffer.from(`Bearer ${options.apiKey}`);
  const bounded = <T>(map: Map<string, T>) => { while (map.size >= options.maxItems) map.delete(map.keys().next().value as string); };

  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expectedAuth.length || !timingSafeEqual(given, expectedAuth)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    if (faults.before > 0) { faults.before -= 1; return reply.status(faults.status).send(problem(faults.status, 'sandbox-fault', 'sandbox fault before the request was processed')); }
    return undefined;
  };
  const once = async (request: FastifyRequest, reply: FastifyReply, create: () => { status: number; body: unknown }) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !KEY.test(key)) return reply.status(400).send(problem(400, 'idempotency-key', 'Idempotency-Key is required: 1 to 64 letters, digits, _ : . -', { field: 'Idempotency-Key' }));
    const scoped = `${request.routeOptions.url}:${key}`;
    const hash = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
    const seen = idempotent.get(scoped);
    if (seen) return seen.hash === hash ? reply.status(seen.status).send(seen.body) : reply.status(409).send(problem(409, 'idempotency-conflict', `Idempotency-Key ${key} was used with another body`, { field: 'Idempotency-Key' }));
    const answer = create();
    if (answer.status < 400) { bounded(idempotent); idempotent.set(scoped, { hash, ...answer }); }
    if (answer.status < 400 && faults.after > 0) { faults.after -= 1; return reply.status(faults.status).send(problem(faults.status, 'sandbox-fault', 'sandbox fault after the request was processed')); }
    return reply.status(answer.status).send(answer.body);
  };
  const invalid = (field: string, detail: string) => ({ status: 422, body: problem(422, 'invalid-field', detail, { field }) });

  app.get('/health', async () => ({ status: 'ok' }));

  app.post<{ Body: Record<string, unknown> }>('/v1/payment_methods', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const b = request.body ?? {};
    const number = typeof b.number === 'string' ? b.number.replace(/\s+/g, '') : '';
    if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) return invalid('number', 'number is a card number of 12 to 19 digits passing the Luhn check');
    const brand = brandOf(number);
    if (!brand) return invalid('number', 'only Visa (4…) and Mastercard (51–55, 22–27) cards are accepted');
    const month = Number(b.exp_month);
    const year = Number(b.exp_year);
    if (!Number.isInteger(month) || month < 1 || month > 12) return invalid('exp_month', 'exp_month is 1 to 12');
    if (!Number.isInteger(year) || year < 2000 || year > 2100) return invalid('exp_year', 'exp_year is a four-digit year');
    if (typeof b.holder_name !== 'string' || !b.holder_name) return invalid('holder_name', 'holder_name is required');
    bounded(methods);
    const pm: PaymentMethod = { id: randomId('pm_'), object: 'payment_method', brand, last4: number.slice(-4), exp_month: month, exp_year: year, holder_name: b.holder_name, revoked: false, number };
    methods.set(pm.id, pm);
    return { status: 201, body: publicView(pm) };
  }));

  app.post<{ Body: Record<string, string> }>('/v1/payments', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const b = request.body ?? {};
    for (const f of ['payment_method', 'amount', 'currency', 'charge_date', 'reference', 'batch']) if (typeof b[f] !== 'string' || !b[f]) return invalid(f, `${f} is required`);
    if (b.initiator !== 'merchant' || b.stored_credential !== 'recurring') return invalid('initiator', 'a payment on a stored card is merchant-initiated (initiator: merchant, stored_credential: recurring)');
    if (!MINOR.test(b.amount!)) return invalid('amount', 'amount is a positive whole number of minor units');
    if (!/^[A-Z]{3}$/.test(b.currency!)) return invalid('currency', 'currency is ISO 4217');
    if (!DATE.test(b.charge_date!)) return invalid('charge_date', 'charge_date is YYYY-MM-DD');
    const pm = methods.get(b.payment_method!);
    if (!pm) return { status: 404, body: problem(404, 'not-found', `no payment method ${b.payment_method}`, { field: 'payment_method' }) };
    bounded(payments);
    const answer = issuerAnswer(pm.number, pm.brand, pm.revoked);
    const p: Payment = {
      id: randomId('pay_'), object: 'payment', payment_method: pm.id, amount: b.amount!, currency: b.currency!, charge_date: b.charge_date!, reference: b.reference!, batch: b.batch!, network: pm.brand,
      status: answer.approved ? 'authorised' : 'declined', response_code: answer.approved ? '00' : answer.responseCode, merchant_advice_code: answer.approved ? null : answer.merchantAdviceCode,
    };
    payments.set(p.id, p);
    return { status: 201, body: p };
  }));
  app.get<{ Querystring: { batch?: string } }>('/v1/payments', { preHandler: guard }, async (request, reply) => {
    if (!request.query.batch) return reply.status(400).send(problem(400, 'invalid-field', 'batch is required', { field: 'batch' }));
    return { object: 'list', data: [...payments.values()].filter((p) => p.batch === request.query.batch) };
  });

  app.post<{ Params: { id: string } }>('/sandbox/payment_methods/:id/revoke', async (request, reply) => {
    const pm = methods.get(request.params.id);
    if (!pm) return reply.status(404).send(problem(404, 'not-found', `no payment method ${request.params.id}`));
    pm.revoked = true;
    return publicView(pm);
  });
  app.get('/sandbox/state', async () => ({ paymentMethods: [...methods.values()].map(publicView), payments: [...payments.values()] }));
  return app;
}
