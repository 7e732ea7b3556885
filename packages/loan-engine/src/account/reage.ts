// Re-aging: the arrears of a delinquent loan moved to installments at the end of its schedule.
import type { DayNumber } from '../dates/local-date.js';
import { markSettled } from './end-of-day.js';
import { effect, pair } from './postings.js';
import type { StepContext } from './step.js';
import type { PostingLine, ScheduledInstallment } from './types.js';

/**
 * A re-age on day d (after the day's payments, before its end of day): the unpaid principal, interest and fees
 * of every installment due are moved off it — the installment counts them as settled, so nothing scheduled is
 * past due and DPD is 0 from that day (penalties charged stay due on it). The schedule the fold runs on already
 * holds the installments the arrears moved to, appended after the last (the LMS appended them, one per
 * installment in arrears with its unpaid parts, when the re-age was requested). Principal stays outstanding (no
 * posting); the moved interest and fees leave their receivables and income (interest-income or the non-accrual
 * memorandum, fee-income): they are earned again when the appended installments accrue and fall due. No effect
 * on a loan no longer active. Returns what moved.
 */
export function reageAt(ctx: StepContext, d: DayNumber, e: { readonly id: string }): { principal: bigint; interest: bigint; fees: bigint } {
  const b = ctx.book;
  const m = b.m;
  let principal = 0n;
  let interest = 0n;
  let fees = 0n;
  for (let i = b.oldestUnpaid; i < b.dueCount; i += 1) {
    const s = ctx.schedule[i] as ScheduledInstallment;
    const p = s.principalMinor - (b.paidP[i] as bigint);
    const n = s.interestMinor - (b.paidI[i] as bigint);
    const f = s.feesMinor - (b.paidF[i] as bigint);
    b.paidP[i] = s.principalMinor;
    b.paidI[i] = s.interestMinor;
    b.paidF[i] = s.feesMinor;
    principal += p;
    interest += n;
    fees += f;
  }
  // Due no longer: the due totals drop by what moved (paid totals are money received only).
  m.dueP -= principal;
  m.dueI -= interest;
  m.dueF -= fees;
  m.feesReceivable -= fees;
  const lines: PostingLine[] = [];
  if (b.accrual === 'accruing') {
    m.interestReceivable -= interest;
    pair(lines, 'interest-income', 'interest-receivable', interest);
  } else {
    m.interestSuspended -= interest;
    pair(lines, 'memo-interest-suspense', 'memo-interest-receivable', interest);
  }
  pair(lines, 'fee-income', 'fees-receivable', fees);
  if (lines.length > 0) ctx.out.effects.push(effect(`re-age:${e.id}`, d, 're-age', lines));
  markSettled(ctx, d);
  return { principal, interest, fees };
}
