import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocate, type AllocateRequest } from '../api/allocate.js';
import { parseIsoDate } from '../dates/local-date.js';
import { allocatePayment, BUCKETS, COMPONENTS, NAMED_STRATEGIES, type OutstandingInstallment } from './allocate.js';

const installments = [
  { number: 1, dueDate: '2024-01-01', principal: '100', interest: '10', fees: '5', penalties: '2' },
  { number: 2, dueDate: '2024-02-01', principal: '100', interest: '9', fees: '5', penalties: '0' },
  { number: 3, dueDate: '2024-03-01', principal: '100', interest: '8', fees: '5', penalties: '0' },
];

const run = (amount: string, strategy: Parameters<typeof allocate>[0]['strategy'], overpayment: 'advance' | 'credit' = 'advance') =>
  allocate({ currency: 'USD', paymentDate: '2024-02-01', amount, strategy, overpayment, installments });

describe('payment allocation strategies', () => {
  it('penalties, fees, interest, principal — installment by installment, oldest first', () => {
    const r = run('120', 'penalties-fees-interest-principal');
    expect(r.allocations).toEqual([
      { number: 1, penalties: '2.00', fees: '5.00', interest: '10.00', principal: '100.00', total: '117.00' },
      { number: 2, penalties: '0.00', fees: '3.00', interest: '0.00', principal: '0.00', total: '3.00' },
    ]);
  });

  it('interest, principal, penalties, fees', () => {
    const r = run('115', 'interest-principal-penalties-fees');
    expect(r.allocations[0]).toMatchObject({ interest: '10.00', principal: '100.00', penalties: '2.00', fees: '3.00' });
  });

  it('overdue-first settles each component across overdue installments before anything due', () => {
    const r = run('20', 'overdue-first');
    expect(r.allocations).toEqual([{ number: 1, penalties: '2.00', fees: '5.00', interest: '10.00', principal: '3.00', total: '20.00' }]);
  });

  it('custom order: buckets first, then components across the bucket ("vertical")', () => {
    const custom: AllocateRequest['strategy'] = { bucketOrder: ['due', 'overdue'], componentOrder: ['interest', 'principal'], grouping: 'component' };
    const dueFirst = run('25', custom);
    expect(dueFirst.allocations).toEqual([{ number: 2, penalties: '0.00', fees: '0.00', interest: '9.00', principal: '16.00', total: '25.00' }]);
    const bothOverdue = allocate({ currency: 'USD', paymentDate: '2024-02-02', amount: '25', strategy: custom, installments });
    expect(bothOverdue.allocations).toEqual([
      { number: 1, penalties: '0.00', fees: '0.00', interest: '10.00', principal: '6.00', total: '16.00' },
      { number: 2, penalties: '0.00', fees: '0.00', interest: '9.00', principal: '0.00', total: '9.00' },
    ]);
  });

  it('oldest-first settles installments strictly by due date, into the future with "advance"', () => {
    const r = run('250', 'oldest-first');
    expect(r.allocations.map((a) => [a.number, a.total])).toEqual([
      [1, '117.00'],
      [2, '114.00'],
      [3, '19.00'],
    ]);
    expect(r.advance).toBe('19.00');
  });

  it('an overpayment becomes an advance on future installments, then a credit balance', () => {
    const r = run('500', 'penalties-fees-interest-principal');
    expect(r.advance).toBe('113.00');
    expect(r.creditBalance).toBe('156.00');
  });

  it('with overpayment "credit" future installments are left alone', () => {
    const r = run('300', 'penalties-fees-interest-principal', 'credit');
    expect(r.advance).toBe('0.00');
    expect(r.creditBalance).toBe('69.00');
  });

  it('refuses amounts finer than the currency and names the field', () => {
    expect(() => allocate({ currency: 'JPY', paymentDate: '2024-02-01', amount: '1.5', installments: [] })).toThrow(/amount/);
  });
});

const outstanding = fc.array(
  fc.record({
    number: fc.nat(),
    dueDate: fc.integer({ min: 19000, max: 19400 }),
    penalties: fc.bigInt({ min: 0n, max: 10_000n }),
    fees: fc.bigInt({ min: 0n, max: 10_000n }),
    interest: fc.bigInt({ min: 0n, max: 100_000n }),
    principal: fc.bigInt({ min: 0n, max: 1_000_000n }),
  }),
  { maxLength: 30 },
).map((xs): OutstandingInstallment[] => xs.map((x, i) => ({ ...x, number: i + 1 })));

const strategy = fc.oneof(
  fc.constantFrom(...Object.values(NAMED_STRATEGIES)),
  fc.record({
    bucketOrder: fc.shuffledSubarray([...BUCKETS], { minLength: 1 }),
    componentOrder: fc.shuffledSubarray([...COMPONENTS], { minLength: 1 }),
    grouping: fc.constantFrom('installment' as const, 'component' as const),
  }),
);

describe('allocation invariants (property)', () => {
  it('conserves the payment and never pays a component beyond what is owed', () => {
    fc.assert(
      fc.property(outstanding, strategy, fc.bigInt({ min: 0n, max: 5_000_000n }), fc.constantFrom('advance' as const, 'credit' as const), (inst, s, pay, over) => {
        const r = allocatePayment({ paymentMinor: pay, paymentDate: parseIsoDate('2022-03-01'), installments: inst, strategy: s, overpayment: over });
        const allocated = r.installments.reduce((a, x) => a + x.total, 0n);
        expect(allocated + r.creditBalance).toBe(pay);
        for (const a of r.installments) {
          const owed = inst.find((i) => i.number === a.number) as OutstandingInstallment;
          for (const c of COMPONENTS) expect(a[c] <= owed[c] && a[c] >= 0n).toBe(true);
        }
      }),
    );
  });
});
