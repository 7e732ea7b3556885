/**
 * India auto-debit sandbox: two vendor protocols in one process, both JSON over HTTPS with
 * `Authorization: Bearer <api key>` and an `Idempotency-Key` on every create (the same key and body answer the
 * first response; another body under the key is 409).
 *
 * NACH, a sponsor bank's / NACH processor's debit API shaped like LotusPay's (Juspay) mandate and `ach_debit`
 * resources (collections-rails research §2.1–§2.3):
 * - `POST /v1/mandates` registers an e-mandate (debtor account, IFSC, maximum amount in paise, frequency,
 *   category, first/final collection dates): `active` with a UMRN, or `rejected` with the bank's APxx code.
 *   `GET /v1/mandates/{id}`, `POST /v1/mandates/{id}/amend`, `POST /v1/mandates/{id}/cancel` (irreversible).
 *   With `authentication_mode` (`net_banking` | `debit_card`) the e-mandate waits for the debtor:
 *   `pending_authentication` with an `authentication_url` the borrower opens; their bank's answer
 *   (`POST /emandate/{id}/authenticate`, the borrower's session, no api key) makes it `active` with a UMRN or
 *   `rejected` with the APxx code, announced as `mandate.active` / `mandate.rejected` to NACH_WEBHOOK_URL,
 *   signed in `X-Nach-Signature` (webhooks.ts). Without it (the LMS's registrations) the answer is at once.
 * - `POST /v1/ach_debits` presents one debit on a UMRN for a charge date: `pending`, or `cancelled` at once
 *   with NPCI reject code 21 (unknown UMRN or inactive mandate) or 15 (amount above the mandate's maximum).
 *   After the clearing delay a pending debit is `confirmed` or `returned` with its Circular 274 response code;
 *   a confirmed one may be returned later (a late return). `GET /v1/ach_debits?batch=` lists a batch's debits.
 *
 * UPI AutoPay, a PSP's recurring-debit API (§2.4):
 * - `POST /upi/v1/mandates` (payer VPA, maximum, frequency, validity) → `active` with a UMN.
 * - `POST /upi/v1/mandates/{id}/notifications` sends the pre-debit notification for one execution at
 *   `execute_at`; refused 422 when `execute_at` is less than 24 h after the notification (the PSP's clock) or
 *   falls in peak hours (10:00–13:00, 17:00–21:30 IST). The PSP executes it itself at `execute_at`; the outcome
 *   follows the execution delay. `GET /upi/v1/executions?batch=` lists a batch's executions.
 *
 * US ACH debit authorisations in Stripe's style (SetupIntent, Mandate) are served under `/stripe` (stripe.ts).
 *
 * Sandbox-only controls: `POST /sandbox/clock {now}` sets the PSP's clock (like a payment provider's test
 * clock; otherwise the wall clock), `POST /sandbox/upi/mandates/{id}/revoke|pause` is the payer acting in
 * their app, `POST /sandbox/faults`, `GET /sandbox/state`. Outcomes come from test data (triggers.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomId, registerFaultControl } from '../../lib/index.js';
import { NACH_SANDBOX_DEFAULTS } from './defaults.js';
import { registerStripeAch } from './stripe.js';
import { mandateRejection, nachDebitFate, upiFailureOf } from './triggers.js';
import { createWebhookSender } from './webhooks.js';

export interface NachSandboxOptions {
  readonly apiKey: string;
  readonly sponsorBankCode: string;
  readonly responseDelayMs: number;
  readonly lateReturnDelayMs: number;
  readonly executeDelayMs: number;
  readonly maxItems: number;
  readonly logger?: boolean | { level: string };
  /** Where e-mandate and Stripe events go and their signing secrets; no URL = no deliveries (clients poll). */
  readonly webhooks?: { readonly nachUrl?: string | undefined; readonly nachSecret: string; readonly stripeUrl?: string | undefined; readonly stripeSecret: string; readonly maxAttempts: number };
  /** The Stripe-style API's secret key (`sk_test_…`). */
  readonly stripeApiKey?: string;
}

