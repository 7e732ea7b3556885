// The servicing core in the engine's terms: rows → engine input, engine state → stored JSON, ids.
import { createHash } from 'node:crypto';
import {
  formatIsoDate,
  parseIsoDate,
  type AccountProduct,
  type AccountState,
  type DayNumber,
  type DelinquencyPoint,
  type MoneyEvent,
  type PaymentAllocation,
  type ScheduledInstallment,
} from '@lendstack/loan-engine';

export type TransactionKind = 'disbursement' | 'repayment' | 'reversal' | 'foreclosure' | 'prepayment' | 'restructure' | 'write-off' | 're-age';
export type TransactionStatus = 'pending' | 'confirmed' | 'failed' | 'posted';

/** One row of loan_transactions. */
export interface LoanTransaction {
  readonly id: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly kind: TransactionKind;
  readonly valueDate: string;
  readonly amountMinor: bigint | null;
  readonly currency: string;
  readonly scale: number;
  readonly channel: string | null;
  readonly reference: string | null;
  readonly targetId: string | null;
  readonly reason: string | null;
  readonly status: TransactionStatus;
  readonly failureReason: string | null;
  /** Null in lists read for a replay (transactionsOf without allocations); allocationDigest is always read. */
  readonly allocation: StoredAllocation | null;
  /** md5 of the allocation JSON as written (allocationDigest), null before a replay has written one. */
  readonly allocationDigest: string | null;
  readonly requestHash: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly seq: bigint;
}

/**
 * The rules a loan is serviced with when it was booked without a product of its tenant (product
 * version null): the loan engine's defaults — penalties → fees → interest → principal, no grace, no
 * late fee or penal interest, non-accrual at 90 and charge-off at 120 DPD, the US buckets.
 */
export const DEFAULT_ACCOUNT_PRODUCT: AccountProduct = { strategy: 'penalties-fees-interest-principal', graceDays: 0 };

/** The `reference` of a write-off that accelerates maturity (else `keep-maturity`). */
export const WRITE_OFF_ACCELERATE = 'accelerate';

/** The money events the engine replays: confirmed disbursements and every posted repayment, prepayment, foreclosure and reversal. */
export function engineEvents(rows: readonly LoanTransaction[]): MoneyEvent[] {
  return rows.flatMap((t): MoneyEvent[] => {
    const valueDate = parseIsoDate(t.valueDate);
    // A restructure's reason is capitalise | keep-arrears (restructure.ts); its amount is the new principal.
    if (t.kind === 'restructure') return [{ kind: 'restructure', id: t.id, valueDate, capitaliseArrears: t.reason === 'capitalise' }];
    if (t.kind === 'disbursement') return t.status === 'confirmed' ? [{ kind: 'disbursement', id: t.id, valueDate, amountMinor: t.amountMinor! }] : [];
    if (t.kind === 'repayment') return [{ kind: 'repayment', id: t.id, valueDate, amountMinor: t.amountMinor! }];
    // A top-up's foreclosure (channel top-up) is paid from the new loan's disbursement (top-up.ts).
    if (t.kind === 'foreclosure') return [{ kind: 'foreclosure', id: t.id, valueDate, amountMinor: t.amountMinor!, ...(t.channel === 'top-up' ? { fundedBy: 'top-up' as const } : {}) }];
    if (t.kind === 'prepayment') return [{ kind: 'prepayment', id: t.id, valueDate, amountMinor: t.amountMinor! }];
    // A write-off's reference is its maturity option (write-off.ts).
    if (t.kind === 'write-off') return [{ kind: 'write-off', id: t.id, valueDate, accelerate: t.reference === WRITE_OFF_ACCELERATE }];
    if (t.kind === 're-age') return [{ kind: 're-age', id: t.id, valueDate }];
    return [{ kind: 'reversal', id: t.id, targetId: t.targetId!, valueDate }];
  });
}

