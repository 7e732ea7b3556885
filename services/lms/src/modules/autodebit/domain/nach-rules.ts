/**
 * NACH debit responses (NPCI Circular No. 274, 8 Mar 2018, as the collections-rails research §2.3 lists them)
 * and what each means for the loan. Return codes come from the destination bank after presentation; reject
 * codes from NPCI before it (an unknown UMRN or an inactive mandate never reaches the bank). NPCI publishes no
 * retry rule for NACH (§2.3, §6), so the split is lender policy, the research's suggestion (test vectors I5–I7):
 * - 04 balance insufficient, 59 CBS network failure: re-presented as a new debit (processors never auto-retry,
 *   §2.2), at most MAX_NACH_PRESENTMENTS in all, a few business days later; DPD still counts from the due date;
 * - 01 account closed, 02 no such account, 11 invalid IFSC/MICR, 16 name mismatch: stop, the borrower must give
 *   new account data (and a new mandate on it);
 * - 14 mandate expired, 61 mandate cancelled: the authorisation is gone; a new mandate is needed;
 * - 08 mandate not received, 21/22/23 (NPCI rejects): stop until the mandate shows active at NPCI; an operator
 *   checks (I7);
 * - everything else (05, 06, 07, 17 disputes and stops; 51, 53, 54, 70 that need the customer to act at the
 *   bank; 60, 69 deceased or insolvent; limits, duplicates, mismatches): stop for an operator.
 * Several blogs number these differently ("01 = insufficient funds"); that contradicts Circular 274 and is not used.
 */
import type { ResultAction } from '../ports.js';
import { addNachBusinessDays } from './india-calendar.js';

export const NACH_RETURN_REASONS: Readonly<Record<string, string>> = {
  '01': 'Account closed', '02': 'No such account', '04': 'Balance insufficient', '05': 'Not arranged for', '06': 'Payment stopped by drawer',
  '07': 'Payment stopped under court order / account under litigation', '08': 'Mandate not received', '11': 'Invalid IFSC/MICR code', '12': 'Mismatch in mandate frequency',
  '13': 'Duplicate transaction', '14': 'Mandate expired', '15': 'Amount mismatch between mandate and transaction', '16': 'Customer name mismatch', '17': 'Returned as per customer request',
  '51': 'KYC documents pending', '53': 'Account inoperative', '54': 'Dormant account', '57': 'Amount exceeds bank debit limit', '58': 'Amount exceeds bank debit limit',
  '59': 'Network failure (CBS)', '60': 'Account holder expired', '61': 'Mandate cancelled', '68': 'Account blocked or frozen', '69': 'Customer insolvent', '70': 'Refer to branch', '98': 'Bank extension case',
};
export const NACH_REJECT_REASONS: Readonly<Record<string, string>> = { '21': 'Invalid UMRN or inactive mandate', '22': 'Mandate not valid for debit', '23': 'Debtor account number mismatch' };

export const isNachReasonCode = (code: string): boolean => code in NACH_RETURN_REASONS || code in NACH_REJECT_REASONS;
export const nachReasonText = (code: string): string | undefined => NACH_RETURN_REASONS[code] ?? NACH_REJECT_REASONS[code];

export const NACH_RETRYABLE: ReadonlySet<string> = new Set(['04', '59']);
export const NACH_NEW_ACCOUNT_DATA: ReadonlySet<string> = new Set(['01', '02', '11', '16']);
export const NACH_MANDATE_GONE: ReadonlySet<string> = new Set(['14', '61']);
export const NACH_MANDATE_NOT_ACTIVE: ReadonlySet<string> = new Set(['08', '21', '22', '23']);
/** The original debit and two re-presentments. */
export const MAX_NACH_PRESENTMENTS = 3;

export interface NachRetryPolicy {
  /** NACH business days after the response before the new debit's charge date. */
  readonly retryAfterBusinessDays: number;
  readonly holidays?: ReadonlySet<string>;
}
export const DEFAULT_NACH_RETRY_POLICY: NachRetryPolicy = { retryAfterBusinessDays: 3 };

/** The action a NACH response code asks for; `attempt` is the presentment's, `returnedOn` the response date. */
export function decideNachReturn(p: { readonly attempt: number; readonly posted: boolean }, code: string, returnedOn: string, policy: NachRetryPolicy = DEFAULT_NACH_RETRY_POLICY): ResultAction {
  const reversePosted = p.posted;
  const text = `${code} ${nachReasonText(code) ?? 'unknown reason'}`;
  if (NACH_RETRYABLE.has(code)) {
    if (p.attempt >= MAX_NACH_PRESENTMENTS) return { kind: 'stop-manual-review', reason: `${text} on presentment ${p.attempt} of ${MAX_NACH_PRESENTMENTS}: re-presentments exhausted`, reversePosted };
    return { kind: 'retry-at', date: addNachBusinessDays(returnedOn, policy.retryAfterBusinessDays, policy.holidays), attempt: p.attempt + 1, reversePosted };
  }
  if (NACH_NEW_ACCOUNT_DATA.has(code)) return { kind: 'stop-new-account-data', reason: `${text}: the borrower must give a new account and mandate`, reversePosted };
  if (NACH_MANDATE_GONE.has(code)) return { kind: 'stop-revoke-authorisation', reason: `${text}: a new mandate is needed before any debit`, reversePosted };
  if (NACH_MANDATE_NOT_ACTIVE.has(code)) return { kind: 'stop-manual-review', reason: `${text}: not presented again until the mandate shows active at NPCI`, reversePosted };
  return { kind: 'stop-manual-review', reason: `${text}: not re-presented automatically`, reversePosted };
}
