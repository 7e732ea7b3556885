/**
 * PayoutPort over RazorpayX Payouts (India), the documented protocol:
 * - create: Composite API `POST /v1/payouts` with the fund account inline (bank account + contact), amount in
 *   paise, mode, purpose, reference_id, narration, notes; HTTP Basic auth with key id and secret
 *   (https://razorpay.com/docs/api/x/payout-composite/create/bank-account);
 * - `X-Payout-Idempotency`: a retry with the same key returns the payout's latest state instead of paying
 *   again; the same key with another body is a BAD_REQUEST (https://razorpay.com/docs/api/x/payout-idempotency/);
 * - fetch: `GET /v1/payouts/:id` (https://razorpay.com/docs/api/x/payouts/fetch-with-id); states and
 *   `status_details` (https://razorpay.com/docs/api/x/payouts/entity, https://razorpay.com/docs/errors/x/payout-status-details);
 * - webhooks: razorpayx-webhook.verifier.ts.
 *
 * The account TOKEN is sent as `bank_account.account_number`: the LMS never holds account numbers (the LOS
 * tokenises them), and the local sandbox accepts tokens. A real deployment resolves the token to the account
 * number here, through the LOS's vault, just before the call; that vault is the LOS's to provide.
 *
 * Each call has a timeout; network errors, timeouts and 5xx are retried a bounded number of times with the
 * SAME idempotency key and body, so a retry never pays twice. 4xx is never retried.
 */
import { vendorRequest } from '@lendstack/platform';
import type { LmsConfig } from '../../../config.js';
import { PayoutRailUnavailableError, type PayoutPort, type PayoutRefused, type PayoutRequest, type PayoutSnapshot, type PayoutStatus, type PayoutWebhookHeaders, type PayoutWebhookResult } from '../ports.js';
import { createRazorpayXWebhookVerifier } from './razorpayx-webhook.verifier.js';

export interface RazorpayXPayoutClientOptions {
  readonly baseUrl: string;
  readonly keyId: string;
  readonly keySecret: string;
  readonly webhookSecret: string;
  /** The lender's RazorpayX account number that payouts debit. */
  readonly sourceAccountNumber: string;
  readonly mode: 'IMPS' | 'NEFT' | 'RTGS';
  /** Per HTTP attempt, response body included. */
  readonly timeoutMs: number;
  /** HTTP attempts per call, the first included. */
  readonly maxAttempts: number;
  /** First retry delay; doubles per retry, with jitter, capped at 2 s. */
  readonly retryBaseDelayMs?: number;
  readonly webhookMaxAgeSeconds: number;
  readonly now: () => Date;
}

/** The adapter's options from the LMS config (main.ts: `createRazorpayXPayoutClient(razorpayXOptions(config, () => new Date()))`). */
export function razorpayXOptions(config: LmsConfig, now: () => Date): RazorpayXPayoutClientOptions {
  return {
    baseUrl: config.PAYOUT_BASE_URL,
    keyId: config.PAYOUT_KEY_ID,
    keySecret: config.PAYOUT_KEY_SECRET,
    webhookSecret: config.PAYOUT_WEBHOOK_SECRET,
    sourceAccountNumber: config.PAYOUT_SOURCE_ACCOUNT_NUMBER,
    mode: config.PAYOUT_MODE,
    timeoutMs: config.PAYOUT_TIMEOUT_MS,
    maxAttempts: config.PAYOUT_MAX_ATTEMPTS,
    webhookMaxAgeSeconds: config.PAYOUT_WEBHOOK_MAX_AGE_SECONDS,
    now,
  };
}

interface RazorpayXPayout {
  id: string;
  status: string;
  utr?: string | null;
  status_details?: { reason?: string | null; description?: string | null } | null;
}
interface RazorpayXError {
  error?: { description?: string; field?: string | null };
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_\- ]{4,36}$/;
const STATUS: Record<string, PayoutStatus> = { queued: 'queued', pending: 'queued', processing: 'processing', processed: 'processed', reversed: 'reversed', failed: 'failed', rejected: 'failed', cancelled: 'failed' };

