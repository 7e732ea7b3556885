import { schedule, type ScheduleRequest, type ScheduleResult } from '@lendstack/loan-engine';
import { z } from 'zod';
import type { loanTermsShape } from './loan-terms.js';
import { MAX_AMOUNT_MINOR, type Money } from './money.js';

/** The loan terms as LoanApproved carries them (every default applied). */
export type LoanTermsV1 = z.output<z.ZodObject<typeof loanTermsShape>>;

export type Bookability =
  | { readonly ok: true; readonly schedule: ScheduleResult }
  | { readonly ok: false; readonly path: readonly (string | number)[]; readonly reason: string };

/** The engine's request for these terms: the one mapping the LOS checks with and the LMS books with. */
export function scheduleRequestFor(terms: LoanTermsV1): ScheduleRequest {
  return {
    principal: toMajor(terms.principal),
    currency: terms.principal.currency,
    annualRatePercent: terms.annualRatePercent,
    termPeriods: terms.termPeriods,
    frequency: terms.frequency,
    method: terms.scheduleMethod,
    interestCalculation: terms.interestCalculation,
    dayCount: terms.dayCount,
    disbursementDate: terms.expectedDisbursementDate,
    ...(terms.firstDueDate ? { firstDueDate: terms.firstDueDate } : {}),
    fees: terms.fees.map((fee) => ({ name: fee.name, amount: toMajor(fee.amount), timing: fee.timing })),
  };
}

/** Engine request fields → the loan terms' own field names, so a refusal names what the caller sent. */
const termsPath: Record<string, string> = { disbursementDate: 'expectedDisbursementDate', method: 'scheduleMethod', currency: 'principal' };

/**
 * Whether the LMS can book these terms: the engine computes their schedule, and every amount of it
 * (installments, balances, totals) fits in MAX_AMOUNT_MINOR, the bound the LMS stores. Pure.
 */
export function checkBookable(terms: LoanTermsV1): Bookability {
  let result: ScheduleResult;
  try {
    result = schedule(scheduleRequestFor(terms));
  } catch (error) {
    if (error instanceof z.ZodError) {
      const issue = error.issues[0]!;
      const [head, ...rest] = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const path = head === undefined ? [] : [termsPath[String(head)] ?? head, ...rest];
      return { ok: false, path, reason: issue.message };
    }
    return { ok: false, path: [], reason: `no schedule can be computed: ${(error as Error).message}` };
  }
  const scale = terms.principal.scale;
  const amounts = [...result.installments.flatMap((i) => [i.total, i.balanceAfter]), ...Object.values(result.totals)];
  if (amounts.some((a) => toMinor(a, scale) > MAX_AMOUNT_MINOR)) {
    return { ok: false, path: ['principal', 'amount'], reason: `the schedule's amounts exceed ${MAX_AMOUNT_MINOR} minor units, the most an account can hold` };
  }
  return { ok: true, schedule: result };
}

/** 123450 minor units at scale 2 → "1234.50" (the engine's major-unit decimal string). */
function toMajor(money: Money): string {
  const negative = money.amount.startsWith('-');
  const digits = (negative ? money.amount.slice(1) : money.amount).padStart(money.scale + 1, '0');
  const text = money.scale === 0 ? digits : `${digits.slice(0, -money.scale)}.${digits.slice(-money.scale)}`;
  return negative ? `-${text}` : text;
}

function toMinor(decimal: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = decimal.replace('-', '').split('.');
  const minor = BigInt(whole + fraction.padEnd(scale, '0'));
  return decimal.startsWith('-') ? -minor : minor;
}
