/**
 * An Indian e-stamping vendor's certificate API (the SHCIL / state e-stamp style: a stamp duty paid for an
 * instrument under an article of the state's Stamp Act, evidenced by a certificate number such as
 * `IN-KA12345678901234X`): `POST /estamp/v1/certificates` with `Authorization: Bearer <api key>` and an
 * `Idempotency-Key` (the same key and body answer the first certificate; another body is 409), body
 * `{state, article, description, first_party:{name}, second_party:{name}, consideration_amount, duty_amount,
 * duty_payer, reference}` with amounts in paise as strings → 201 `{certificate_number, status: "issued",
 * issued_at, …}`. `GET /estamp/v1/certificates/{certificate_number}` reads one back.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The two-letter state and union-territory codes a certificate number starts with (after "IN-"). */
export const STATE_CODES = ['AN', 'AP', 'AR', 'AS', 'BR', 'CH', 'CT', 'DD', 'DL', 'DN', 'GA', 'GJ', 'HP', 'HR', 'JH', 'JK', 'KA', 'KL', 'LA', 'LD', 'MH', 'ML', 'MN', 'MP', 'MZ', 'NL', 'OR', 'PB', 'PY', 'RJ', 'SK', 'TG', 'TN', 'TR', 'UP', 'UT', 'WB'] as const;

export interface StampCertificate {
  certificate_number: string; status: 'issued'; issued_at: string; state: string; article: string; description: string;
  first_party: { name: string }; second_party: { name: string }; consideration_amount: string; duty_amount: string; duty_payer: string; reference: string;
}

const PAISE = /^(0|[1-9]\d{0,14})$/;
const KEY = /^[A-Za-z0-9_:.-]{1,64}$/;
const problem = (status: number, title: string, detail: string, field?: string) => ({ type: `https://esign-sandbox.lendstack.local/problems/${title}`, title, status, detail, ...(field ? { field } : {}) });

export function registerEStamp(app: FastifyInstance, options: { apiKey: string; maxItems: number }): { certificates: Map<string, StampCertificate> } {
  const certificates = new Map<string, StampCertificate>();
  const byKey = new Map<string, { hash: string; number: string }>();
  const expected = Buffer.from(`Bearer ${options.apiKey}`);
  let sequence = 0;
  const guard = async (request: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    return undefined;
  };

  app.post<{ Body: Record<string, unknown> }>('/estamp/v1/certificates', { preHandler: guard }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !KEY.test(key)) return reply.status(400).send(problem(400, 'idempotency-key', 'Idempotency-Key is required: 1 to 64 letters, digits, _ : . -', 'Idempotency-Key'));
    const b = request.body ?? {};
    const hash = createHash('sha256').update(JSON.stringify(b)).digest('hex');
    const seen = byKey.get(key);
    if (seen) return seen.hash === hash ? reply.status(201).send(certificates.get(seen.number)) : reply.status(409).send(problem(409, 'idempotency-conflict', `Idempotency-Key ${key} was used with another body`, 'Idempotency-Key'));
    const text = (f: string) => (typeof b[f] === 'string' && (b[f] as string).length > 0 ? (b[f] as string) : undefined);
    const party = (f: string) => { const p = b[f] as { name?: unknown } | undefined; return typeof p?.name === 'string' && p.name.length > 0 ? p.name : undefined; };
    for (const f of ['state', 'article', 'description', 'reference', 'duty_payer']) if (!text(f)) return reply.status(422).send(problem(422, 'invalid-field', `${f} is required`, f));
    if (!(STATE_CODES as readonly string[]).includes(text('state')!)) return reply.status(422).send(problem(422, 'invalid-field', 'state is a two-letter Indian state code (KA, MH, DL, …)', 'state'));
    for (const f of ['consideration_amount', 'duty_amount']) if (!PAISE.test(text(f) ?? '')) return reply.status(422).send(problem(422, 'invalid-field', `${f} is paise as a string of digits`, f));
    if (!party('first_party')) return reply.status(422).send(problem(422, 'invalid-field', 'first_party.name is required', 'first_party.name'));
    if (!party('second_party')) return reply.status(422).send(problem(422, 'invalid-field', 'second_party.name is required', 'second_party.name'));
    while (certificates.size >= options.maxItems) certificates.delete(certificates.keys().next().value as string);
    sequence += 1;
    // IN-<state><14 digits><check letter>: the digits are time and sequence, the letter a checksum of them.
    const digits = `${String(Date.now()).slice(-8)}${String(sequence).padStart(6, '0')}`;
    const check = String.fromCharCode(65 + ([...digits].reduce((s, d) => s + Number(d), 0) % 26));
    const certificate: StampCertificate = {
      certificate_number: `IN-${text('state')}${digits}${check}`, status: 'issued', issued_at: new Date().toISOString(), state: text('state')!, article: text('article')!, description: text('description')!,
      first_party: { name: party('first_party')! }, second_party: { name: party('second_party')! }, consideration_amount: text('consideration_amount')!, duty_amount: text('duty_amount')!, duty_payer: text('duty_payer')!, reference: text('reference')!,
    };
    certificates.set(certificate.certificate_number, certificate);
    byKey.set(key, { hash, number: certificate.certificate_number });
    return reply.status(201).send(certificate);
  });

  app.get<{ Params: { number: string } }>('/estamp/v1/certificates/:number', { preHandler: guard }, async (request, reply) => {
    const c = certificates.get(request.params.number);
    return c ?? reply.status(404).send(problem(404, 'not-found', `no certificate ${request.params.number}`));
  });
  return { certificates };
}
