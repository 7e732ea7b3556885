/**
 * NACH e-mandate through a sponsor bank's / NACH processor's API shaped like LotusPay's `mandate` resource
 * (packages/testing/sandboxes/nach-sandbox speaks it locally; collections-rails research §2.1): JSON,
 * `Authorization: Bearer <api key>`, an Idempotency-Key on every create.
 * - `POST /v1/mandates` {reference, debtor_account_number, debtor_agent_code (IFSC), debtor_account_name,
 *   amount_maximum (paise), frequency, category: loan-instalment, first_collection_date, final_collection_date,
 *   authentication_mode: net_banking | debit_card} → `pending_authentication` with the `authentication_url` the
 *   borrower opens at their bank; then `active` with the UMRN NPCI issued, or `rejected` with the bank's
 *   reason (APxx).
 * - `GET /v1/mandates/{id}`: its current state.
 * - Webhooks `mandate.active` / `mandate.rejected`, `{id, type, created, data: {object: mandate}}`, signed in
 *   `X-Nach-Signature` (webhook-signature.ts).
 */
import { MandateProcessorUnavailableError, type MandatePort, type VendorMandate } from '../ports.js';
import { callProcessor, type ProcessorAnswer } from './mandate-processor.http.js';
import { verifySignedBody } from './webhook-signature.js';

export interface NachEmandateOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly webhookToleranceSeconds: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

const VENDOR = 'nach-emandate';
/** The processor's field, as the part of our request it came from. */
const FIELD_OF: Readonly<Record<string, string>> = {
  amount_maximum: '/maxAmount', frequency: '/frequency', final_collection_date: '/validUntil', first_collection_date: '/validUntil',
  debtor_agent_code: '/applicant/bankAccount/bankCode', debtor_account_number: '/applicant/bankAccount/accountNumber', debtor_account_name: '/applicant/bankAccount/holderName',
  authentication_mode: '/authentication', 'Idempotency-Key': '/header/idempotency-key',
};

export function createNachEmandateAdapter(options: NachEmandateOptions): MandatePort {
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  const call = (method: 'GET' | 'POST', path: string, body?: unknown, key?: string) =>
    callProcessor(VENDOR, options, `${base}${path}`, { method, headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return {
    rail: 'nach',
    vendor: VENDOR,
    async register(r, idempotencyKey) {
      const answer = await call('POST', '/v1/mandates', {
        reference: r.mandateId, debtor_account_number: r.debtor.accountNumber, debtor_agent_code: r.debtor.bankCode, debtor_account_name: r.debtor.holderName,
        amount_maximum: r.maxAmount.amount, frequency: r.frequency, category: 'loan-instalment', first_collection_date: r.validFrom, final_collection_date: r.validUntil,
        authentication_mode: r.authentication,
      }, idempotencyKey);
      if (answer.status === 200 || answer.status === 201) return { ok: true, mandate: toVendorMandate(answer) };
      if (answer.status === 409 || answer.status === 422 || answer.status === 400) {
        const field = typeof answer.body.field === 'string' ? answer.body.field : '';
        return { ok: false, pointer: FIELD_OF[field] ?? `/processor/${field || 'mandate'}`, detail: `the NACH processor refused it: ${typeof answer.body.detail === 'string' ? answer.body.detail : `HTTP ${answer.status}`}` };
      }
      throw new MandateProcessorUnavailableError(VENDOR, `POST /v1/mandates answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    },
    async current({ vendorMandateId }) {
      const answer = await call('GET', `/v1/mandates/${encodeURIComponent(vendorMandateId)}`);
      if (answer.status !== 200) throw new MandateProcessorUnavailableError(VENDOR, `GET /v1/mandates/${vendorMandateId} answered ${answer.status}`);
      return toVendorMandate(answer);
    },
    verifyWebhook(raw, requestHeaders, now) {
      const verified = verifySignedBody(raw, requestHeaders['x-nach-signature'], { secret: options.webhookSecret, toleranceSeconds: options.webhookToleranceSeconds, now, headerName: 'x-nach-signature' });
      if (!verified.ok) return verified;
      const event = verified.body as { type?: unknown; data?: { object?: { id?: unknown } } };
      const id = event.data?.object?.id;
      if (typeof event.type !== 'string' || typeof id !== 'string') return { ok: false, status: 422, pointer: '/data/object/id', detail: 'expected {type, data: {object: {id}}}' };
      return { ok: true, vendorMandateId: id, eventType: event.type };
    },
  };
}

function toVendorMandate(answer: ProcessorAnswer): VendorMandate {
  const b = answer.body;
  const s = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  if (typeof b.id !== 'string') throw new MandateProcessorUnavailableError(VENDOR, `a mandate without an id: ${answer.text.slice(0, 200)}`);
  const status = b.status === 'active' && s(b.umrn) ? 'active' : b.status === 'rejected' ? 'rejected' : b.status === 'cancelled' ? 'cancelled' : 'pending';
  return { vendorMandateId: b.id, vendorSetupId: null, status, mandateReference: status === 'active' ? s(b.umrn) : null, authenticationUrl: s(b.authentication_url), reasonCode: s(b.reject_code), reason: s(b.reject_reason) };
}