export function engineSchedule(rows: readonly { number: number; dueDate: string; principalMinor: bigint; interestMinor: bigint; feesMinor: bigint }[]): ScheduledInstallment[] {
  return rows.map((r) => ({ number: r.number, dueDate: parseIsoDate(r.dueDate), principalMinor: r.principalMinor, interestMinor: r.interestMinor, feesMinor: r.feesMinor }));
}

const iso = (d: DayNumber | null): string | null => (d === null ? null : formatIsoDate(d));
const strings = <K extends string>(o: Readonly<Record<K, bigint>>): Record<K, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, (v as bigint).toString()])) as Record<K, string>;

/** AccountState as stored in loan_servicing.state: bigints as decimal strings, days as YYYY-MM-DD. */
export function stateJson(s: AccountState) {
  return {
    asOf: iso(s.asOf),
    status: s.status,
    accrualStatus: s.accrualStatus,
    firstDisbursementDate: iso(s.firstDisbursementDate),
    closedOn: iso(s.closedOn),
    chargedOffOn: iso(s.chargedOffOn),
    balances: strings(s.balances),
    delinquency: { ...s.delinquency, oldestUnpaidDueDate: iso(s.delinquency.oldestUnpaidDueDate), npaSince: iso(s.delinquency.npaSince) },
    installments: s.installments.map((i) => ({
      number: i.number,
      dueDate: formatIsoDate(i.dueDate),
      status: i.status,
      charged: strings(i.charged),
      paid: strings(i.paid),
      lateFee: i.lateFeeMinor.toString(),
      overdueSince: iso(i.overdueSince),
      paidOn: iso(i.paidOn),
    })),
    // Only once a foreclosure took effect: whether it closed the loan or fell short of a later payoff.
    ...(s.foreclosure === undefined ? {} : {
      foreclosure: {
        transactionId: s.foreclosure.id, valueDate: formatIsoDate(s.foreclosure.date), amount: s.foreclosure.amountMinor.toString(),
        payoff: s.foreclosure.payoffMinor.toString(), outcome: s.foreclosure.outcome,
      },
    }),
    // Only when a write-off charged the loan off (not its charge-off DPD).
    ...(s.writeOff === undefined ? {} : {
      writeOff: {
        transactionId: s.writeOff.id, valueDate: formatIsoDate(s.writeOff.date), accelerated: s.writeOff.accelerated, acceleratedPrincipal: s.writeOff.acceleratedPrincipalMinor.toString(),
      },
    }),
  };
}
export type StoredState = ReturnType<typeof stateJson>;

/**
 * How a repayment was split, as loan_transactions.allocation stores it. A foreclosure's or prepayment's adds the prepayment
 * charge and the excess held that it used (only there, so other allocations and their digests are unchanged).
 */
export function allocationJson(a: PaymentAllocation) {
  const foreclosure = a.kind === 'foreclosure' || a.kind === 'prepayment'
    ? { prepaymentCharge: (a.prepaymentChargeMinor ?? 0n).toString(), excessUsed: (a.excessUsedMinor ?? 0n).toString() }
    : {};
  return {
    date: formatIsoDate(a.date),
    kind: a.kind,
    amount: a.amountMinor.toString(),
    principal: a.byComponent.principal.toString(),
    interest: a.byComponent.interest.toString(),
    fees: a.byComponent.fees.toString(),
    penalties: a.byComponent.penalties.toString(),
    excess: a.excessMinor.toString(),
    recovery: a.recoveryMinor.toString(),
    installments: a.installments.map((l) => ({ number: l.installment, principal: l.principal.toString(), interest: l.interest.toString(), fees: l.fees.toString(), penalties: l.penalties.toString() })),
    ...foreclosure,
  };
}
export type StoredAllocation = ReturnType<typeof allocationJson> & { readonly prepaymentCharge?: string; readonly excessUsed?: string };