interface NachMandate {
  id: string; object: 'mandate'; reference: string; umrn: string | null; status: 'pending_authentication' | 'active' | 'rejected' | 'cancelled'; reject_code: string | null; reject_reason: string | null;
  debtor_account_number: string; debtor_agent_code: string; debtor_account_name: string; amount_maximum: string; frequency: string; category: string; first_collection_date: string; final_collection_date: string | null;
  authentication_mode: 'net_banking' | 'debit_card' | null; authentication_url: string | null;
}
interface AchDebit {
  id: string; object: 'ach_debit'; mandate: string; amount: string; charge_date: string; reference: string; batch: string;
  status: 'pending' | 'confirmed' | 'returned' | 'cancelled'; response_flag: 'accepted' | 'returned' | 'rejected' | null; response_code: string | null; response_description: string | null; response_date: string | null;
}
interface UpiMandate { id: string; object: 'upi_mandate'; umn: string; reference: string; payer_vpa: string; amount_maximum: string; frequency: string; status: 'active' | 'revoked' | 'paused'; start_date: string; end_date: string | null }
interface UpiExecution {
  id: string; object: 'upi_execution'; mandate: string; amount: string; reference: string; batch: string; sequence: number; notified_at: string; execute_at: string;
  status: 'notified' | 'success' | 'failure'; error_code: string | null; executed_at: string | null;
}

const KEY = /^[A-Za-z0-9_:.-]{1,64}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PAISE = /^[1-9]\d{0,14}$/;
const RESPONSE_TEXT: Readonly<Record<string, string>> = {
  '01': 'Account closed', '02': 'No such account', '04': 'Balance insufficient', '06': 'Payment stopped by drawer', '08': 'Mandate not received', '14': 'Mandate expired',
  '15': 'Amount mismatch between mandate and transaction', '17': 'Returned as per customer request', '21': 'Invalid UMRN or inactive mandate', '51': 'KYC documents pending', '59': 'Network failure (CBS)', '61': 'Mandate cancelled', '68': 'Account blocked or frozen',
};
const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({ type: `https://nach-sandbox.lendstack.local/problems/${title}`, title, status, detail, ...extra });
const addDay = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const istMinutes = (at: Date) => { const s = new Date(at.getTime() + 330 * 60_000); return s.getUTCHours() * 60 + s.getUTCMinutes(); };
const inPeak = (at: Date) => { const m = istMinutes(at); return (m >= 600 && m < 780) || (m >= 1020 && m < 1290); };

