import type { AccountCorrection, ResultAction } from '../ports.js';
import { addBankingDays, addDays, daysBetween } from './banking-days.js';

/**
 * Nacha's rules for consumer loan debits, as the collections-rails research notes quote them (§1.2–§1.4):
 * - Reinitiation (Subsection 2.12.4): only an entry returned R01 or R09 may be presented again, at most twice
 *   (three presentments in all), within 180 days after the Settlement Date of the original entry, as a separate
 *   batch described `RETRY PYMT`, same company and amount. (R08 needs a new authorisation after the return,
 *   and a corrected R03/R04/R11 is a new entry with new data, so neither is retried automatically here.)
 * - R02/R03/R04 (administrative) and R20: stop; the borrower must give new account data.
 * - R05/R07/R10/R29 (unauthorised): stop and revoke the authorisation; a new one is needed.
 * - Everything else: stop for an operator (R08 stop payment, R16 frozen, R11 wrong terms, …).
 * Notifications of change: the corrected data replaces the stored data before the next entry.
 */

export const RETRYABLE_RETURNS: ReadonlySet<string> = new Set(['R01', 'R09']);
export const NEW_ACCOUNT_DATA_RETURNS: ReadonlySet<string> = new Set(['R02', 'R03', 'R04', 'R20']);
export const REVOKING_RETURNS: ReadonlySet<string> = new Set(['R05', 'R07', 'R10', 'R29']);
/** Three presentments in all: the original and two reinitiations. */
export const MAX_PRESENTMENTS = 3;
export const REINITIATION_WINDOW_DAYS = 180;
export const RETRY_DESCRIPTION = 'RETRY PYMT';

export interface AchRetryPolicy {
  /** Banking days after the return is received before the re-presentment settles (funds may have arrived by then). */
  readonly retryAfterBankingDays: number;
}
export const DEFAULT_RETRY_POLICY: AchRetryPolicy = { retryAfterBankingDays: 2 };

export interface ReturnedPresentment {
  readonly attempt: number;
  /** Settlement date of the ORIGINAL entry (attempt 1); its effective date when the settlement was never reported. */
  readonly originalSettlementDate: string;
  /** Whether its repayment was posted (a settled entry returned late): the return reverses it. */
  readonly posted: boolean;
}

export type ReinitiationCheck = { readonly ok: true } | { readonly ok: false; readonly rule: 'reinitiation-limit' | 'reinitiation-window' | 'reinitiation-code'; readonly detail: string };

/** Whether `attempt` may be presented on `date` after a return `code` (research test vectors A1–A3). */
export function checkReinitiation(code: string, attempt: number, originalSettlementDate: string, date: string): ReinitiationCheck {
  if (!RETRYABLE_RETURNS.has(code)) return { ok: false, rule: 'reinitiation-code', detail: `an entry returned ${code} is not reinitiated; only R01 and R09 are` };
  if (attempt > MAX_PRESENTMENTS) return { ok: false, rule: 'reinitiation-limit', detail: `at most ${MAX_PRESENTMENTS - 1} reinitiations (${MAX_PRESENTMENTS} presentments in all)` };
  if (daysBetween(originalSettlementDate, date) > REINITIATION_WINDOW_DAYS) return { ok: false, rule: 'reinitiation-window', detail: `${date} is more than ${REINITIATION_WINDOW_DAYS} days after the original settlement on ${originalSettlementDate}` };
  return { ok: true };
}

/** The action a return asks for. `returnedOn` is the date the return file was received. */
export function decideAchReturn(p: ReturnedPresentment, code: string, returnedOn: string, policy: AchRetryPolicy = DEFAULT_RETRY_POLICY): ResultAction {
  const reversePosted = p.posted;
  if (RETRYABLE_RETURNS.has(code)) {
    const date = addBankingDays(addDays(returnedOn, 1), Math.max(0, policy.retryAfterBankingDays - 1));
    const attempt = p.attempt + 1;
    const check = checkReinitiation(code, attempt, p.originalSettlementDate, date);
    if (check.ok) return { kind: 'retry-at', date, attempt, reversePosted };
    const reason = check.rule === 'reinitiation-limit' ? `${code} on presentment ${p.attempt} of ${MAX_PRESENTMENTS}: reinitiations exhausted` : `${code}: ${check.detail}`;
    return { kind: 'stop-manual-review', reason, reversePosted };
  }
  if (NEW_ACCOUNT_DATA_RETURNS.has(code)) return { kind: 'stop-new-account-data', reason: `${code}: the borrower must give new account data`, reversePosted };
  if (REVOKING_RETURNS.has(code)) return { kind: 'stop-revoke-authorisation', reason: `${code}: the authorisation is revoked; a new one is needed before any debit`, reversePosted };
  return { kind: 'stop-manual-review', reason: `${code}: not retried automatically`, reversePosted };
}

/** ACH transaction codes of a debit: 27 checking, 37 savings. */
export const debitTransactionCode = (accountType: 'checking' | 'savings'): 27 | 37 => (accountType === 'checking' ? 27 : 37);

/** The account type an ACH transaction code names (2x checking, 3x savings). */
export const accountTypeOfCode = (code: number): 'checking' | 'savings' | undefined => (Math.floor(code / 10) === 2 ? 'checking' : Math.floor(code / 10) === 3 ? 'savings' : undefined);

/** The fields each change code may correct (C01 account, C02 routing, C03 both, C04 name, C05 transaction code, C06 account and code, C07 all three). */
const CORRECTABLE: Readonly<Record<string, readonly (keyof AccountCorrection)[]>> = {
  C01: ['accountNumber'], C02: ['bankCode'], C03: ['bankCode', 'accountNumber'], C04: ['holderName'], C05: ['accountType'], C06: ['accountNumber', 'accountType'], C07: ['bankCode', 'accountNumber', 'accountType'],
};

/** The stored account data a notification of change corrects; codes that name nothing we store (C09–C13) correct nothing. */
export function decideAchChange(code: string, offered: AccountCorrection): Extract<ResultAction, { kind: 'update-account' }> {
  const correction: Record<string, string> = {};
  for (const field of CORRECTABLE[code] ?? []) {
    const value = offered[field];
    if (value) correction[field] = value;
  }
  return { kind: 'update-account', correction: correction as AccountCorrection };
}
