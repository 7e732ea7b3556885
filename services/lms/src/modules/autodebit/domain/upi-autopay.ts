/**
 * UPI AutoPay executions under the RBI e-mandate framework and NPCI's AutoPay rules, pure (collections-rails
 * research §2.4, test vectors I9–I13):
 * - every debit is preceded by a pre-debit notification (PDN) at least 24 hours before it executes; the debit
 *   runs from the 25th hour on. A presentment whose execution would come sooner is refused here, with the
 *   earliest time it could run;
 * - executions (first attempt and retries) run outside the peak hours 10:00–13:00 and 17:00–21:30 IST;
 * - 1 attempt and at most 3 retries per execution (NPCI, 21 May 2025); each attempt here is notified afresh,
 *   so a retry is at least a day later;
 * - at most one successful debit per billing cycle (an instalment is one cycle: its presentments stop once one
 *   settles);
 * - above ₹15,000 a debit needs additional factor authentication (UPI PIN or a collect request), so it cannot
 *   be auto-debited silently (I10; whether loan EMIs get the ₹1,00,000 limit is unconfirmed, §2.4);
 * - a mandate the payer revoked or paused in their app is never executed (I13).
 * Failure codes are NPCI UPI response codes as PSPs pass them on (B3, U16, U30, U69, Z6, Z7 from a broker's
 * published table; XH, XY, YE, Z8, Z9 are the commonly published meanings and are to be confirmed with the PSP).
 */
import type { ResultAction } from '../ports.js';
import { addDays } from './banking-days.js';
import type { Decided } from './nach-mandate.js';
import { istInstant, istParts } from './india-calendar.js';

export const PDN_MIN_NOTICE_MS = 24 * 3_600_000;
/** Peak windows in IST minutes after midnight, [from, to). */
export const UPI_PEAK_WINDOWS: readonly (readonly [number, number])[] = [[10 * 60, 13 * 60], [17 * 60, 21 * 60 + 30]];
export const MAX_UPI_ATTEMPTS = 4;
/** ₹15,000 in paise: the most a debit may be without additional factor authentication. */
export const UPI_NO_AFA_LIMIT_PAISE = 1_500_000n;

export const UPI_FAILURE_REASONS: Readonly<Record<string, string>> = {
  Z9: 'Insufficient funds in the remitter account', U30: 'Debit has failed', XY: 'Remitter CBS offline', Z7: 'Transaction frequency limit exceeded as set by the remitting member',
  Z8: 'Per-transaction limit exceeded as set by the remitting member', U16: 'Risk threshold exceeded', U69: 'Collect request expired', Z6: 'Number of PIN tries exceeded',
  B3: 'Transaction not permitted to the account', YE: 'Remitting account is blocked or frozen', XH: 'Account does not exist (remitter)',
  'MANDATE-REVOKED': 'The payer revoked the mandate in their UPI app', 'MANDATE-PAUSED': 'The payer paused the mandate in their UPI app',
};
export const UPI_RETRYABLE: ReadonlySet<string> = new Set(['Z9', 'U30', 'XY', 'Z7']);

const peakAt = (minutes: number) => UPI_PEAK_WINDOWS.find(([from, to]) => minutes >= from && minutes < to);

/**
 * When a debit due on `dueDate` (IST) executes if its PDN goes at `notifiedAt`: the first instant at least 24 h
 * later, not before the due date's IST midnight, and outside peak hours. Refused when that falls after the due date.
 */
export function planUpiExecution(notifiedAt: Date, dueDate: string): Decided<Date> {
  const earliest = new Date(Math.max(notifiedAt.getTime() + PDN_MIN_NOTICE_MS, istInstant(dueDate, 0).getTime()));
  const at = istParts(earliest);
  const peak = peakAt(at.minutes);
  const executeAt = peak ? istInstant(at.date, peak[1]) : earliest;
  if (istParts(executeAt).date > dueDate) {
    return { ok: false, issue: { field: '/effectiveDate', rule: 'pre-debit-notice', detail: `a debit on ${dueDate} needs its pre-debit notification at least 24 h before it executes outside peak hours; notified at ${notifiedAt.toISOString()}, it could execute ${executeAt.toISOString()} at the earliest` } };
  }
  return { ok: true, value: executeAt };
}

