// Restructuring in the engine's terms: the position the new schedule absorbs, its terms and installments.
// Pure: the account state at the end of the effective date and the current terms come in as arguments.
import { failure, type ServicingFailure } from './failures.js';
import { buildSchedule, formatIsoDate, parseDecimal, parseIsoDate, remainingTerms, type AccountState, type InstallmentMinor, type LoanTerms } from '@lendstack/loan-engine';

export interface RestructureAsk {
  /** Decimal percent, "9.5" = 9.5 % a year. */
  readonly annualRatePercent: string;
  /** Installments of the new schedule. */
  readonly installments: number;
  /** The first this many new installments carry interest only (no principal). */
  readonly moratoriumInstallments: number;
  readonly capitaliseArrears: boolean;
  /** A due date of the schedule in force, on or after the business date. */
  readonly effectiveDate: string;
}

export interface RestructurePreview {
  /** Principal of the new schedule. */
  readonly principalMinor: bigint;
  /** What moves into it at the end of the effective date (all 0 without capitaliseArrears). */
  readonly capitalised: { readonly principal: bigint; readonly interest: bigint; readonly fees: bigint; readonly penalties: bigint };
  /** Installments kept as they are (those due on or before the effective date). */
  readonly keptInstallments: number;
  readonly installments: readonly InstallmentMinor[];
  readonly terms: LoanTerms;
}

export type RestructureRefusal =
  | { readonly code: 'restructure-effective-date'; readonly pointer: '/effectiveDate'; readonly detail: string }
  | { readonly code: 'restructure-not-supported'; readonly pointer: '/params/id'; readonly detail: string }
  | { readonly code: 'restructure-non-accrual'; readonly pointer: '/capitaliseArrears'; readonly detail: string }
  | { readonly code: 'restructure-moratorium'; readonly pointer: '/moratoriumInstallments'; readonly detail: string }
  | { readonly code: 'restructure-nothing-outstanding'; readonly pointer: '/params/id'; readonly detail: string };

const METHODS = new Set(['equal-installment', 'equal-principal', 'interest-only']);

/**
 * The restructure's preview. `state` is the account at the end of the effective date E without it (the
 * fold's projection: no further money events); `dueDates` the schedule in force. Rules (README, "Restructure"):
 * E is a due date (installment k); installments 1..k stay; the new schedule (installments k+1.., same
 * due-date series) starts accruing on E at the new rate. Its principal is the principal not yet due, plus
 * — with capitaliseArrears — everything due unpaid at the end of E (principal, interest, fees, penalties),
 * which the engine then settles and the ledger moves into loan-portfolio. Without it arrears stay due on
 * installments 1..k. A moratorium is on principal only: those installments carry the period's interest,
 * payable when due; nothing is deferred or capitalised.
 */
export function previewRestructure(ask: RestructureAsk, terms: LoanTerms, dueDates: readonly string[], state: AccountState): { ok: true; value: RestructurePreview } | { ok: false; error: RestructureRefusal } {
  const refuse = (error: RestructureRefusal) => ({ ok: false as const, error });
  const k = dueDates.indexOf(ask.effectiveDate) + 1;
  if (k === 0) return refuse({ code: 'restructure-effective-date', pointer: '/effectiveDate', detail: `must be a due date of the schedule in force (the next are ${dueDates.filter((d) => d >= ask.effectiveDate).slice(0, 3).join(', ') || 'none'})` });
  if (!METHODS.has(terms.method)) return refuse({ code: 'restructure-not-supported', pointer: '/params/id', detail: `a ${terms.method} loan cannot be re-amortised` });
  if (ask.moratoriumInstallments >= ask.installments) return refuse({ code: 'restructure-moratorium', pointer: '/moratoriumInstallments', detail: `must be less than installments (${ask.installments})` });
  if (state.status !== 'active') return refuse({ code: 'restructure-nothing-outstanding', pointer: '/params/id', detail: `on ${ask.effectiveDate} the loan is ${state.status}` });
  if (ask.capitaliseArrears && state.accrualStatus !== 'accruing') {
    return refuse({ code: 'restructure-non-accrual', pointer: '/capitaliseArrears', detail: `on ${ask.effectiveDate} the loan is non-accrual: its suspended interest was never income and cannot be capitalised` });
  }
  const due = state.installments.slice(0, k);
  const unpaid = (pick: (c: { principal: bigint; interest: bigint; fees: bigint; penalties: bigint }) => bigint) => due.reduce((s, i) => s + pick(i.charged) - pick(i.paid), 0n);
  const capitalised = ask.capitaliseArrears
    ? { principal: unpaid((c) => c.principal), interest: unpaid((c) => c.interest), fees: unpaid((c) => c.fees), penalties: unpaid((c) => c.penalties) }
    : { principal: 0n, interest: 0n, fees: 0n, penalties: 0n };
  const b = state.balances;
  const principalMinor = ask.capitaliseArrears ? b.principalOutstanding + capitalised.interest + capitalised.fees + capitalised.penalties : b.principalOutstanding - b.principalDue;
  if (principalMinor <= 0n) return refuse({ code: 'restructure-nothing-outstanding', pointer: '/params/id', detail: `no principal is left to reschedule after ${ask.effectiveDate}` });
  const kRel = k - (terms.seriesStart ?? 0);
  const current = buildSchedule(terms).installments.filter((i) => i.number > 0);
  const last = current[kRel - 1];
  if (kRel < 1 || last === undefined || formatIsoDate(last.dueDate) !== ask.effectiveDate) {
    return refuse({ code: 'restructure-not-supported', pointer: '/params/id', detail: 'the terms kept for the loan no longer produce its schedule: it cannot be re-amortised' });
  }
  const rate = parseDecimal(ask.annualRatePercent);
  const next: LoanTerms = {
    ...remainingTerms(terms, kRel, principalMinor, last.periodEnd),
    annualRate: { n: rate.n, d: rate.d * 100n },
    termPeriods: ask.installments,
    grace: { moratoriumPeriods: 0, principalPeriods: ask.moratoriumInstallments, interestPeriods: 0 },
    fixedInstallmentMinor: undefined,
    extraFirstInterestMinor: undefined,
  };
  const installments = buildSchedule(next).installments.filter((i) => i.number > 0);
  return { ok: true, value: { principalMinor, capitalised, keptInstallments: k, installments, terms: next } };
}

