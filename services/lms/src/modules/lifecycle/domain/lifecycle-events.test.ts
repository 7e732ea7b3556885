import { parseEvent } from '@lendstack/contracts';
import {
  advanceAccount,
  parseIsoDate as d,
  replayAccount,
  type AccountInput,
  type AccountProduct,
  type AccountResult,
  type MoneyEvent,
  type ScheduledInstallment,
} from '@lendstack/loan-engine';
import { describe, expect, it } from 'vitest';
import {
  findRepaymentAllocation,
  lifecycleEventId,
  loanDisbursedEnvelope,
  repaymentReallocatedEnvelope,
  repaymentReceivedEnvelope,
  toLifecycleEnvelopes,
  transactionReversedEnvelope,
  type LifecycleContext,
  type LifecycleEnvelope,
} from './lifecycle-events.js';

// 3,000.00 at 1 % a month over 3 months (EMI 1,020.07, last 1,020.06); late fee 25.00 after 5 days' grace.
const schedule: ScheduledInstallment[] = [
  { number: 1, dueDate: d('2027-02-01'), principalMinor: 99_007n, interestMinor: 3_000n, feesMinor: 0n },
  { number: 2, dueDate: d('2027-03-01'), principalMinor: 99_997n, interestMinor: 2_010n, feesMinor: 0n },
  { number: 3, dueDate: d('2027-04-01'), principalMinor: 100_996n, interestMinor: 1_010n, feesMinor: 0n },
];
const product: AccountProduct = { strategy: 'penalties-fees-interest-principal', graceDays: 5, lateFee: { kind: 'flat', amountMinor: 2_500n }, penalAnnualPercent: '36.5' };
const disbursement = { kind: 'disbursement', id: 'd1', valueDate: d('2027-01-01'), amountMinor: 300_000n } as const;
const paid = (id: string, date: string, amountMinor: bigint): MoneyEvent => ({ kind: 'repayment', id, valueDate: d(date), amountMinor });

const ctx: LifecycleContext = {
  tenantId: 'demo',
  loanId: 'loan-7',
  currency: 'INR',
  scale: 2,
  correlationId: 'eod-2027-08-15',
  occurredAt: '2027-08-15T18:30:00.000Z',
};

