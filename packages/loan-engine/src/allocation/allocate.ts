import type { DayNumber } from '../dates/local-date.js';

export type Component = 'penalties' | 'fees' | 'interest' | 'principal';
export type Bucket = 'overdue' | 'due' | 'advance';

export const COMPONENTS: readonly Component[] = ['penalties', 'fees', 'interest', 'principal'];
export const BUCKETS: readonly Bucket[] = ['overdue', 'due', 'advance'];

/** What is still owed on one installment, per component, in minor units. */
export interface OutstandingInstallment {
  readonly number: number;
  readonly dueDate: DayNumber;
  readonly penalties: bigint;
  readonly fees: bigint;
  readonly interest: bigint;
  readonly principal: bigint;
}

/**
 * An allocation order. Buckets are taken in `bucketOrder`; inside a bucket, 'installment'
 * grouping settles each installment (oldest first) component by component before the next
 * ("horizontal"), 'component' grouping settles one component across all of the bucket's
 * installments before the next component ("vertical").
 */
export interface AllocationStrategy {
  /** Ignored when `byDueDateOnly` is set. */
  readonly bucketOrder: readonly Bucket[];
  /** Treat every installment as one date-ordered bucket (future ones only for 'advance' overpayment). */
  readonly byDueDateOnly?: boolean;
  readonly componentOrder: readonly Component[];
  readonly grouping: 'installment' | 'component';
}

const PFIP = ['penalties', 'fees', 'interest', 'principal'] as const;
const IPPF = ['interest', 'principal', 'penalties', 'fees'] as const;
const IPFP = ['interest', 'principal', 'fees', 'penalties'] as const;

export const NAMED_STRATEGIES = {
  /** Installment by installment, oldest first: penalties, fees, interest, then principal. */
  'penalties-fees-interest-principal': { bucketOrder: BUCKETS, componentOrder: PFIP, grouping: 'installment' },
  /** Installment by installment, oldest first: interest, principal, then penalties and fees. */
  'interest-principal-penalties-fees': { bucketOrder: BUCKETS, componentOrder: IPPF, grouping: 'installment' },
  /** Every overdue component across all overdue installments before anything due or future. */
  'overdue-first': { bucketOrder: BUCKETS, componentOrder: PFIP, grouping: 'component' },
  /** Strictly by due date, whatever the bucket: the oldest installment is settled in full first. */
  'oldest-first': { bucketOrder: BUCKETS, byDueDateOnly: true, componentOrder: PFIP, grouping: 'installment' },
  /** All due (overdue and due) installments as one group: interest of all, then principal oldest first, then fees, penalties. */
  'interest-principal-across-due': { bucketOrder: BUCKETS, byDueDateOnly: true, componentOrder: IPFP, grouping: 'component' },
} as const satisfies Record<string, AllocationStrategy>;

export type StrategyName = keyof typeof NAMED_STRATEGIES;

export interface InstallmentAllocation {
  readonly number: number;
  readonly penalties: bigint;
  readonly fees: bigint;
  readonly interest: bigint;
  readonly principal: bigint;
  readonly total: bigint;
}

export interface AllocationResult {
  readonly installments: readonly InstallmentAllocation[];
  readonly byComponent: Readonly<Record<Component, bigint>>;
  /** Part of the payment applied to installments not yet due. */
  readonly advance: bigint;
  /** What is left after everything allowed was paid: a credit balance for the borrower. */
  readonly creditBalance: bigint;
}

export interface AllocationInput {
  readonly paymentMinor: bigint;
  readonly paymentDate: DayNumber;
  readonly installments: readonly OutstandingInstallment[];
  readonly strategy: AllocationStrategy;
  /** 'advance' pays future installments with any excess; 'credit' keeps it as a credit balance. */
  readonly overpayment: 'advance' | 'credit';
}

/**
 * Splits a payment over installments and components. Conserves the payment exactly:
 * Σ allocations + creditBalance = payment, and no component is paid beyond what is owed.
 */
export function allocatePayment(input: AllocationInput): AllocationResult {
  if (input.paymentMinor < 0n) throw new RangeError('payment must not be negative');
  const sorted = [...input.installments].sort((a, b) => a.dueDate - b.dueDate || a.number - b.number);
  const paid = new Map<number, Record<Component, bigint>>();
  for (const i of sorted) paid.set(i.number, { penalties: 0n, fees: 0n, interest: 0n, principal: 0n });
  if (paid.size !== sorted.length) throw new RangeError('installment numbers must be unique');
  let remaining = input.paymentMinor;
  const pay = (inst: OutstandingInstallment, c: Component): void => {
    const slot = paid.get(inst.number) as Record<Component, bigint>;
    const take = minBig(remaining, inst[c] - slot[c]);
    slot[c] += take;
    remaining -= take;
  };
  for (const [, group] of bucketsInOrder(sorted, input)) {
    if (input.strategy.grouping === 'installment') {
      for (const inst of group) for (const c of input.strategy.componentOrder) pay(inst, c);
    } else {
      for (const c of input.strategy.componentOrder) for (const inst of group) pay(inst, c);
    }
  }
  return summarise(sorted, paid, remaining, input.paymentDate);
}

function bucketsInOrder(sorted: readonly OutstandingInstallment[], input: AllocationInput): [Bucket, OutstandingInstallment[]][] {
  const d = input.paymentDate;
  const bucketOf = (i: OutstandingInstallment): Bucket => (i.dueDate < d ? 'overdue' : i.dueDate === d ? 'due' : 'advance');
  const allowed = (b: Bucket): boolean => b !== 'advance' || input.overpayment === 'advance';
  if (input.strategy.byDueDateOnly) return [['overdue', sorted.filter((i) => allowed(bucketOf(i)))]];
  return input.strategy.bucketOrder.filter(allowed).map((b) => [b, sorted.filter((i) => bucketOf(i) === b)]);
}

function summarise(
  sorted: readonly OutstandingInstallment[],
  paid: Map<number, Record<Component, bigint>>,
  remaining: bigint,
  paymentDate: DayNumber,
): AllocationResult {
  const byComponent: Record<Component, bigint> = { penalties: 0n, fees: 0n, interest: 0n, principal: 0n };
  let advance = 0n;
  const installments: InstallmentAllocation[] = [];
  for (const inst of sorted) {
    const p = paid.get(inst.number) as Record<Component, bigint>;
    const total = p.penalties + p.fees + p.interest + p.principal;
    for (const c of COMPONENTS) byComponent[c] += p[c];
    if (inst.dueDate > paymentDate) advance += total;
    if (total > 0n) installments.push({ number: inst.number, ...p, total });
  }
  return { installments, byComponent, advance, creditBalance: remaining };
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
