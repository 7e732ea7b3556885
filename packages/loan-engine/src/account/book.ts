// The account's mutable working state (one per fold) and its JSON snapshot.
// Per-installment figures are parallel arrays indexed like the schedule, mutated in place, so a
// quiet day touches a handful of scalars and never copies the installment list.
import type { DayNumber } from '../dates/local-date.js';
import type { AccountSnapshot, AccountStatus, AccrualStatus, ForeclosureOutcome, RbiClass, WriteOffOutcome } from './types.js';

const MONEY = [
  'disbursed',
  'principalPaid',
  'principalWrittenOff',
  'recovered',
  'excess',
  'interestReceivable',
  'interestSuspended',
  'feesReceivable',
  'penaltiesReceivable',
  'penaltiesSuspended',
  'accruedInPeriod',
  'dueP',
  'dueI',
  'dueF',
  'paidI',
  'paidF',
  'penCharged',
  'penPaid',
] as const;
export type MoneyKey = (typeof MONEY)[number];

const INSTALLMENT_MONEY = ['paidP', 'paidI', 'paidF', 'pen', 'penPaid', 'lateFee', 'penalCum'] as const;
type InstallmentMoneyKey = (typeof INSTALLMENT_MONEY)[number];
const INSTALLMENT_DAYS = ['overdueOn', 'paidOn'] as const;
type InstallmentDayKey = (typeof INSTALLMENT_DAYS)[number];

/** Marks "no day" in the per-installment day arrays (kept as plain numbers for speed). */
export const NO_DAY = -1e9;

export class Book {
  asOf: DayNumber | null = null;
  status: AccountStatus = 'pending-disbursement';
  accrual: AccrualStatus = 'accruing';
  firstDisbursementDate: DayNumber | null = null;
  closedOn: DayNumber | null = null;
  chargedOffOn: DayNumber | null = null;
  /** Installments with dueDate ≤ asOf. */
  dueCount = 0;
  /** First installment with scheduled principal, interest or fees unpaid. */
  oldestUnpaid = 0;
  /** First installment not fully paid (penalties included). */
  oldestUnsettled = 0;
  dpd = 0;
  anchor: DayNumber | null = null;
  bucket = 0;
  rbi: RbiClass = 'standard';
  npaSince: DayNumber | null = null;
  /** The last foreclosure applied (immutable value: shared by clones). */
  foreclosure: ForeclosureOutcome | null = null;
  /** The write-off event that charged the account off (immutable value: shared by clones). */
  writeOff: WriteOffOutcome | null = null;
  /** Principal a restructure moved onto its new schedule (rescheduled + capitalised; restructure.ts). */
  capitalised = 0n;
  readonly m: Record<MoneyKey, bigint>;
  readonly paidP: bigint[];
  readonly paidI: bigint[];
  readonly paidF: bigint[];
  /** Penalties charged to the installment: late fee + penal interest. */
  readonly pen: bigint[];
  readonly penPaid: bigint[];
  readonly lateFee: bigint[];
  /** Exact cumulative penal interest numerator (÷ rate denominator × 365). */
  readonly penalCum: bigint[];
  readonly overdueOn: number[];
  readonly paidOn: number[];

  constructor(readonly size: number) {
    this.m = Object.fromEntries(MONEY.map((k) => [k, 0n])) as Record<MoneyKey, bigint>;
    const zeros = (): bigint[] => new Array<bigint>(size).fill(0n);
    this.paidP = zeros();
    this.paidI = zeros();
    this.paidF = zeros();
    this.pen = zeros();
    this.penPaid = zeros();
    this.lateFee = zeros();
    this.penalCum = zeros();
    this.overdueOn = new Array<number>(size).fill(NO_DAY);
    this.paidOn = new Array<number>(size).fill(NO_DAY);
  }

  principalOutstanding(): bigint {
    return this.m.disbursed + this.capitalised - this.m.principalPaid - this.m.principalWrittenOff;
  }

  /** An independent copy (a checkpoint): folding one never changes the other. */
  clone(): Book {
    const b = new Book(this.size);
    b.asOf = this.asOf;
    b.status = this.status;
    b.accrual = this.accrual;
    b.firstDisbursementDate = this.firstDisbursementDate;
    b.closedOn = this.closedOn;
    b.chargedOffOn = this.chargedOffOn;
    b.dueCount = this.dueCount;
    b.oldestUnpaid = this.oldestUnpaid;
    b.oldestUnsettled = this.oldestUnsettled;
    b.dpd = this.dpd;
    b.anchor = this.anchor;
    b.bucket = this.bucket;
    b.rbi = this.rbi;
    b.npaSince = this.npaSince;
    b.foreclosure = this.foreclosure;
    b.writeOff = this.writeOff;
    b.capitalised = this.capitalised;
    for (const k of MONEY) b.m[k] = this.m[k];
    for (const k of INSTALLMENT_MONEY) copyArray(b[k], this[k]);
    for (const k of INSTALLMENT_DAYS) copyArray(b[k], this[k]);
    return b;
  }

