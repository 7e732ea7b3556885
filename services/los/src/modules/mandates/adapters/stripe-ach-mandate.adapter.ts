/**
 * US ACH debit authorisation through Stripe's API (docs.stripe.com/api/setup_intents, /api/mandates/object;
 * the nach-sandbox serves the same protocol under /stripe locally). NACHA has the originator obtain and keep
 * the consumer's authorisation of recurring debits; Stripe records it as a Mandate with the consumer's online
 * acceptance (IP address, user agent, time), which we pass from the accepted offer's consent.
 * - `POST /v1/setup_intents` (form-encoded): `confirm=true`, `usage=off_session`,
 *   `payment_method_types[]=us_bank_account`, `payment_method_data[us_bank_account][routing_number|account_number|
 *   account_holder_type]`, `payment_method_data[billing_details][name]`,
 *   `mandate_data[customer_acceptance][type]=online` + `[online][ip_address|user_agent]`, metadata (our mandate id,
 *   and the authorised maximum, frequency and end date, which Stripe's us_bank_account mandate does not hold)
 *   → `requires_action` (microdeposit verification at `next_action…hosted_verification_url`), mandate `pending`.
 * - The consumer verifies → SetupIntent `succeeded`, Mandate `active` (its id is the reference the LMS debits);
 *   or `requires_payment_method` with `last_setup_error` (rejected).
 * - Webhooks `setup_intent.succeeded` / `setup_intent.setup_failed` signed in `Stripe-Signature`.
 */
import { MandateProcessorUnavailableError, type MandatePort, type VendorMandate } from '../ports.js';
import { callProcessor } from './mandate-processor.http.js';
import { verifySignedBody } from './webhook-signature.js';

export interface StripeAchOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
  readonly webhookToleranceSeconds: number;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

const VENDOR = 'stripe';
const FIELD_OF: Readonly<Record<string, string>> = {
  'payment_method_data[us_bank_account][routing_number]': '/applicant/bankAccount/bankCode', 'payment_method_data[us_bank_account][account_number]': '/applicant/bankAccount/accountNumber',
  'payment_method_data[billing_details][name]': '/applicant/bankAccount/holderName', 'mandate_data[customer_acceptance][online][ip_address]': '/offerAcceptance/ip',
  'mandate_data[customer_acceptance][online][user_agent]': '/offerAcceptance/userAgent',
};

export function createStripeAchAdapter(options: StripeAchOptions): MandatePort {
  const base = options.baseUrl.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${options.apiKey}` };
  const get = (path: string) => callProcessor(VENDOR, options, `${base}${path}`, { method: 'GET', headers: auth });
  return {
    rail: 'ach',
    vendor: VENDOR,
    async register(r, idempotencyKey) {
      const form = new URLSearchParams({
        confirm: 'true', usage: 'off_session', 'payment_method_types[]': 'us_bank_account', 'payment_method_data[type]': 'us_bank_account',
        'payment_method_data[us_bank_account][routing_number]': r.debtor.bankCode, 'payment_method_data[us_bank_account][account_number]': r.debtor.accountNumber,
        'payment_method_data[us_bank_account][account_holder_type]': 'individual', 'payment_method_data[billing_details][name]': r.debtor.holderName,
        'payment_method_options[us_bank_account][verification_method]': 'microdeposits',
        'mandate_data[customer_acceptance][type]': 'online', 'mandate_data[customer_acceptance][accepted_at]': String(Math.floor(r.consent.acceptedAt.getTime() / 1000)),
        'mandate_data[customer_acceptance][online][ip_address]': r.consent.ip, 'mandate_data[customer_acceptance][online][user_agent]': r.consent.userAgent,
        'metadata[lendstack_mandate_id]': r.mandateId, 'metadata[application_id]': r.applicationId, 'metadata[max_amount]': `${r.maxAmount.amount} ${r.maxAmount.currency}`,
        'metadata[frequency]': r.frequency, 'metadata[valid_until]': r.validUntil,
      });
      const answer = await callProcessor(VENDOR, options, `${base}/v1/setup_intents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': idempotencyKey }, body: form.toString() });
      if (answer.status === 200) {
        const si = answer.body;
        if (typeof si.id !== 'string' || typeof si.mandate !== 'string') throw new MandateProcessorUnavailableError(VENDOR, `a SetupIntent without id or mandate: ${answer.text.slice(0, 200)}`);
        return { ok: true, mandate: fromSetupIntent(si, undefined) };
      }
      if (answer.status === 400 || answer.status === 402) {
        const error = (answer.body.error ?? {}) as { param?: string; message?: string; code?: string };
        return { ok: false, pointer: FIELD_OF[error.param ?? ''] ?? `/processor/${error.param ?? 'setup_intent'}`, detail: `Stripe refused it (${error.code ?? answer.status}): ${error.message ?? answer.text.slice(0, 200)}` };
      }
      throw new MandateProcessorUnavailableError(VENDOR, `POST /v1/setup_intents answered ${answer.status}: ${answer.text.slice(0, 200)}`);
    },
    async current({ vendorMandateId, vendorSetupId }) {
      const [si, mandate] = await Promise.all([get(`/v1/setup_intents/${encodeURIComponent(vendorSetupId ?? '')}`), get(`/v1/mandates/${encodeURIComponent(vendorMandateId)}`)]);
      if (si.status !== 200 || mandate.status !== 200) throw new MandateProcessorUnavailableError(VENDOR, `GET setup_intent ${si.status}, mandate ${mandate.status}`);
      return fromSetupIntent(si.body, mandate.body);
    },
    verifyWebhook(raw, headers, now) {
      const verified = verifySignedBody(raw, headers['stripe-signature'], { secret: options.webhookSecret, toleranceSeconds: options.webhookToleranceSeconds, now, headerName: 'stripe-signature' });
      if (!verified.ok) return verified;
      const event = verified.body as { type?: unknown; data?: { object?: { object?: unknown; mandate?: unknown } } };
      const mandate = event.data?.object?.mandate;
      if (typeof event.type !== 'string' || event.data?.object?.object !== 'setup_intent' || typeof mandate !== 'string') return { ok: false, status: 422, pointer: '/data/object/mandate', detail: 'expected a setup_intent event naming its mandate' };
      return { ok: true, vendorMandateId: mandate, eventType: event.type };
    },
  };
}

function fromSetupIntent(si: Record<string, unknown>, mandate: Record<string, unknown> | undefined): VendorMandate {
  const error = (si.last_setup_error ?? null) as { code?: string; message?: string } | null;
  const next = (si.next_action ?? null) as { verify_with_microdeposits?: { hosted_verification_url?: string } } | null;
  const active = si.status === 'succeeded' && mandate?.status === 'active';
  const failed = si.status === 'canceled' || (si.status === 'requires_payment_method' && error !== null) || mandate?.status === 'inactive';
  return {
    vendorMandateId: String(si.mandate), vendorSetupId: String(si.id), status: active ? 'active' : failed ? 'rejected' : 'pending', mandateReference: active ? String(si.mandate) : null,
    authenticationUrl: next?.verify_with_microdeposits?.hosted_verification_url ?? null, reasonCode: failed ? (error?.code ?? null) : null, reason: failed ? (error?.message ?? `the SetupIntent is ${String(si.status)}`) : null,
  };
}
