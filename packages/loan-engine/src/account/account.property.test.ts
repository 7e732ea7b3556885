import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAMED_STRATEGIES, type StrategyName } from '../allocation/allocate.js';
import { advanceAccount, replayAccount, resumeAccount } from './account.js';
import type { Checkpoint } from './checkpoint.js';
import { diffEffects, isBalanced, netBalances } from './diff.js';
import { unwrap } from './test-fixtures.js';
import type { AccountInput, AccountProduct, AccountResult, Effect, MoneyEvent, ScheduledInstallment } from './types.js';

const DAY0 = 20_000;

const scheduleArb = fc
  .array(
    fc.record({
      gap: fc.integer({ min: 5, max: 35 }),
      principalMinor: fc.bigInt({ min: 0n, max: 100_000n }),
      interestMinor: fc.bigInt({ min: 0n, max: 5_000n }),
      feesMinor: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 500n })),
    }),
    { minLength: 1, maxLength: 8 },
  )
  .map((rows) => {
    let due = DAY0;
    return rows.map((r, k): ScheduledInstallment => {
      due += r.gap;
      return { number: k + 1, dueDate: due, principalMinor: r.principalMinor, interestMinor: r.interestMinor, feesMinor: r.feesMinor };
    });
  });

const productArb: fc.Arbitrary<AccountProduct> = fc.record({
  strategy: fc.constantFrom(...(Object.keys(NAMED_STRATEGIES) as StrategyName[])),
  graceDays: fc.integer({ min: 0, max: 10 }),
  lateFee: fc.option(
    fc.oneof(
      fc.record({ kind: fc.constant('flat' as const), amountMinor: fc.bigInt({ min: 0n, max: 3_000n }) }),
      fc.record({ kind: fc.constant('percent' as const), percent: fc.constantFrom('5', '2.5'), capMinor: fc.option(fc.bigInt({ min: 0n, max: 2_000n }), { nil: undefined }) }),
    ),
    { nil: undefined },
  ),
  penalAnnualPercent: fc.option(fc.constantFrom('0', '24', '36.5'), { nil: undefined }),
  nonAccrualDpd: fc.integer({ min: 10, max: 90 }),
  chargeOffDpd: fc.integer({ min: 20, max: 150 }),
});

interface Case {
  readonly input: AccountInput;
  /** The same events in another arrival order. */
  readonly shuffled: readonly MoneyEvent[];
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    schedule: scheduleArb,
    product: productArb,
    lead: fc.integer({ min: 1, max: 4 }),
    tranche: fc.boolean(),
    payments: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 450 }), amount: fc.bigInt({ min: 1n, max: 150_000n }), reverseAfter: fc.option(fc.integer({ min: 0, max: 60 })) }), {
      maxLength: 14,
    }),
    horizon: fc.integer({ min: 0, max: 500 }),
    order: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
  })
  .map(({ schedule, product, lead, tranche, payments, horizon, order }) => {
    const start = DAY0 - lead;
    const total = schedule.reduce((s, i) => s + i.principalMinor, 0n) + 1n;
    const half = tranche ? total / 2n : 0n;
    const events: MoneyEvent[] = [{ kind: 'disbursement', id: 'd1', valueDate: start, amountMinor: total - half }];
    if (half > 0n) events.push({ kind: 'disbursement', id: 'd2', valueDate: DAY0, amountMinor: half });
    payments.forEach((p, k) => {
      events.push({ kind: 'repayment', id: `r${k}`, valueDate: start + p.offset, amountMinor: p.amount });
      if (p.reverseAfter !== null) events.push({ kind: 'reversal', id: `x${k}`, targetId: `r${k}`, valueDate: start + p.offset + p.reverseAfter });
    });
    const shuffled = events.map((e, k) => ({ e, w: order[k % order.length] as number })).sort((a, b) => a.w - b.w).map((x) => x.e);
    return { input: { schedule, product, events, businessDate: start + horizon }, shuffled };
  });

function expectLedgerMatchesState(r: AccountResult, input: AccountInput): void {
  const net = netBalances(r.effects);
  const b = r.state.balances;
  const collected = input.events
    .filter((e) => e.kind === 'repayment' && e.valueDate <= input.businessDate)
    .filter((e) => !input.events.some((x) => x.kind === 'reversal' && x.targetId === e.id && x.valueDate <= input.businessDate))
    .reduce((s, e) => s + (e as { amountMinor: bigint }).amountMinor, 0n);
  expect({
    'loan-portfolio': net['loan-portfolio'],
    'interest-receivable': net['interest-receivable'],
    'fees-receivable': net['fees-receivable'],
    'penalties-receivable': net['penalties-receivable'],
    'memo-interest-receivable': net['memo-interest-receivable'],
    'memo-penalties-receivable': net['memo-penalties-receivable'],
    'excess-liability': net['excess-liability'],
    'write-off-expense': net['write-off-expense'],
    'recovery-income': net['recovery-income'],
    'disbursement-clearing': net['disbursement-clearing'],
    'collection-clearing': net['collection-clearing'],
  }).toEqual({
    'loan-portfolio': b.principalOutstanding,
    'interest-receivable': b.interestAccrued,
    'fees-receivable': b.feesDue,
    'penalties-receivable': b.penaltiesDue - b.penaltiesSuspended,
    'memo-interest-receivable': b.interestSuspended,
    'memo-penalties-receivable': b.penaltiesSuspended,
    'excess-liability': -b.excess,
    'write-off-expense': b.principalWrittenOff,
    'recovery-income': -b.recovered,
    'disbursement-clearing': -b.disbursed,
    'collection-clearing': collected,
  });
  expect(net['memo-interest-suspense']).toBe(-b.interestSuspended);
  expect(net['memo-penalties-suspense']).toBe(-b.penaltiesSuspended);
  for (const v of Object.values(b)) expect(v >= 0n).toBe(true);
}