function replay(events: readonly MoneyEvent[], businessDate: string): AccountResult {
  const input: AccountInput = { schedule, product, events: [disbursement, ...events], businessDate: d(businessDate) };
  const result = replayAccount(input);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

const map = (r: AccountResult, extra: Partial<LifecycleContext> = {}) =>
  toLifecycleEnvelopes({ ...ctx, ...extra, events: r.events, state: r.state, delinquencyHistory: r.delinquencyHistory });

// One payment covers installment 1 (with excess), then nothing: overdue, buckets, non-accrual, charge-off; a recovery.
const defaulted = replay([paid('p1', '2027-02-01', 110_000n), paid('p9', '2027-08-10', 50_000n)], '2027-08-15');
// Every installment paid on its due date: closed on the last one.
const repaid = replay([paid('p1', '2027-02-01', 102_007n), paid('p2', '2027-03-01', 102_007n), paid('p3', '2027-04-01', 102_006n)], '2027-04-30');

describe('toLifecycleEnvelopes', () => {
  it('maps every kind of engine lifecycle event to an envelope its own contract accepts', () => {
    const envelopes = [...map(defaulted), ...map(repaid)];
    expect(new Set(envelopes.map((e) => e.type))).toEqual(
      new Set(['InstallmentDue', 'InstallmentOverdue', 'InstallmentPaid', 'DelinquencyChanged', 'AccrualStatusChanged', 'LoanChargedOff', 'LoanClosed']),
    );
    for (const envelope of envelopes) {
      expect(parseEvent(JSON.stringify(envelope))).toEqual({ ok: true, event: envelope });
      expect(envelope).toMatchObject({ subject: 'loan-7', tenantId: 'demo', source: 'lendstack.lms', version: 1, payload: { loanId: 'loan-7' } });
    }
  });

  it('keeps the engine order and key, one envelope per event, dated on the event day', () => {
    const envelopes = map(defaulted);
    expect(envelopes.map((e) => (e.payload as { eventKey: string }).eventKey)).toEqual(defaulted.events.map((e) => e.key));
    expect(envelopes[0]).toMatchObject({ type: 'InstallmentDue', payload: { installmentNumber: 1, dueDate: '2027-02-01', businessDate: '2027-02-01' } });
  });

  it('derives each id from (loan id, engine key): the same run twice gives the same envelopes, another loan other ids', () => {
    const [first, second] = [map(defaulted), map(defaulted)];
    expect(second).toEqual(first);
    expect(new Set(first.map((e) => e.id)).size).toBe(first.length);
    first.forEach((e, i) => expect(e.id).toBe(lifecycleEventId('loan-7', defaulted.events[i]!.key)));
    const other = map(defaulted, { loanId: 'loan-8' });
    expect(other.some((e) => first.some((f) => f.id === e.id))).toBe(false);
    expect(map(defaulted, { newId: (key) => lifecycleEventId('x', key) })[0]!.id).toBe(lifecycleEventId('x', 'installment-due:1'));
  });

  it('gives the same envelopes for a replay as for end of day advancing from an earlier snapshot', () => {
    const early = replay([paid('p1', '2027-02-01', 110_000n)], '2027-04-20');
    const advanced = advanceAccount(early.snapshot, { schedule, product, events: [paid('p9', '2027-08-10', 50_000n)] }, d('2027-08-15'));
    if (!advanced.ok) throw new Error(JSON.stringify(advanced.error));
    const stepwise = [
      ...map(early),
      ...toLifecycleEnvelopes({
        ...ctx,
        events: advanced.value.events,
        state: advanced.value.state,
        delinquencyHistory: advanced.value.delinquencyHistory,
        delinquencyBefore: early.state.delinquency,
      }),
    ];
    // Installment amounts come from the state, so compare with what a replay maps (scheduled amounts do not change).
    expect(stepwise).toEqual(map(defaulted));
  });

  it('says what the classification was the day before each change', () => {
    const changes = map(defaulted).filter((e): e is Extract<LifecycleEnvelope, { type: 'DelinquencyChanged' }> => e.type === 'DelinquencyChanged');
    expect(changes[0]!.payload).toMatchObject({ businessDate: '2027-03-02', dpd: 1, usBucket: 'current', rbiClass: 'SMA-0', previous: { dpd: 0, usBucket: 'current', rbiClass: 'standard' }, oldestUnpaidDueDate: '2027-03-01' });
    expect(changes[1]!.payload).toMatchObject({ businessDate: '2027-03-07', dpd: 6, usBucket: '1-29', previous: { dpd: 5, usBucket: 'current', rbiClass: 'SMA-0' } });
    for (const [before, after] of changes.slice(0, -1).map((c, i) => [c, changes[i + 1]!] as const)) {
      expect({ usBucket: after.payload.previous.usBucket, rbiClass: after.payload.previous.rbiClass }).toEqual({ usBucket: before.payload.usBucket, rbiClass: before.payload.rbiClass });
    }
    const npa = changes.find((c) => c.payload.rbiClass === 'NPA');
    expect(npa?.payload).toMatchObject({ dpd: 91, previous: { dpd: 90, rbiClass: 'SMA-2' }, npaSince: npa?.payload.businessDate });
  });

  it('carries the write-off, the accrual status and the reason for closing', () => {
    const byType = (list: LifecycleEnvelope[], type: LifecycleEnvelope['type']) => list.filter((e) => e.type === type).map((e) => e.payload);
    expect(byType(map(defaulted), 'LoanChargedOff')).toEqual([
      expect.objectContaining({ dpd: 120, principalWrittenOff: { amount: defaulted.state.balances.principalWrittenOff.toString(), currency: 'INR', scale: 2 } }),
    ]);
    expect(byType(map(defaulted), 'AccrualStatusChanged')).toEqual([expect.objectContaining({ accrualStatus: 'non-accrual', previousAccrualStatus: 'accruing', dpd: 90 })]);
    expect(byType(map(repaid), 'LoanClosed')).toEqual([expect.objectContaining({ closedOn: '2027-04-01', businessDate: '2027-04-01', reason: 'repaid' })]);
    expect(byType(map(repaid), 'InstallmentPaid')[2]).toMatchObject({ installmentNumber: 3, totalPaid: { amount: '102006' }, paid: { penalties: { amount: '0' } } });
  });
});

describe('money movement envelopes', () => {
  it('RepaymentReceived: every effective repayment, its parts summing to its amount', () => {
    for (const [result, ids] of [[defaulted, ['p1', 'p9']], [repaid, ['p1', 'p2', 'p3']]] as const) {
      for (const id of ids) {
        const allocation = findRepaymentAllocation(result.allocations, id)!;
        const e = repaymentReceivedEnvelope(ctx, { allocation, channel: 'upi-autopay', reference: `UTR-${id}`, businessDate: allocation.date });
        expect(parseEvent(JSON.stringify(e)).ok).toBe(true);
        const { byComponent, installments, excess, recovery } = e.payload.allocation;
        const sum = (values: { amount: string }[]) => values.reduce((s, v) => s + BigInt(v.amount), 0n);
        expect(sum([...Object.values(byComponent), excess, recovery])).toBe(BigInt(e.payload.amount.amount));
        for (const c of ['principal', 'interest', 'fees', 'penalties'] as const) expect(sum(installments.map((l) => l[c]))).toBe(BigInt(byComponent[c].amount));
        expect(e.id).toBe(lifecycleEventId('loan-7', `repayment:${id}`));
      }
    }
    const first = repaymentReceivedEnvelope(ctx, { allocation: findRepaymentAllocation(defaulted.allocations, 'p1')!, channel: 'nach', reference: 'r', businessDate: d('2027-02-01') });
    expect(first.payload.allocation).toMatchObject({ excess: { amount: '7993' }, installments: [{ installmentNumber: 1, principal: { amount: '99007' }, interest: { amount: '3000' } }] });
    const recovery = repaymentReceivedEnvelope(ctx, { allocation: findRepaymentAllocation(defaulted.allocations, 'p9')!, channel: 'cash', reference: 'r', businessDate: d('2027-08-10') });
    expect(recovery.payload.allocation).toMatchObject({ recovery: { amount: '50000' }, installments: [] });
  });

  it('refuses to publish an allocation whose parts do not sum to the amount, or excess applied at a due date', () => {
    const allocation = findRepaymentAllocation(defaulted.allocations, 'p1')!;
    expect(() => repaymentReceivedEnvelope(ctx, { allocation: { ...allocation, amountMinor: allocation.amountMinor + 1n }, channel: 'ach', reference: 'r', businessDate: allocation.date })).toThrow(
      /byComponent \+ excess \+ recovery must equal amount/,
    );
    const excessApplied = defaulted.allocations.find((a) => a.kind === 'excess-applied')!;
    expect(() => repaymentReceivedEnvelope(ctx, { allocation: excessApplied, channel: 'ach', reference: 'r', businessDate: excessApplied.date })).toThrow(/not a repayment/);
  });

  it('RepaymentReallocated: a backdated repayment moves a later one; id from (loan, transaction, cause); parts checked', () => {
    // p2 of 1,020.07 on 03-05 pays installment 2 late; p0 dated 03-01 arrives later and pays it first, so p2 is
    // held as excess (installment 3 is not due until 04-01).
    const before = findRepaymentAllocation(replay([paid('p1', '2027-02-01', 102_007n), paid('p2', '2027-03-05', 102_007n)], '2027-03-10').allocations, 'p2')!;
    const after = findRepaymentAllocation(replay([paid('p1', '2027-02-01', 102_007n), paid('p0', '2027-03-01', 102_007n), paid('p2', '2027-03-05', 102_007n)], '2027-03-10').allocations, 'p2')!;
    const e = repaymentReallocatedEnvelope(ctx, { previous: before, allocation: after, causeTransactionId: 'p0', businessDate: d('2027-03-10') });
    expect(parseEvent(JSON.stringify(e)).ok).toBe(true);
    expect(e).toMatchObject({ id: lifecycleEventId('loan-7', 'reallocation:p2:p0'), payload: { transactionId: 'p2', effectKey: 'repayment:p2', causeTransactionId: 'p0', valueDate: '2027-03-05', amount: { amount: '102007' } } });
    expect(e.payload.previousAllocation.installments.map((l) => l.installmentNumber)).toEqual([2]);
    expect(e.payload.allocation).toMatchObject({ installments: [], excess: { amount: '102007' } });
    expect(repaymentReallocatedEnvelope(ctx, { previous: before, allocation: after, causeTransactionId: 'p0', businessDate: d('2027-03-10') }).id).toBe(e.id);
    expect(() => repaymentReallocatedEnvelope(ctx, { previous: { ...before, source: 'p1' }, allocation: after, causeTransactionId: 'p0', businessDate: d('2027-03-10') })).toThrow(/not of one repayment/);
    const skewed = { ...after, byComponent: { ...after.byComponent, principal: after.byComponent.principal + 1n }, excessMinor: after.excessMinor - 1n };
    expect(() => repaymentReallocatedEnvelope(ctx, { previous: before, allocation: skewed, causeTransactionId: 'p0', businessDate: d('2027-03-10') })).toThrow(/sum of the installments' principal/);
  });

  it('LoanDisbursed and TransactionReversed: valid, ids from the engine keys', () => {
    const disbursed = loanDisbursedEnvelope(ctx, { disbursement, cumulativeDisbursedMinor: 300_000n, payoutReference: 'UTR1', businessDate: d('2027-01-01') });
    expect(parseEvent(JSON.stringify(disbursed)).ok).toBe(true);
    expect(disbursed).toMatchObject({ id: lifecycleEventId('loan-7', 'disbursement:d1'), payload: { trancheId: 'd1', amount: { amount: '300000' }, valueDate: '2027-01-01' } });
    const reversed = transactionReversedEnvelope(ctx, {
      reversal: { kind: 'reversal', id: 'r1', targetId: 'p1', valueDate: d('2027-02-04') },
      reversedAmountMinor: 110_000n,
      reason: 'NACH return 04: balance insufficient',
      businessDate: d('2027-02-05'),
    });
    expect(parseEvent(JSON.stringify(reversed)).ok).toBe(true);
    expect(reversed).toMatchObject({ id: lifecycleEventId('loan-7', 'reversal:r1'), payload: { reversedTransactionId: 'p1', reversedEffectKey: 'repayment:p1', valueDate: '2027-02-04' } });
    expect(() => loanDisbursedEnvelope(ctx, { disbursement, cumulativeDisbursedMinor: 1n, payoutReference: 'UTR1', businessDate: d('2027-01-01') })).toThrow(/must include this tranche/);
  });
});