  toSnapshot(): AccountSnapshot {
    const scalars: Record<string, string | number | null> = {
      status: this.status,
      accrual: this.accrual,
      firstDisbursementDate: this.firstDisbursementDate,
      closedOn: this.closedOn,
      chargedOffOn: this.chargedOffOn,
      dueCount: this.dueCount,
      oldestUnpaid: this.oldestUnpaid,
      oldestUnsettled: this.oldestUnsettled,
      dpd: this.dpd,
      anchor: this.anchor,
      bucket: this.bucket,
      rbi: this.rbi,
      npaSince: this.npaSince,
    };
    const f = this.foreclosure;
    // Only when there is one: snapshots of loans never foreclosed stay as they were.
    if (f !== null) Object.assign(scalars, { foreclosureId: f.id, foreclosureOn: f.date, foreclosureAmount: f.amountMinor.toString(), foreclosurePayoff: f.payoffMinor.toString(), foreclosureOutcome: f.outcome });
    const w = this.writeOff;
    // Likewise only when a write-off charged the account off.
    if (w !== null) Object.assign(scalars, { writeOffId: w.id, writeOffOn: w.date, writeOffAccelerated: w.accelerated ? 1 : 0, writeOffAcceleratedPrincipal: w.acceleratedPrincipalMinor.toString() });
    // Only once a restructure capitalised: other snapshots stay as they were.
    if (this.capitalised !== 0n) scalars.capitalised = this.capitalised.toString();
    for (const k of MONEY) scalars[k] = this.m[k].toString();
    const installments: Record<string, readonly (string | number)[]> = {};
    for (const k of INSTALLMENT_MONEY) installments[k] = this[k].map(String);
    for (const k of INSTALLMENT_DAYS) installments[k] = [...this[k]];
    return { version: 1, asOf: this.asOf, scalars, installments };
  }

  /** undefined when the snapshot is not one of ours or was taken for another schedule length. */
  static fromSnapshot(s: AccountSnapshot, size: number): Book | undefined {
    if (s.version !== 1 || !sizesMatch(s, size)) return undefined;
    const b = new Book(size);
    const v = s.scalars;
    b.asOf = s.asOf;
    b.status = v.status as AccountStatus;
    b.accrual = v.accrual as AccrualStatus;
    b.firstDisbursementDate = v.firstDisbursementDate as number | null;
    b.closedOn = v.closedOn as number | null;
    b.chargedOffOn = v.chargedOffOn as number | null;
    b.dueCount = v.dueCount as number;
    b.oldestUnpaid = v.oldestUnpaid as number;
    b.oldestUnsettled = v.oldestUnsettled as number;
    b.dpd = v.dpd as number;
    b.anchor = v.anchor as number | null;
    b.bucket = v.bucket as number;
    b.rbi = v.rbi as RbiClass;
    b.npaSince = v.npaSince as number | null;
    if (typeof v.foreclosureId === 'string') {
      b.foreclosure = {
        id: v.foreclosureId,
        date: v.foreclosureOn as number,
        amountMinor: BigInt(v.foreclosureAmount as string),
        payoffMinor: BigInt(v.foreclosurePayoff as string),
        outcome: v.foreclosureOutcome as ForeclosureOutcome['outcome'],
      };
    }
    if (typeof v.writeOffId === 'string') {
      b.writeOff = { id: v.writeOffId, date: v.writeOffOn as number, accelerated: v.writeOffAccelerated === 1, acceleratedPrincipalMinor: BigInt(v.writeOffAcceleratedPrincipal as string) };
    }
    if (typeof v.capitalised === 'string') b.capitalised = BigInt(v.capitalised);
    for (const k of MONEY) b.m[k] = BigInt(v[k] as string);
    for (const k of INSTALLMENT_MONEY) copyInto(b[k], s.installments[k] ?? [], BigInt);
    for (const k of INSTALLMENT_DAYS) copyInto(b[k], s.installments[k] ?? [], Number);
    return b;
  }
}

function sizesMatch(s: AccountSnapshot, size: number): boolean {
  const keys: readonly (InstallmentMoneyKey | InstallmentDayKey)[] = [...INSTALLMENT_MONEY, ...INSTALLMENT_DAYS];
  return keys.every((k) => s.installments[k]?.length === size) && MONEY.every((k) => typeof s.scalars[k] === 'string');
}

function copyArray<T>(target: T[], source: readonly T[]): void {
  for (let i = 0; i < target.length; i += 1) target[i] = source[i] as T;
}

function copyInto<T>(target: T[], source: readonly (string | number)[], convert: (x: string | number) => T): void {
  for (let i = 0; i < target.length; i += 1) target[i] = convert(source[i] as string | number);
}