describe('loan account properties', () => {
  it('every effect balances with positive lines, keys are unique, and the ledger equals the state', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        const r = unwrap(replayAccount(input));
        for (const e of r.effects) expect(isBalanced(e)).toBe(true);
        expect(new Set(r.effects.map((e) => e.key)).size).toBe(r.effects.length);
        expect(new Set(r.events.map((e) => e.key)).size).toBe(r.events.length);
        expectLedgerMatchesState(r, input);
      }),
      { numRuns: 300 },
    );
  });

  it('repayments are conserved: parts + excess + recovery = amount', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        for (const a of unwrap(replayAccount(input)).allocations) {
          const parts = a.installments.reduce((s, i) => s + i.principal + i.interest + i.fees + i.penalties, 0n);
          const byComponent = a.byComponent.principal + a.byComponent.interest + a.byComponent.fees + a.byComponent.penalties;
          expect(parts).toBe(byComponent);
          expect(parts + a.excessMinor + a.recoveryMinor).toBe(a.amountMinor);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('arrival order does not matter: any order gives the result of the events sorted by value date', () => {
    fc.assert(
      fc.property(caseArb, ({ input, shuffled }) => {
        const sorted = [...input.events].sort((a, b) => a.valueDate - b.valueDate);
        expect(unwrap(replayAccount({ ...input, events: shuffled }))).toEqual(unwrap(replayAccount({ ...input, events: sorted })));
      }),
      { numRuns: 150 },
    );
  });

  it('replay to D equals advancing day by day (through JSON snapshots) to D', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 1, max: 40 }), ({ input }, stride) => {
        const whole = unwrap(replayAccount(input));
        let snapshot = null;
        const parts: AccountResult[] = [];
        const first = Math.min(...input.events.map((e) => e.valueDate)) - 1;
        for (let d = first; d <= input.businessDate; d = d === input.businessDate ? d + 1 : Math.min(d + stride, input.businessDate)) {
          const after = snapshot === null ? -Infinity : (snapshot as { asOf: number }).asOf;
          // The LMS passes what arrived since the snapshot; reversals here always come after their targets' day.
          const events = input.events.filter((e) => e.valueDate > after && e.valueDate <= d);
          const reversedEarlier = events.some((e) => e.kind === 'reversal' && !events.some((t) => t.id === e.targetId));
          if (reversedEarlier) return; // needs a replay by design (tested in account.test.ts)
          const r = unwrap(advanceAccount(snapshot, { ...input, events }, d));
          parts.push(r);
          snapshot = JSON.parse(JSON.stringify(r.snapshot));
        }
        const last = parts.at(-1) as AccountResult;
        expect(last.state).toEqual(whole.state);
        expect(parts.flatMap((p) => p.effects)).toEqual(whole.effects);
        expect(parts.flatMap((p) => p.events)).toEqual(whole.events);
        expect(parts.flatMap((p) => p.allocations)).toEqual(whole.allocations);
        expect(parts.flatMap((p) => p.delinquencyHistory)).toEqual(whole.delinquencyHistory);
      }),
      { numRuns: 120 },
    );
  });

  it('diffEffects gives what comparing every effect by key gives', () => {
    const byKey = (previous: readonly Effect[], next: readonly Effect[]) => {
      const text = (e: Effect) => `${e.date}|${e.kind}|${e.lines.map((l) => `${l.account}:${l.side}:${l.amountMinor}`).join(',')}`;
      const before = new Map(previous.map((e) => [e.key, text(e)]));
      const after = new Map(next.map((e) => [e.key, text(e)]));
      return { reverse: previous.filter((e) => after.get(e.key) !== text(e)), post: next.filter((e) => before.get(e.key) !== text(e)) };
    };
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.nat(), ({ input }, pick, cut) => {
        const withoutOne = input.events.filter((e, k) => e.kind === 'disbursement' || k !== pick % input.events.length || input.events.some((x) => x.kind === 'reversal' && x.targetId === e.id));
        const old = unwrap(replayAccount({ ...input, events: withoutOne })).effects;
        const next = unwrap(replayAccount(input)).effects;
        expect(diffEffects(old, next)).toEqual(byKey(old, next));
        // A tail cut off (books behind the replay) and lists in another order.
        const shorter = old.slice(0, cut % (old.length + 1));
        expect(diffEffects(shorter, next)).toEqual(byKey(shorter, next));
        expect(diffEffects([...next].reverse(), old)).toEqual(byKey([...next].reverse(), old));
      }),
      { numRuns: 150 },
    );
  });

  it('posting diffEffects(old, new) on top of old gives the new net balances', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), ({ input }, pick) => {
        const withoutOne = input.events.filter((e, k) => e.kind === 'disbursement' || k !== pick % input.events.length || input.events.some((x) => x.kind === 'reversal' && x.targetId === e.id));
        const old = unwrap(replayAccount({ ...input, events: withoutOne }));
        const next = unwrap(replayAccount(input));
        const { reverse, post } = diffEffects(old.effects, next.effects);
        const a = netBalances(old.effects);
        const minus = netBalances(reverse);
        const plus = netBalances(post);
        const net = netBalances(next.effects);
        for (const k of Object.keys(net) as (keyof typeof net)[]) expect(a[k] - minus[k] + plus[k]).toBe(net[k]);
      }),
      { numRuns: 150 },
    );
  });

  it('a replay resumed from a checkpoint before a backdated change equals the full replay; one after it is refused or equal', () => {
    const change = fc.record({
      every: fc.integer({ min: 1, max: 3 }),
      later: fc.integer({ min: 0, max: 90 }),
      kind: fc.constantFrom('repayment' as const, 'reversal' as const),
      offset: fc.integer({ min: 0, max: 450 }),
      amount: fc.bigInt({ min: 1n, max: 150_000n }),
      pick: fc.nat(),
    });
    fc.assert(
      fc.property(caseArb, change, ({ input }, c) => {
        const opts = { checkpointEveryMonths: c.every };
        const before = unwrap(replayAccount(input, opts));
        const businessDate = input.businessDate + c.later;
        const start = Math.min(...input.events.map((e) => e.valueDate));
        const live = input.events.filter((e) => e.kind === 'repayment' && !input.events.some((x) => x.kind === 'reversal' && x.targetId === e.id));
        const target = live[c.pick % Math.max(live.length, 1)];
        const added: MoneyEvent = c.kind === 'reversal' && target
          ? { kind: 'reversal', id: 'xnew', targetId: target.id, valueDate: businessDate }
          : { kind: 'repayment', id: 'rnew', valueDate: Math.min(start + c.offset, businessDate), amountMinor: c.amount };
        // The earliest day the change reaches: the new event's (a reversal: its target's), or the target's of a
        // reversal already there that the later business date makes effective.
        const valueDateOf = (id: string) => (input.events.find((e) => e.id === id) as MoneyEvent).valueDate;
        const effectiveNow = input.events.filter((e) => e.kind === 'reversal' && e.valueDate > input.businessDate && e.valueDate <= businessDate);
        const affected = Math.min(added.kind === 'reversal' ? valueDateOf(added.targetId) : added.valueDate, ...effectiveNow.map((e) => valueDateOf((e as { targetId: string }).targetId)));
        const changed: AccountInput = { ...input, events: [...input.events, added], businessDate };
        const full = unwrap(replayAccount(changed, opts));
        const view = (r: AccountResult, after: number) => ({
          state: r.state,
          snapshot: r.snapshot,
          effects: r.effects.filter((e) => e.date > after),
          events: r.events.filter((e) => e.date > after),
          allocations: r.allocations.filter((a) => a.date > after),
          history: r.delinquencyHistory.filter((p) => p.date > after),
          checkpoints: (r.checkpoints ?? []).filter((k) => k.asOf > after).map((k) => ({ asOf: k.asOf, delinquency: k.delinquency, book: (k as Checkpoint).book.toSnapshot() })),
        });
        for (const checkpoint of before.checkpoints ?? []) {
          const resumed = resumeAccount(checkpoint, changed, opts);
          if (checkpoint.asOf < affected) expect(resumed.ok).toBe(true);
          if (!resumed.ok) {
            expect(resumed.error.code).toBe('checkpoint-mismatch');
            continue;
          }
          expect(view(resumed.value, checkpoint.asOf)).toEqual(view(full, checkpoint.asOf));
        }
        // A checkpoint is a copy: resuming never changes it.
        const again = (before.checkpoints ?? []).at(-1);
        if (again) expect(unwrap(resumeAccount(again, input, opts)).state).toEqual(before.state);
      }),
      { numRuns: 200 },
    );
  });

  it('a checkpoint of another schedule or product is refused', () => {
    fc.assert(
      fc.property(caseArb, ({ input }) => {
        const cp = unwrap(replayAccount(input, { checkpointEveryMonths: 1 })).checkpoints?.[0];
        if (!cp) return;
        const other = { ...input, product: { ...input.product, graceDays: input.product.graceDays + 1 } };
        expect(resumeAccount(cp, other)).toMatchObject({ ok: false, error: { code: 'checkpoint-mismatch' } });
        const shifted = { ...input, schedule: input.schedule.map((s) => ({ ...s, feesMinor: s.feesMinor + 1n })) };
        expect(resumeAccount(cp, shifted)).toMatchObject({ ok: false, error: { code: 'checkpoint-mismatch' } });
      }),
      { numRuns: 50 },
    );
  });
});
