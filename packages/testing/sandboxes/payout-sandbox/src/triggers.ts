import type { StatusDetails } from './protocol.js';

/**
 * How the sandbox settles a payout, decided from the request alone so a test can ask for any outcome.
 * Documented in the README ("Payouts (sandbox)"); the reasons follow RazorpayX's `status_details`.
 */
export type SandboxOutcome =
  | { readonly status: 'processed'; readonly details: StatusDetails }
  | { readonly status: 'failed' | 'reversed'; readonly details: StatusDetails };

export const PROCESSED: StatusDetails = {
  source: 'beneficiary_bank',
  reason: 'payout_processed',
  description: 'Payout is processed and the money has been credited into the beneficiaries account',
};

/** Amount ending in 13 minor units (paise): the beneficiary bank is down, the payout fails. */
export const BANK_DOWN: StatusDetails = {
  source: 'beneficiary_bank',
  reason: 'beneficiary_bank_down',
  description: 'Beneficiary bank is down. Retry after some time or use a different mode',
};

/** Account token ending in FAIL: no such account at the beneficiary bank, the payout fails. */
export const INVALID_ACCOUNT: StatusDetails = {
  source: 'beneficiary_bank',
  reason: 'invalid_account',
  description: 'Beneficiary account number is invalid. Retry with a valid account number',
};

/** Account token ending in REVERSE: the payout is processed, then the beneficiary bank returns the credit (payout.reversed after payout.processed). */
export const RETURNED: StatusDetails = {
  source: 'beneficiary_bank',
  reason: 'beneficiary_bank_rejected',
  description: 'Payout rejected by beneficiary bank. Please contact beneficiary bank',
};

export function decideOutcome(request: { readonly amount: number; readonly accountNumber: string }): SandboxOutcome {
  if (request.amount % 100 === 13) return { status: 'failed', details: BANK_DOWN };
  if (request.accountNumber.endsWith('FAIL')) return { status: 'failed', details: INVALID_ACCOUNT };
  if (request.accountNumber.endsWith('REVERSE')) return { status: 'reversed', details: RETURNED };
  return { status: 'processed', details: PROCESSED };
}
