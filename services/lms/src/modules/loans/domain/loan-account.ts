import type { LoanApprovedV1, LoanTermsV1 } from '@lendstack/contracts';

/**
 * A loan account booked from LoanApproved, with its repayment schedule in integer minor units.
 * Invariants (also enforced by table constraints): each installment's total = principal + interest +
 * fees; the principal column sums to the financed amount (principal plus financed fees); the
 * balance ends at exactly zero.
 */
export interface ScheduledInstallment {
  readonly number: number;
  readonly dueDate: string;
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feesMinor: bigint;
  readonly totalMinor: bigint;
  readonly balanceAfterMinor: bigint;
}

export interface LoanAccount {
  readonly id: string;
  readonly tenantId: string;
  readonly applicationId: string;
  readonly borrower: LoanApprovedV1['payload']['borrower'];
  readonly productCode: string;
  readonly principalMinor: bigint;
  readonly currency: string;
  readonly scale: number;
  readonly annualRatePercent: string;
  readonly termPeriods: number;
  readonly frequency: string;
  readonly scheduleMethod: string;
  readonly disbursementDate: string;
  readonly approvedAt: Date;
  readonly approvedBy: string;
  readonly sourceEventId: string;
  readonly collectionsWorkflowId: string;
  readonly installments: readonly ScheduledInstallment[];
  /** The approved loan terms as LoanApproved carried them: servicing re-anchors the schedule with them. */
  readonly terms: LoanTermsV1;
  /** A top-up: the borrower's loan this loan's disbursement pays off first (LoanApproved's loan.topUpOfLoanId). */
  readonly topUpOfLoanId?: string | null;
}

/** One workflow per loan; deriving the id from the loan id makes a second start a no-op. */
export const collectionsWorkflowId = (loanId: string) => `collections-${loanId}`;

/** Rows of a computed schedule, amounts as decimal strings in major units (the engine's wire form). */
export interface ScheduleRows {
  readonly installments: readonly { number: number; dueDate: string; principal: string; interest: string; fees: string; total: string; balanceAfter: string }[];
}

export type BookingResult = { ok: true; account: LoanAccount } | { ok: false; reason: string };

/** Books the account from the event and its computed schedule, refusing a schedule that breaks an invariant. */
export function bookLoanAccount(event: LoanApprovedV1, schedule: ScheduleRows): BookingResult {
  const { loan, borrower } = event.payload;
  const scale = loan.principal.scale;
  const installments = schedule.installments.map((row) => ({
    number: row.number,
    dueDate: row.dueDate,
    principalMinor: decimalToMinor(row.principal, scale),
    interestMinor: decimalToMinor(row.interest, scale),
    feesMinor: decimalToMinor(row.fees, scale),
    totalMinor: decimalToMinor(row.total, scale),
    balanceAfterMinor: decimalToMinor(row.balanceAfter, scale),
  }));
  const principalMinor = BigInt(loan.principal.amount);
  // A financed fee is lent too: the schedule repays principal plus financed fees.
  const financedMinor = loan.fees.filter((f) => f.timing === 'financed').reduce((sum, f) => sum + BigInt(f.amount.amount), principalMinor);
  const principalSum = installments.reduce((sum, i) => sum + i.principalMinor, 0n);
  if (principalSum !== financedMinor) return { ok: false, reason: `schedule principal ${principalSum} differs from the financed amount ${financedMinor}` };
  const last = installments[installments.length - 1];
  if (!last || last.balanceAfterMinor !== 0n) return { ok: false, reason: 'schedule does not end at a zero balance' };
  const broken = installments.find((i) => i.totalMinor !== i.principalMinor + i.interestMinor + i.feesMinor);
  if (broken) return { ok: false, reason: `installment ${broken.number}: total is not the sum of its parts` };
  return {
    ok: true,
    account: {
      id: loan.id,
      tenantId: loan.tenantId,
      applicationId: loan.applicationId,
      borrower,
      productCode: loan.productCode,
      principalMinor,
      currency: loan.principal.currency,
      scale,
      annualRatePercent: loan.annualRatePercent,
      termPeriods: loan.termPeriods,
      frequency: loan.frequency,
      scheduleMethod: loan.scheduleMethod,
      disbursementDate: loan.expectedDisbursementDate,
      approvedAt: new Date(loan.approvedAt),
      approvedBy: loan.approvedBy,
      sourceEventId: event.id,
      collectionsWorkflowId: collectionsWorkflowId(loan.id),
      installments,
      terms: termsOf(loan),
      ...(loan.topUpOfLoanId ? { topUpOfLoanId: loan.topUpOfLoanId } : {}),
    },
  };
}

/** The loan terms inside LoanApproved's loan (the fields of loanTermsShape, nothing else). */
function termsOf(loan: LoanApprovedV1['payload']['loan']): LoanTermsV1 {
  const { productCode, principal, annualRatePercent, termPeriods, frequency, scheduleMethod, interestCalculation, dayCount, expectedDisbursementDate, firstDueDate, fees } = loan;
  return { productCode, principal, annualRatePercent, termPeriods, frequency, scheduleMethod, interestCalculation, dayCount, expectedDisbursementDate, ...(firstDueDate ? { firstDueDate } : {}), fees };
}

/** "1234.5" at scale 2 → 123450n. Exact: the engine never emits more digits than the scale. */
export function decimalToMinor(value: string, scale: number): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new Error(`not a decimal amount: ${value}`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > scale) throw new Error(`${value} has more than ${scale} decimals`);
  const minor = BigInt(whole! + fraction.padEnd(scale, '0'));
  return sign ? -minor : minor;
}

/** 123450n at scale 2 → "1234.50". */
export function minorToDecimal(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : digits.slice(0, -scale);
  const text = scale === 0 ? whole : `${whole}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
