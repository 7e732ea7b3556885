// Re-aging limits (the product rule): the US Uniform Retail Credit Classification and Account Management
// Policy (65 FR 36903) states them for open-end accounts; the LMS applies them to every loan it re-ages.
import type { InstallmentState } from '@lendstack/loan-engine';
import type { LoanTransaction } from './servicing.js';

/** YYYY-MM-DD plus `months` (negative: minus), the day clamped to the month's last. */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export type ReAgeRule = 're-age-account-age' | 're-age-payments' | 're-age-limit';

/** The rule a re-age on `valueDate` breaks, if any, with why. */
export function reAgeRuleBroken(input: {
  readonly valueDate: string;
  readonly firstDisbursementDate: string;
  /** Every transaction of the loan. */
  readonly transactions: readonly LoanTransaction[];
  /** The minimum monthly payment: the smallest installment total of the schedule. */
  readonly minimumPaymentMinor: bigint;
}): { rule: ReAgeRule; detail: string } | undefined {
  const { valueDate: vd, transactions } = input;
  if (addMonths(input.firstDisbursementDate, 9) > vd) {
    return { rule: 're-age-account-age', detail: `the account must be at least 9 months old: disbursed ${input.firstDisbursementDate}, not before ${addMonths(input.firstDisbursementDate, 9)}` };
  }
  const reversed = new Set(transactions.filter((t) => t.kind === 'reversal').map((t) => t.targetId));
  const live = transactions.filter((t) => !reversed.has(t.id));
  for (let k = 0; k < 3; k += 1) {
    const [from, to] = [addMonths(vd, -(k + 1)), addMonths(vd, -k)];
    const paid = live.filter((t) => t.kind === 'repayment' && t.valueDate > from && t.valueDate <= to).reduce((s, t) => s + (t.amountMinor ?? 0n), 0n);
    if (paid < input.minimumPaymentMinor) {
      return { rule: 're-age-payments', detail: `3 consecutive minimum monthly payments (${input.minimumPaymentMinor} minor units each) are required: ${paid} paid after ${from} through ${to}` };
    }
  }
  const reAges = live.filter((t) => t.kind === 're-age');
  const lastYear = reAges.filter((t) => t.valueDate > addMonths(vd, -12));
  if (lastYear.length > 0) return { rule: 're-age-limit', detail: `at most once in 12 months: re-aged on ${lastYear[0]!.valueDate}` };
  const fiveYears = reAges.filter((t) => t.valueDate > addMonths(vd, -60));
  if (fiveYears.length >= 2) return { rule: 're-age-limit', detail: `at most twice in 5 years: re-aged on ${fiveYears.map((t) => t.valueDate).join(' and ')}` };
  return undefined;
}

/** The arrears of each installment due and not paid (principal, interest, fees), oldest first. */
export function arrearsOf(installments: readonly InstallmentState[]): { number: number; principal: bigint; interest: bigint; fees: bigint }[] {
  return installments
    .filter((i) => i.status === 'due' || i.status === 'overdue')
    .map((i) => ({ number: i.number, principal: i.charged.principal - i.paid.principal, interest: i.charged.interest - i.paid.interest, fees: i.charged.fees - i.paid.fees }))
    .filter((a) => a.principal + a.interest + a.fees > 0n);
}
