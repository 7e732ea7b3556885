/**
 * The slice of the RazorpayX Payouts protocol this sandbox speaks, as documented by Razorpay:
 * - Create a payout with the Composite API, `POST /v1/payouts` with a `fund_account` (bank account + contact),
 *   amount in paise, `mode`, `purpose`, `reference_id`, `narration`, `notes`; HTTP Basic auth with key id and
 *   secret: https://razorpay.com/docs/api/x/payout-composite/create/bank-account
 * - `X-Payout-Idempotency` (4–36 characters: letters, digits, hyphen, underscore, space); a retry with the same
 *   key returns the payout's latest state, a different body with the same key is a BAD_REQUEST:
 *   https://razorpay.com/docs/api/x/payout-idempotency/
 * - The payout entity and its states (queued, pending, rejected, processing, processed, cancelled, reversed,
 *   failed) with `status_details { description, source, reason }`: https://razorpay.com/docs/api/x/payouts/entity
 *   and https://razorpay.com/docs/errors/x/payout-status-details
 * - Fetch a payout: `GET /v1/payouts/:id`: https://razorpay.com/docs/api/x/payouts/fetch-with-id
 * - Webhooks `payout.initiated`, `payout.processed`, `payout.failed`, `payout.reversed` in the event envelope
 *   `{ entity: 'event', account_id, event, contains, payload: { payout: { entity } }, created_at }`:
 *   https://razorpay.com/docs/webhooks/payloads/x/ ; signed in `X-Razorpay-Signature` = hex HMAC-SHA256 of the
 *   raw body keyed with the webhook secret: https://razorpay.com/docs/webhooks/validate-test/ ; retried with
 *   exponential backoff on any non-2xx: https://razorpay.com/docs/webhooks/best-practices
 */
import { createHmac } from 'node:crypto';

export type PayoutStatus = 'queued' | 'pending' | 'rejected' | 'processing' | 'processed' | 'cancelled' | 'reversed' | 'failed';
export type PayoutMode = 'IMPS' | 'NEFT' | 'RTGS' | 'UPI';

export interface StatusDetails {
  readonly description: string;
  readonly source: 'beneficiary_bank' | 'gateway' | 'business' | 'internal';
  readonly reason: string;
}

/** What the merchant sends (Composite API, bank account). */
export interface CreatePayoutBody {
  readonly account_number: string;
  readonly amount: number;
  readonly currency: string;
  readonly mode: PayoutMode;
  readonly purpose: string;
  readonly fund_account: {
    readonly account_type: 'bank_account';
    readonly bank_account: { readonly name: string; readonly ifsc: string; readonly account_number: string };
    readonly contact: { readonly name: string; readonly type?: string; readonly reference_id?: string };
  };
  readonly queue_if_low_balance?: boolean;
  readonly reference_id?: string;
  readonly narration?: string;
  readonly notes?: Record<string, string>;
}

/** The payout entity as the API and the webhooks show it. */
export interface PayoutEntity {
  id: string;
  entity: 'payout';
  fund_account_id: string;
  amount: number;
  currency: string;
  notes: Record<string, string>;
  fees: number;
  tax: number;
  status: PayoutStatus;
  utr: string | null;
  mode: PayoutMode;
  purpose: string;
  reference_id: string | null;
  narration: string | null;
  batch_id: null;
  status_details: StatusDetails | null;
  created_at: number;
}

export interface WebhookEvent {
  readonly entity: 'event';
  readonly account_id: string;
  readonly event: `payout.${string}`;
  readonly contains: readonly ['payout'];
  readonly payload: { readonly payout: { readonly entity: PayoutEntity } };
  readonly created_at: number;
}

/** The provider's error body: `{ error: { code, description, source, step, reason, metadata, field } }`. */
export function errorBody(description: string, field: string | null, reason = 'input_validation_failed', code = 'BAD_REQUEST_ERROR') {
  return { error: { code, description, source: 'business', step: null, reason, metadata: {}, field } };
}

/** `X-Razorpay-Signature`: hex HMAC-SHA256 of the exact bytes sent, keyed with the webhook secret. */
export function signWebhook(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_\- ]{4,36}$/;