/** Whether an execution may be attempted at `at`: a PDN at least 24 h earlier, outside peak hours, within the attempt limit. */
export function checkUpiExecution(notifiedAt: Date, at: Date, attempt: number): Decided<true> {
  if (at.getTime() - notifiedAt.getTime() < PDN_MIN_NOTICE_MS) return { ok: false, issue: { field: '/executeAt', rule: 'pre-debit-notice', detail: `executes ${((at.getTime() - notifiedAt.getTime()) / 3_600_000).toFixed(1)} h after its pre-debit notification; at least 24 h are needed` } };
  if (peakAt(istParts(at).minutes)) return { ok: false, issue: { field: '/executeAt', rule: 'peak-hours', detail: 'AutoPay executions run outside 10:00–13:00 and 17:00–21:30 IST' } };
  if (attempt > MAX_UPI_ATTEMPTS) return { ok: false, issue: { field: '/attempt', rule: 'attempt-limit', detail: `at most ${MAX_UPI_ATTEMPTS} attempts (1 and 3 retries) per execution` } };
  return { ok: true, value: true };
}

/** Whether the amount may be auto-debited on the mandate without the payer's PIN. */
export function checkUpiAmount(amountMinor: bigint, mandateMaxMinor: bigint, noAfaLimitMinor: bigint = UPI_NO_AFA_LIMIT_PAISE): Decided<true> {
  if (amountMinor > mandateMaxMinor) return { ok: false, issue: { field: '/amount', rule: 'mandate-max-amount', detail: `${amountMinor} paise is above the mandate's maximum of ${mandateMaxMinor}` } };
  if (amountMinor > noAfaLimitMinor) return { ok: false, issue: { field: '/amount', rule: 'needs-afa', detail: `${amountMinor} paise is above ${noAfaLimitMinor} paise: the payer must authenticate it (UPI PIN or collect request); it is not auto-debited` } };
  return { ok: true, value: true };
}

/** A second execution in a cycle that already has a successful one is refused (I12). */
export function checkOneSuccessPerCycle(successfulInCycle: number): Decided<true> {
  return successfulInCycle > 0 ? { ok: false, issue: { field: '/installmentNumber', rule: 'one-debit-per-cycle', detail: 'this billing cycle already has a successful debit' } } : { ok: true, value: true };
}

/** The action a failed execution asks for; a retry is notified the next day and executes the day after. */
export function decideUpiFailure(p: { readonly attempt: number; readonly posted: boolean }, code: string, failedOn: string): ResultAction {
  const reversePosted = p.posted;
  const text = `${code} ${UPI_FAILURE_REASONS[code] ?? 'unknown reason'}`;
  if (UPI_RETRYABLE.has(code)) {
    if (p.attempt >= MAX_UPI_ATTEMPTS) return { kind: 'stop-manual-review', reason: `${text} on attempt ${p.attempt} of ${MAX_UPI_ATTEMPTS}: retries exhausted; offer NACH or a payment link`, reversePosted };
    return { kind: 'retry-at', date: addDays(failedOn, 2), attempt: p.attempt + 1, reversePosted };
  }
  if (code === 'XH') return { kind: 'stop-new-account-data', reason: `${text}: the payer must set up a mandate on another account`, reversePosted };
  if (code === 'MANDATE-REVOKED') return { kind: 'stop-revoke-authorisation', reason: `${text}: never executed again; ask for another mandate`, reversePosted };
  return { kind: 'stop-manual-review', reason: `${text}: not retried automatically`, reversePosted };
}