/** The preview as restructure_proposals.preview stores it (bigints as decimal strings, dates ISO). */
export function previewJson(p: RestructurePreview, termsJson: string) {
  return {
    principal: p.principalMinor.toString(),
    capitalised: { principal: p.capitalised.principal.toString(), interest: p.capitalised.interest.toString(), fees: p.capitalised.fees.toString(), penalties: p.capitalised.penalties.toString() },
    keptInstallments: p.keptInstallments,
    installments: p.installments.map((i) => ({
      number: i.number, dueDate: formatIsoDate(i.dueDate), principal: i.principal.toString(), interest: i.interest.toString(), fees: i.fees.toString(), total: i.total.toString(), balanceAfter: i.balanceAfter.toString(),
    })),
    terms: JSON.parse(termsJson) as unknown,
  };
}
export type StoredPreview = ReturnType<typeof previewJson>;

/** The stored preview's installments back as the engine's rows (for the installments table). */
export function previewInstallments(p: StoredPreview): InstallmentMinor[] {
  return p.installments.map((i) => {
    const dueDate = parseIsoDate(i.dueDate);
    return { number: i.number, dueDate, periodStart: dueDate, periodEnd: dueDate, principal: BigInt(i.principal), interest: BigInt(i.interest), fees: BigInt(i.fees), total: BigInt(i.total), balanceAfter: BigInt(i.balanceAfter), capitalisedInterest: 0n };
  });
}

/**
 * A money event dated on or before an approved restructure's effective date (`date`: the value date it
 * affects from) is refused: the new schedule was built on the loan's position at the end of that day, and
 * such an event would change it (a backdated repayment, the reversal of one, a prepayment, a foreclosure).
 * The operator reverses the restructure's effect by proposing another, or posts the money after it.
 */
export function beforeRestructure(transactions: readonly { kind: string; valueDate: string; id: string }[], date: string, pointer: string): ServicingFailure | undefined {
  const last = latestOf(transactions, 'restructure');
  if (last === undefined || date > last.valueDate) return undefined;
  return failure('before-restructure', pointer, `the loan was restructured effective ${last.valueDate} (transaction ${last.id}): a money event dated on or before it would change the position its new schedule was built on; post it with a later value date`);
}

/**
 * The same rule for a partial prepayment, which re-amortised the schedule from the position on its value date
 * (prepay.ts): a repayment or a reversal of one dated on or before the latest prepayment would change the balance the
 * schedule in force was built from, so it is refused (`before-prepayment`), as before a restructure. A foreclosure
 * (`sameDay: true`) may fall on the prepayment's own day: it pays off what the prepayment left, and nothing is left
 * for the schedule to be built on.
 */
export function beforePrepayment(transactions: readonly { kind: string; valueDate: string; id: string }[], date: string, pointer: string, sameDay = false): ServicingFailure | undefined {
  const last = latestOf(transactions, 'prepayment');
  if (last === undefined || date > last.valueDate || (sameDay && date === last.valueDate)) return undefined;
  return failure('before-prepayment', pointer, `a prepayment on ${last.valueDate} (transaction ${last.id}) re-amortised the schedule from the balance of that day: a money event dated on or before it would change that balance; post it with a later value date`);
}

const latestOf = <T extends { kind: string; valueDate: string }>(transactions: readonly T[], kind: string): T | undefined =>
  transactions.reduce<T | undefined>((m, t) => (t.kind === kind && (m === undefined || t.valueDate > m.valueDate) ? t : m), undefined);
