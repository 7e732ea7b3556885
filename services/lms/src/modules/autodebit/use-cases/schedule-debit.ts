import type pg from 'pg';
import { upsertAccount, accountOf, insertPresentment, type StoredPresentment } from '../adapters/autodebit.repository.js';
import { onOrNextBankingDay } from '../domain/banking-days.js';
import { nachChargeDate } from '../domain/india-calendar.js';
import type { CollectionRail, DebitAccount, DebitMoney } from '../ports.js';

export interface AutodebitStoreDeps {
  readonly pool: pg.Pool;
  /** Bank holidays NACH does not clear on (data: they differ by state and year). */
  readonly nachHolidays?: ReadonlySet<string>;
}

/**
 * The date a debit due on `dueDate` is charged on its rail: the next banking day for ACH (Federal Reserve
 * holidays), the NACH charge date (forward to the next business day, back at month-end) for NACH, the due date
 * itself for UPI AutoPay and cards (they clear every day).
 */
export function chargeDateOf(rail: CollectionRail, dueDate: string, nachHolidays?: ReadonlySet<string>): string {
  if (rail === 'us-ach') return onOrNextBankingDay(dueDate);
  if (rail === 'in-nach') return nachChargeDate(dueDate, nachHolidays);
  return dueDate;
}

/** The id of a presentment: one per loan, instalment and attempt, so scheduling twice finds the first. */
export const presentmentIdOf = (tenantId: string, loanId: string, installmentNumber: number, attempt: number) => `pm:${tenantId}:${loanId}:${installmentNumber}:${attempt}`;

/** Records (or replaces, with new account data) a loan's debit account and authorisation; it becomes active. */
export async function enrolDebitAccount(deps: AutodebitStoreDeps, input: { tenantId: string; loanId: string; rail: CollectionRail; account: DebitAccount }): Promise<void> {
  await upsertAccount(deps.pool, { tenantId: input.tenantId, loanId: input.loanId, rail: input.rail, ...input.account });
}

export type ScheduleOutcome =
  | { readonly ok: true; readonly presentment: StoredPresentment }
  | { readonly ok: false; readonly error: { readonly code: 'no-debit-account' | 'debit-account-stopped' | 'amount-not-positive'; readonly field: string; readonly detail: string } };

/**
 * Schedules the first presentment of an instalment on its due date (moved to its rail's charge date: chargeDateOf).
 * What the collections workflow calls on a due date. Refused, nothing written: no-debit-account,
 * debit-account-stopped (new account data or a new authorisation is needed first), amount-not-positive.
 * Scheduling the same instalment again answers the presentment already scheduled.
 */
export async function scheduleInstallmentDebit(deps: AutodebitStoreDeps, input: { tenantId: string; loanId: string; installmentNumber: number; amount: DebitMoney; dueDate: string }): Promise<ScheduleOutcome> {
  if (input.amount.amountMinor <= 0n) return { ok: false, error: { code: 'amount-not-positive', field: '/amount/amount', detail: 'a debit moves at least one minor unit' } };
  const account = await accountOf(deps.pool, input.tenantId, input.loanId);
  if (!account) return { ok: false, error: { code: 'no-debit-account', field: '/loanId', detail: `loan ${input.loanId} has no debit account enrolled` } };
  if (account.status !== 'active') return { ok: false, error: { code: 'debit-account-stopped', field: '/loanId', detail: `the debit account is ${account.status}: ${account.statusReason ?? ''}`.trim() } };
  const effectiveDate = chargeDateOf(account.rail, input.dueDate, deps.nachHolidays);
  const presentment = await insertPresentment(deps.pool, {
    id: presentmentIdOf(input.tenantId, input.loanId, input.installmentNumber, 1), tenantId: input.tenantId, loanId: input.loanId, installmentNumber: input.installmentNumber, rail: account.rail, attempt: 1,
    amountMinor: input.amount.amountMinor, currency: input.amount.currency, scale: input.amount.scale, effectiveDate,
  });
  return { ok: true, presentment };
}