/** A stored allocation back as the engine's, for the repayment `source` (inverse of allocationJson). */
export function allocationFromStored(source: string, a: StoredAllocation): PaymentAllocation {
  const n = (v: string) => BigInt(v);
  return {
    source,
    date: parseIsoDate(a.date),
    kind: a.kind,
    amountMinor: n(a.amount),
    byComponent: { principal: n(a.principal), interest: n(a.interest), fees: n(a.fees), penalties: n(a.penalties) },
    installments: a.installments.map((l) => ({ installment: l.number, principal: n(l.principal), interest: n(l.interest), fees: n(l.fees), penalties: n(l.penalties) })),
    excessMinor: n(a.excess),
    recoveryMinor: n(a.recovery),
    ...(a.kind === 'foreclosure' || a.kind === 'prepayment' ? { prepaymentChargeMinor: n(a.prepaymentCharge ?? '0'), excessUsedMinor: n(a.excessUsed ?? '0') } : {}),
  };
}

/**
 * The repayments a replay split differently from what was published: those with a stored digest (written,
 * with their RepaymentReceived, when they took effect) that the new allocation's digest does not match.
 * `except` holds the transactions the replay announces itself (the new repayment: RepaymentReceived).
 * A repayment the replay no longer allocates (the reversed one) is not here: TransactionReversed says so.
 * Nor is a foreclosure (announced by LoanClosed or LoanReopened) or a prepayment (PrepaymentApplied): not repayment splits.
 */
export function reallocatedRepayments(allocations: readonly PaymentAllocation[], storedDigests: ReadonlyMap<string, string | null>, except: ReadonlySet<string>): PaymentAllocation[] {
  return allocations.filter((a) => {
    if (a.kind === 'excess-applied' || a.kind === 'foreclosure' || a.kind === 'prepayment' || except.has(a.source)) return false;
    const stored = storedDigests.get(a.source);
    return stored !== undefined && stored !== null && stored !== allocationDigest(a).digest;
  });
}

/**
 * The stored allocation's JSON text and its md5 (what loan_transactions.allocation_digest holds),
 * computed once per allocation object (a replay asks for each several times).
 */
export function allocationDigest(a: PaymentAllocation): { json: string; digest: string } {
  const known = digests.get(a);
  if (known) return known;
  const json = JSON.stringify(allocationJson(a));
  const computed = { json, digest: createHash('md5').update(json).digest('hex') };
  digests.set(a, computed);
  return computed;
}

const digests = new WeakMap<PaymentAllocation, { json: string; digest: string }>();

/**
 * Gives `next` the digest already computed for `previous` (an earlier replay's split of the same
 * repayment) when the two are equal in every field, so an unchanged split is not serialised and hashed
 * again. True when it carried.
 */
export function carryAllocationDigest(previous: PaymentAllocation, next: PaymentAllocation): boolean {
  const known = digests.get(previous);
  if (known === undefined || digests.has(next) || !samePlainData(previous, next)) return false;
  digests.set(next, known);
  return true;
}

/** Deep equality of plain engine data (objects, arrays, bigints, numbers, strings, booleans, null, undefined). */
function samePlainData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!samePlainData(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!samePlainData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** A delinquency change point as a delinquency_history row. */
export function historyRow(p: DelinquencyPoint) {
  return { fromDate: formatIsoDate(p.date), dpd: p.dpd, dpdAnchor: iso(p.oldestUnpaidDueDate), usBucket: p.usBucket, rbiClass: p.rbiClass, npaSince: iso(p.npaSince) };
}
export type HistoryRow = ReturnType<typeof historyRow>;

/** SHA-256 of a request (its route, target and body): the same key with another request is refused. */
export function requestHash(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** A UUID (v5 layout) derived from its name, so the same fact always gets the same id. */
export function derivedId(name: string): string {
  const h = createHash('sha256').update(`lendstack-lms:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export const maxDate = (a: string, b: string | null): string => (b !== null && b > a ? b : a);