export function buildNachSandbox(options: NachSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 1024 * 1024 });
  const mandates = new Map<string, NachMandate>();
  const debits = new Map<string, AchDebit>();
  const upiMandates = new Map<string, UpiMandate>();
  const executions = new Map<string, UpiExecution>();
  const idempotent = new Map<string, { hash: string; status: number; body: unknown }>();
  const timers = new Set<NodeJS.Timeout>();
  const faults = registerFaultControl(app);
  const expectedAuth = Buffer.from(`Bearer ${options.apiKey}`);
  let clockOffsetMs = 0;
  let umrnSequence = 0;
  const now = () => new Date(Date.now() + clockOffsetMs);
  const later = (ms: number, fn: () => void) => { const t = setTimeout(() => { timers.delete(t); fn(); }, ms); timers.add(t); };
  const bounded = <T>(map: Map<string, T>) => { while (map.size >= options.maxItems) map.delete(map.keys().next().value as string); };

  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expectedAuth.length || !timingSafeEqual(given, expectedAuth)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    if (faults.before > 0) { faults.before -= 1; return reply.status(faults.status).send(problem(faults.status, 'sandbox-fault', 'sandbox fault before the request was processed')); }
    return undefined;
  };
  /** Runs a create once per Idempotency-Key: a replay with the same body answers the first response. */
  const once = async (request: FastifyRequest, reply: FastifyReply, create: () => { status: number; body: unknown }) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !KEY.test(key)) return reply.status(400).send(problem(400, 'idempotency-key', 'Idempotency-Key is required: 1 to 64 letters, digits, _ : . -', { field: 'Idempotency-Key' }));
    const scoped = `${request.routeOptions.url}:${JSON.stringify(request.params)}:${key}`;
    const hash = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
    const seen = idempotent.get(scoped);
    if (seen) return seen.hash === hash ? reply.status(seen.status).send(seen.body) : reply.status(409).send(problem(409, 'idempotency-conflict', `Idempotency-Key ${key} was used with another body`, { field: 'Idempotency-Key' }));
    const answer = create();
    if (answer.status < 400) { bounded(idempotent); idempotent.set(scoped, { hash, ...answer }); }
    if (answer.status < 400 && faults.after > 0) { faults.after -= 1; return reply.status(faults.status).send(problem(faults.status, 'sandbox-fault', 'sandbox fault after the request was processed')); }
    return reply.status(answer.status).send(answer.body);
  };
  const invalid = (field: string, detail: string) => ({ status: 422, body: problem(422, 'invalid-field', detail, { field }) });
  const log = (message: string, fields?: Record<string, unknown>) => app.log.warn(fields ?? {}, message);
  const hooks = options.webhooks;
  const delivery = { maxAttempts: hooks?.maxAttempts ?? 8, initialBackoffMs: 200, maxBackoffMs: 10_000, timeoutMs: 5_000, maxRemembered: 1_000, log };
  const nachEvents = createWebhookSender({ ...delivery, url: hooks?.nachUrl, secret: hooks?.nachSecret ?? '', header: 'x-nach-signature', eventIdPrefix: 'EV' }, () => new Date());
  const stripeEvents = createWebhookSender({ ...delivery, url: hooks?.stripeUrl, secret: hooks?.stripeSecret ?? '', header: 'stripe-signature', eventIdPrefix: 'evt_' }, () => new Date());
  const issueUmrn = () => { umrnSequence += 1; return `${options.sponsorBankCode}${String(Date.now()).slice(-10)}${String(umrnSequence).padStart(6, '0')}`; };

  app.get('/health', async () => ({ status: 'ok' }));

  // ---- NACH -------------------------------------------------------------------------------------------
  app.post<{ Body: Record<string, string> }>('/v1/mandates', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const b = request.body ?? {};
    for (const f of ['reference', 'debtor_account_number', 'debtor_agent_code', 'debtor_account_name', 'amount_maximum', 'frequency', 'category', 'first_collection_date']) if (typeof b[f] !== 'string' || !b[f]) return invalid(f, `${f} is required`);
    if (!/^[A-Z]{4}0[A-Z0-9]{6}$/.test(b.debtor_agent_code!)) return invalid('debtor_agent_code', 'debtor_agent_code is an IFSC');
    if (!PAISE.test(b.amount_maximum!) || BigInt(b.amount_maximum!) > 1_000_000_000n) return invalid('amount_maximum', 'amount_maximum is paise, at most 1000000000 (₹1 crore) for an e-mandate');
    if (b.category === 'loan-instalment' && b.frequency === 'as-presented') return invalid('frequency', 'ADHO is not allowed for a loan-instalment mandate');
    const mode = b.authentication_mode;
    if (mode !== undefined && mode !== 'net_banking' && mode !== 'debit_card') return invalid('authentication_mode', 'authentication_mode is net_banking or debit_card');
    bounded(mandates);
    const id = randomId('MD');
    // An e-mandate the debtor authenticates waits for them; their bank rejects or registers it then.
    const rejected = mode ? undefined : mandateRejection(b.debtor_account_number!);
    const m: NachMandate = {
      id, object: 'mandate', reference: b.reference!, umrn: rejected || mode ? null : issueUmrn(),
      status: mode ? 'pending_authentication' : rejected ? 'rejected' : 'active', reject_code: rejected?.code ?? null, reject_reason: rejected?.reason ?? null,
      debtor_account_number: b.debtor_account_number!, debtor_agent_code: b.debtor_agent_code!, debtor_account_name: b.debtor_account_name!, amount_maximum: b.amount_maximum!, frequency: b.frequency!, category: b.category!,
      first_collection_date: b.first_collection_date!, final_collection_date: b.final_collection_date ?? null,
      authentication_mode: mode ?? null, authentication_url: mode ? `http://${request.headers.host}/emandate/${id}/authenticate` : null,
    };
    mandates.set(m.id, m);
    return { status: 201, body: m };
  }));
  app.get<{ Params: { id: string } }>('/v1/mandates/:id', { preHandler: guard }, async (request, reply) => mandates.get(request.params.id) ?? reply.status(404).send(problem(404, 'not-found', `no mandate ${request.params.id}`)));
  // The borrower at their bank (net banking login or debit card and OTP): no api key, as it is their session.
  app.get<{ Params: { id: string } }>('/emandate/:id/authenticate', async (request, reply) => {
    const m = mandates.get(request.params.id);
    if (!m?.authentication_mode) return reply.status(404).send(problem(404, 'not-found', `no e-mandate ${request.params.id} to authenticate`));
    return reply.type('text/html').send(`<!doctype html><title>Authorise e-mandate</title><p>${m.debtor_account_name}: authorise ${m.reference}, up to ${m.amount_maximum} paise ${m.frequency}, by ${m.authentication_mode}. POST this page to authorise.</p>`);
  });
  app.post<{ Params: { id: string } }>('/emandate/:id/authenticate', async (request, reply) => {
    const m = mandates.get(request.params.id);
    if (!m?.authentication_mode) return reply.status(404).send(problem(404, 'not-found', `no e-mandate ${request.params.id} to authenticate`));
    if (m.status !== 'pending_authentication') return reply.status(409).send(problem(409, 'mandate-state', `the mandate is ${m.status}; it was authenticated already`));
    const rejected = mandateRejection(m.debtor_account_number);
    Object.assign(m, rejected ? { status: 'rejected', reject_code: rejected.code, reject_reason: rejected.reason } : { status: 'active', umrn: issueUmrn() });
    nachEvents.send(rejected ? 'mandate.rejected' : 'mandate.active', m);
    return { id: m.id, status: m.status };
  });
  app.post<{ Params: { id: string }; Body: Record<string, string> }>('/v1/mandates/:id/amend', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const m = mandates.get(request.params.id);
    if (!m) return { status: 404, body: problem(404, 'not-found', `no mandate ${request.params.id}`) };
    if (m.status !== 'active') return { status: 409, body: problem(409, 'mandate-state', `a ${m.status} mandate cannot be amended`) };
    const b = request.body ?? {};
    if (b.amount_maximum !== undefined && (!PAISE.test(b.amount_maximum) || BigInt(b.amount_maximum) > 1_000_000_000n)) return invalid('amount_maximum', 'amount_maximum is paise, at most 1000000000');
    if (b.final_collection_date !== undefined && !DATE.test(b.final_collection_date)) return invalid('final_collection_date', 'final_collection_date is YYYY-MM-DD');
    Object.assign(m, b.amount_maximum ? { amount_maximum: b.amount_maximum } : {}, b.final_collection_date ? { final_collection_date: b.final_collection_date } : {});
    return { status: 200, body: m };
  }));
  app.post<{ Params: { id: string } }>('/v1/mandates/:id/cancel', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const m = mandates.get(request.params.id);
    if (!m) return { status: 404, body: problem(404, 'not-found', `no mandate ${request.params.id}`) };
    if (m.status !== 'active') return { status: 409, body: problem(409, 'mandate-state', `a ${m.status} mandate cannot be cancelled; a cancelled mandate is never restored`) };
    m.status = 'cancelled';
    return { status: 200, body: m };
  }));

  const respond = (d: AchDebit, flag: 'accepted' | 'returned', code: string | null, date: string) =>
    Object.assign(d, { status: flag === 'accepted' ? 'confirmed' : 'returned', response_flag: flag, response_code: code, response_description: code ? (RESPONSE_TEXT[code] ?? null) : null, response_date: date });

  app.post<{ Body: Record<string, string> }>('/v1/ach_debits', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const b = request.body ?? {};
    for (const f of ['mandate', 'amount', 'charge_date', 'reference', 'batch']) if (typeof b[f] !== 'string' || !b[f]) return invalid(f, `${f} is required`);
    if (!PAISE.test(b.amount!)) return invalid('amount', 'amount is a positive whole number of paise');
    if (!DATE.test(b.charge_date!)) return invalid('charge_date', 'charge_date is YYYY-MM-DD');
    bounded(debits);
    const d: AchDebit = { id: randomId('AD'), object: 'ach_debit', mandate: b.mandate!, amount: b.amount!, charge_date: b.charge_date!, reference: b.reference!, batch: b.batch!, status: 'pending', response_flag: null, response_code: null, response_description: null, response_date: null };
    debits.set(d.id, d);
    const mandate = [...mandates.values()].find((m) => m.umrn === b.mandate);
    // NPCI's reject before presentation: the debit never reaches the destination bank.
    if (!mandate || mandate.status !== 'active') Object.assign(d, { status: 'cancelled', response_flag: 'rejected', response_code: '21', response_description: RESPONSE_TEXT['21'], response_date: d.charge_date });
    else if (BigInt(d.amount) > BigInt(mandate.amount_maximum)) Object.assign(d, { status: 'cancelled', response_flag: 'rejected', response_code: '15', response_description: RESPONSE_TEXT['15'], response_date: d.charge_date });
    else {
      const fate = nachDebitFate(mandate.debtor_account_number);
      later(options.responseDelayMs, () => {
        if (fate.kind === 'return') respond(d, 'returned', fate.code, addDay(d.charge_date));
        else {
          respond(d, 'accepted', null, d.charge_date);
          if (fate.kind === 'late-return') later(options.lateReturnDelayMs, () => respond(d, 'returned', fate.code, addDay(addDay(d.charge_date))));
        }
      });
    }
    return { status: 201, body: d };
  }));
  app.get<{ Querystring: { batch?: string } }>('/v1/ach_debits', { preHandler: guard }, async (request, reply) => {
    if (!request.query.batch) return reply.status(400).send(problem(400, 'invalid-field', 'batch is required', { field: 'batch' }));
    return { object: 'list', data: [...debits.values()].filter((d) => d.batch === request.query.batch) };
  });

  // ---- UPI AutoPay ------------------------------------------------------------------------------------
  app.post<{ Body: Record<string, string> }>('/upi/v1/mandates', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const b = request.body ?? {};
    for (const f of ['reference', 'payer_vpa', 'amount_maximum', 'frequency', 'start_date']) if (typeof b[f] !== 'string' || !b[f]) return invalid(f, `${f} is required`);
    if (!/^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$/.test(b.payer_vpa!)) return invalid('payer_vpa', 'payer_vpa is a UPI address, handle@psp');
    if (!PAISE.test(b.amount_maximum!)) return invalid('amount_maximum', 'amount_maximum is a positive whole number of paise');
    bounded(upiMandates);
    const id = randomId('UM');
    const m: UpiMandate = { id, object: 'upi_mandate', umn: `${id.toLowerCase()}@sbox`, reference: b.reference!, payer_vpa: b.payer_vpa!, amount_maximum: b.amount_maximum!, frequency: b.frequency!, status: 'active', start_date: b.start_date!, end_date: b.end_date ?? null };
    upiMandates.set(m.id, m);
    return { status: 201, body: m };
  }));
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/upi/v1/mandates/:id/notifications', { preHandler: guard }, (request, reply) => once(request, reply, () => {
    const m = upiMandates.get(request.params.id);
    if (!m) return { status: 404, body: problem(404, 'not-found', `no UPI mandate ${request.params.id}`) };
    const b = request.body ?? {};
    for (const f of ['amount', 'execute_at', 'reference', 'batch']) if (typeof b[f] !== 'string' || !b[f]) return invalid(f, `${f} is required`);
    if (!PAISE.test(b.amount as string)) return invalid('amount', 'amount is a positive whole number of paise');
    if (BigInt(b.amount as string) > BigInt(m.amount_maximum)) return invalid('amount', `amount is above the mandate's maximum of ${m.amount_maximum}`);
    const executeAt = new Date(b.execute_at as string);
    if (Number.isNaN(executeAt.getTime())) return invalid('execute_at', 'execute_at is an ISO 8601 instant');
    const notifiedAt = now();
    if (executeAt.getTime() - notifiedAt.getTime() < 24 * 3_600_000) return { status: 422, body: problem(422, 'pre-debit-notice', `execute_at ${executeAt.toISOString()} is less than 24 h after this notification (${notifiedAt.toISOString()})`, { field: 'execute_at' }) };
    if (inPeak(executeAt)) return { status: 422, body: problem(422, 'peak-hours', 'AutoPay executions run outside 10:00–13:00 and 17:00–21:30 IST', { field: 'execute_at' }) };
    bounded(executions);
    const e: UpiExecution = { id: randomId('UX'), object: 'upi_execution', mandate: m.id, amount: b.amount as string, reference: b.reference as string, batch: b.batch as string, sequence: Number(b.sequence ?? 1), notified_at: notifiedAt.toISOString(), execute_at: executeAt.toISOString(), status: 'notified', error_code: null, executed_at: null };
    executions.set(e.id, e);
    later(options.executeDelayMs, () => {
      const failure = m.status === 'revoked' ? 'MANDATE-REVOKED' : m.status === 'paused' ? 'MANDATE-PAUSED' : upiFailureOf(m.payer_vpa);
      Object.assign(e, { status: failure ? 'failure' : 'success', error_code: failure ?? null, executed_at: e.execute_at });
    });
    return { status: 201, body: e };
  }));
  app.get<{ Querystring: { batch?: string } }>('/upi/v1/executions', { preHandler: guard }, async (request, reply) => {
    if (!request.query.batch) return reply.status(400).send(problem(400, 'invalid-field', 'batch is required', { field: 'batch' }));
    return { object: 'list', data: [...executions.values()].filter((e) => e.batch === request.query.batch) };
  });

  // ---- sandbox-only controls ---------------------------------------------------------------------------
  app.post<{ Body: { now?: string } }>('/sandbox/clock', async (request, reply) => {
    const at = request.body?.now ? new Date(request.body.now) : undefined;
    if (at && Number.isNaN(at.getTime())) return reply.status(400).send(problem(400, 'invalid-field', 'now is an ISO 8601 instant', { field: 'now' }));
    clockOffsetMs = at ? at.getTime() - Date.now() : 0;
    return { now: now().toISOString() };
  });
  app.post<{ Params: { id: string; action: string } }>('/sandbox/upi/mandates/:id/:action', async (request, reply) => {
    const m = upiMandates.get(request.params.id);
    if (!m || !['revoke', 'pause'].includes(request.params.action)) return reply.status(404).send(problem(404, 'not-found', 'no such mandate or action'));
    m.status = request.params.action === 'revoke' ? 'revoked' : 'paused';
    return m;
  });
  app.get('/sandbox/state', async () => ({ now: now().toISOString(), mandates: [...mandates.values()], debits: [...debits.values()], upiMandates: [...upiMandates.values()], executions: [...executions.values()] }));
  registerStripeAch(app, { apiKey: options.stripeApiKey ?? NACH_SANDBOX_DEFAULTS.stripeApiKey, maxItems: options.maxItems, send: (type, object) => stripeEvents.send(type, object) });
  app.addHook('onClose', async () => { for (const t of timers) clearTimeout(t); nachEvents.close(); stripeEvents.close(); });
  return app;
}