/** RazorpayX narration: at most 30 letters, digits and spaces. */
const narration = (text: string) => text.replace(/[^A-Za-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 30).trim();

function toSnapshot(payout: RazorpayXPayout): PayoutSnapshot {
  const status = STATUS[payout.status];
  if (!status) throw new Error(`RazorpayX answered an unknown payout status ${JSON.stringify(payout.status)}`);
  const failed = status === 'failed' || status === 'reversed';
  const reason = payout.status_details?.reason;
  return {
    providerPayoutId: payout.id,
    status,
    ...(failed && reason ? { failureReason: reason.toUpperCase() } : {}),
    ...(failed && payout.status_details?.description ? { failureDetail: payout.status_details.description } : {}),
    ...(payout.utr ? { utr: payout.utr } : {}),
  };
}

const refused = (code: PayoutRefused['error']['code'], detail: string, field?: string | null): PayoutRefused => ({ error: { code, detail, ...(field ? { field } : {}) } });

export function createRazorpayXPayoutClient(options: RazorpayXPayoutClientOptions): PayoutPort {
  const base = options.baseUrl.replace(/\/+$/, '');
  const authorization = `Basic ${Buffer.from(`${options.keyId}:${options.keySecret}`).toString('base64')}`;
  const verifyWebhook = createRazorpayXWebhookVerifier({ secret: options.webhookSecret, maxAgeSeconds: options.webhookMaxAgeSeconds, now: options.now });

  /** One call with bounded retries on network errors, timeouts and 5xx; any other answer is returned. */
  async function call(method: 'GET' | 'POST', path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: unknown }> {
    const { status, text } = await vendorRequest({
      url: `${base}${path}`, method, timeoutMs: options.timeoutMs, maxAttempts: options.maxAttempts, ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
      headers: { authorization, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body ? { body: init.body } : {}),
    }, (problem) => new PayoutRailUnavailableError(`RazorpayX ${method} ${path}: ${problem}`));
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status, json };
  }

  const unexpected = (what: string, status: number, json: unknown) =>
    new Error(`RazorpayX ${what} answered HTTP ${status}${status === 401 ? ' (check PAYOUT_KEY_ID / PAYOUT_KEY_SECRET)' : ''}: ${(json as RazorpayXError | null)?.error?.description ?? ''}`);

  return {
    async submit(request: PayoutRequest) {
      const { amount, beneficiary } = request;
      if (amount.currency !== 'INR' || amount.scale !== 2) return refused('unsupported-currency', `RazorpayX pays out INR in paise (scale 2), not ${amount.currency} at scale ${amount.scale}`, 'amount');
      if (amount.amountMinor < 100n || amount.amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) return refused('invalid-request', 'the amount must be at least 100 paise and an exact JSON number', 'amount');
      if (!IDEMPOTENCY_KEY.test(request.payoutId)) return refused('invalid-request', 'payoutId must be 4 to 36 letters, digits, hyphens, underscores or spaces', 'payoutId');
      const body = JSON.stringify({
        account_number: options.sourceAccountNumber,
        amount: Number(amount.amountMinor),
        currency: 'INR',
        mode: options.mode,
        purpose: 'payout',
        // A lender short of balance should see the payout wait, not fail.
        queue_if_low_balance: true,
        reference_id: request.payoutId,
        narration: narration(request.narration) || 'Loan disbursement',
        notes: { tenant_id: request.tenantId, loan_id: request.loanId, payout_id: request.payoutId },
        fund_account: {
          account_type: 'bank_account',
          bank_account: { name: beneficiary.holderName.slice(0, 120), ifsc: beneficiary.bankCode, account_number: beneficiary.accountToken },
          contact: { name: beneficiary.holderName.slice(0, 50), type: 'customer', reference_id: request.loanId.slice(0, 40) },
        },
      });
      const { status, json } = await call('POST', '/v1/payouts', { body, headers: { 'x-payout-idempotency': request.payoutId } });
      if (status === 200 || status === 201) return toSnapshot(json as RazorpayXPayout);
      if (status === 400) {
        const error = (json as RazorpayXError | null)?.error;
        const detail = error?.description ?? 'refused by RazorpayX';
        if (error?.field === 'X-Payout-Idempotency' && /different/i.test(detail)) return refused('idempotency-conflict', detail, 'payoutId');
        return refused('invalid-request', detail, error?.field);
      }
      throw unexpected('create payout', status, json);
    },

    async status(providerPayoutId: string) {
      const { status, json } = await call('GET', `/v1/payouts/${encodeURIComponent(providerPayoutId)}`);
      if (status === 200) return toSnapshot(json as RazorpayXPayout);
      if (status === 404 || status === 400) return { error: 'not-found' } as const;
      throw unexpected('fetch payout', status, json);
    },

    verifyWebhook: (rawBody: Buffer, headers: PayoutWebhookHeaders): PayoutWebhookResult => verifyWebhook(rawBody, headers),
  };
}
