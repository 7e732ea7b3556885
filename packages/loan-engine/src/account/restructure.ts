// A restructure taking effect at the end of its value date: what the new schedule's principal absorbs.
import type { DayNumber } from '../dates/local-date.js';
import { markSettled } from './end-of-day.js';
import { effect, line } from './postings.js';
import type { StepContext } from './step.js';
import type { PostingLine, ScheduledInstallment } from './types.js';

/** What a restructure moved into the new schedule's principal (all 0 without `capitaliseArrears`). */
export interface Capitalised {
  /** Unpaid principal of the installments due: rescheduled, no posting (it stays in loan-portfolio). */
  readonly principal: bigint;
  readonly interest: bigint;
  readonly fees: bigint;
  readonly penalties: bigint;
}

/**
 * The schedule the fold runs on already holds the new installments after the effective date (the LMS replaced
 * them when the restructure was approved); the installments due on or before it stay as they were.
 * Without capitaliseArrears nothing moves: what is due unpaid stays due on those installments (DPD runs on).
 * With it, at the end of the day (after its penalties, before the classification) every installment due is
 * settled by the restructure: its unpaid principal is rescheduled (no posting), its unpaid interest, fees and
 * penalties are capitalised (debit loan-portfolio, credit their receivables), so principal outstanding grows by
 * those three and the new schedule's principal is the whole of it. Interest and penalties held in the
 * memorandum while non-accrual were never income: they are not capitalised and stay due (the LMS refuses to
 * capitalise the arrears of a non-accrual loan). No effect on a loan no longer active.
 */
export function restructureAt(ctx: StepContext, d: DayNumber, e: { readonly id: string; readonly capitaliseArrears: boolean }): Capitalised {
  const b = ctx.book;
  const none = { principal: 0n, interest: 0n, fees: 0n, penalties: 0n };
  if (b.status !== 'active' || !e.capitaliseArrears) return none;
  const accruing = b.accrual === 'accruing';
  let principal = 0n;
  let interest = 0n;
  let fees = 0n;
  let penalties = 0n;
  for (let i = b.oldestUnsettled; i < b.dueCount; i += 1) {
    const s = ctx.schedule[i] as ScheduledInstallment;
    const p = s.principalMinor - (b.paidP[i] as bigint);
    const f = s.feesMinor - (b.paidF[i] as bigint);
    const n = accruing ? s.interestMinor - (b.paidI[i] as bigint) : 0n;
    const pen = accruing ? (b.pen[i] as bigint) - (b.penPaid[i] as bigint) : 0n;
    b.paidP[i] = (b.paidP[i] as bigint) + p;
    b.paidF[i] = (b.paidF[i] as bigint) + f;
    b.paidI[i] = (b.paidI[i] as bigint) + n;
    b.penPaid[i] = (b.penPaid[i] as bigint) + pen;
    principal += p;
    fees += f;
    interest += n;
    penalties += pen;
  }
  // The due figures count the amounts settled; principal outstanding (disbursed + capitalised − paid) keeps
  // the rescheduled principal and gains the capitalised interest, fees and penalties.
  b.m.principalPaid += principal;
  b.m.paidF += fees;
  b.m.paidI += interest;
  b.m.penPaid += penalties;
  b.m.feesReceivable -= fees;
  b.m.interestReceivable -= interest;
  b.m.penaltiesReceivable -= penalties;
  b.capitalised += principal + interest + fees + penalties;
  const moved = interest + fees + penalties;
  if (moved > 0n) {
    const lines: PostingLine[] = [];
    line(lines, 'loan-portfolio', 'debit', moved);
    line(lines, 'interest-receivable', 'credit', interest);
    line(lines, 'fees-receivable', 'credit', fees);
    line(lines, 'penalties-receivable', 'credit', penalties);
    ctx.out.effects.push(effect(`restructure:${e.id}`, d, 'restructure', lines));
  }
  markSettled(ctx, d);
  return { principal, interest, fees, penalties };
}
