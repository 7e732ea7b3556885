import { describe, expect, it } from 'vitest';
import { DEFAULT_COLLECTION_SCHEDULE, type CollectionSchedule } from './collection-plan.js';
import { applyCollectorSignal, earlyWarningSteps, flagsToRaise, initialCollectorState, liveRetries, markDone, nextWakeDate, noteEarlyWarning, planInputOf, pruneDone, retryOfBlocked, type CollectionFacts } from './collector.js';

const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });
const facts = (over: Partial<CollectionFacts> = {}): CollectionFacts => ({
  found: true, tenantId: 't', businessDate: '2026-03-10', status: 'open', dpd: 0, schedule: DEFAULT_COLLECTION_SCHEDULE,
  installments: [], paidSincePromise: null, presentmentOutcomes: [], monthEndDpd: [], ...over,
});
const returned = (id: string) => ({ presentmentId: id, outcome: 'returned' as const, code: 'R01' });
const paid = (id: string) => ({ presentmentId: id, outcome: 'paid' as const, code: null });

describe('collector signals', () => {
  it('applies an action once by its id, however often it is delivered', () => {
    const state = initialCollectorState();
    const promise = { kind: 'promise-to-pay' as const, actionId: 'a1', madeOn: '2026-03-10', payBy: '2026-03-13', amount: usd('10662') };
    expect(applyCollectorSignal(state, promise)).toBe(true);
    expect(applyCollectorSignal(state, { ...promise, payBy: '2026-04-01' })).toBe(false);
    expect(state.promise).toEqual({ madeOn: '2026-03-10', payBy: '2026-03-13', amount: usd('10662'), actionId: 'a1' });
  });

  it('a hold is lifted and a dispute resolved by later actions', () => {
    const state = initialCollectorState();
    applyCollectorSignal(state, { kind: 'hardship-hold', actionId: 'h1', until: '2026-04-30', reason: 'job loss' });
    applyCollectorSignal(state, { kind: 'dispute-opened', actionId: 'd1', openedOn: '2026-03-11', reason: 'amount disputed' });
    expect(planInputOf(facts(), state)).toMatchObject({ hold: { until: '2026-04-30' }, disputed: true });
    applyCollectorSignal(state, { kind: 'hold-lifted', actionId: 'h2' });
    applyCollectorSignal(state, { kind: 'dispute-resolved', actionId: 'd2' });
    expect(planInputOf(facts(), state)).toMatchObject({ hold: null, disputed: false });
  });
});

describe('early-warning flags', () => {
  it('raises bounced-twice once per run of returns, named by the run\'s first presentment', () => {
    const state = initialCollectorState();
    const two = flagsToRaise(facts({ presentmentOutcomes: [paid('p1'), returned('p2'), returned('p3')] }), state);
    expect(two).toEqual([expect.objectContaining({ flag: 'bounced-twice', eventKey: 'flag:bounced-twice:p2' })]);
    state.flags.push(two[0]!.eventKey);
    // A third return in a row is the same occurrence.
    expect(flagsToRaise(facts({ presentmentOutcomes: [paid('p1'), returned('p2'), returned('p3'), returned('p4')] }), state)).toEqual([]);
    // After a paid debit, two more returns are a new one.
    expect(flagsToRaise(facts({ presentmentOutcomes: [returned('p3'), returned('p4'), paid('p5'), returned('p6'), returned('p7')] }), state))
      .toEqual([expect.objectContaining({ eventKey: 'flag:bounced-twice:p6' })]);
  });

  it('raises promise-broken only once the plan has broken the promise, with what was promised and paid', () => {
    const state = initialCollectorState();
    applyCollectorSignal(state, { kind: 'promise-to-pay', actionId: 'a1', madeOn: '2026-03-10', payBy: '2026-03-13', amount: usd('10662') });
    const f = facts({ paidSincePromise: usd('5000') });
    expect(flagsToRaise(f, state)).toEqual([]);
    markDone(state, ['promise-broken:2026-03-10']);
    expect(flagsToRaise(f, state)).toEqual([{ flag: 'promise-broken', eventKey: 'flag:promise-broken:2026-03-10', detail: 'promised 10662 USD (minor units) by 2026-03-13 on 2026-03-10; 5000 paid since' }]);
  });

  it('raises dpd-rising on two consecutive month-end rises, named by the last month', () => {
    const state = initialCollectorState();
    expect(flagsToRaise(facts({ monthEndDpd: [{ month: '2026-01', dpd: 5 }, { month: '2026-02', dpd: 35 }, { month: '2026-03', dpd: 35 }] }), state)).toEqual([]);
    expect(flagsToRaise(facts({ monthEndDpd: [{ month: '2026-01', dpd: 5 }, { month: '2026-02', dpd: 35 }, { month: '2026-03', dpd: 66 }] }), state))
      .toEqual([expect.objectContaining({ flag: 'dpd-rising', eventKey: 'flag:dpd-rising:2026-03', detail: 'DPD at month ends 2026-01: 5, 2026-02: 35, 2026-03: 66' })]);
  });
});

describe('the collector\'s memory stays bounded', () => {
  it('forgets the steps of paid instalments and the escalations of a cured loan, keeps promise keys', () => {
    const state = initialCollectorState();
    markDone(state, ['contact:1:-3:sms', 'present:1', 'contact:2:1:sms', 'present:2', 'escalate:early', 'promise-broken:2026-03-10']);
    markDone(state, ['present:2']);
    pruneDone(state, facts({ dpd: 0, installments: [{ number: 2, dueDate: '2026-03-05', paid: false, amountDue: usd('10662') }] }));
    expect(state.done).toEqual(['contact:2:1:sms', 'present:2', 'promise-broken:2026-03-10']);
  });
});

describe('when the collector looks next', () => {
  const schedule: CollectionSchedule = { ...DEFAULT_COLLECTION_SCHEDULE, escalation: [{ minDpd: 15, queue: 'early', priority: 1 }] };
  const behind = facts({ dpd: 9, installments: [{ number: 2, dueDate: '2026-03-01', paid: false, amountDue: usd('10662') }] });

  it('wakes on the day DPD reaches the next queue when nothing else comes first', () => {
    const state = initialCollectorState();
    markDone(state, ['present:2', 'contact:2:1:sms', 'contact:2:3:email', 'contact:2:7:whatsapp']);
    // 9 DPD on 10 March: 15 DPD on 16 March, before the first of April.
    expect(nextWakeDate(schedule, planInputOf(behind, state), '2026-03-10')).toBe('2026-03-16');
  });

  it('wakes on the first of next month while behind (the month-end DPD), and not at all once closed', () => {
    const state = initialCollectorState();
    const late = facts({ dpd: 20, installments: behind.installments });
    expect(nextWakeDate(schedule, planInputOf(late, state), '2026-03-21')).toBe('2026-04-01');
    expect(nextWakeDate(schedule, planInputOf(facts({ status: 'closed' }), state), '2026-03-21')).toBeNull();
  });

  it('wakes the day after a promise\'s pay-by date', () => {
    const state = initialCollectorState();
    applyCollectorSignal(state, { kind: 'promise-to-pay', actionId: 'a1', madeOn: '2026-03-10', payBy: '2026-03-12', amount: usd('10662') });
    markDone(state, ['present:2', 'contact:2:1:sms', 'contact:2:3:email', 'contact:2:7:whatsapp']);
    expect(nextWakeDate(schedule, planInputOf({ ...behind, paidSincePromise: usd('0') }, state), '2026-03-10')).toBe('2026-03-13');
  });
});

describe('retries of blocked contacts', () => {
  const contact = { key: 'contact:1:-3:sms', attempt: 0, tenantId: 't', installmentNumber: 1, purpose: 'pre-due-reminder', channel: 'sms' as const, templateKey: 'payment-reminder', dropOn: '2026-03-10' };

  it('a block that lifts at a stated time gets a retry then; an opt-out or the fourth block does not', () => {
    expect(retryOfBlocked(contact, { outcome: 'blocked', nextAllowedAt: '2026-03-07T02:30:00.000Z' })).toEqual({ ...contact, attempt: 1, at: '2026-03-07T02:30:00.000Z' });
    expect(retryOfBlocked(contact, { outcome: 'blocked', nextAllowedAt: null })).toBeNull();
    expect(retryOfBlocked(contact, { outcome: 'sent', nextAllowedAt: null })).toBeNull();
    expect(retryOfBlocked({ ...contact, attempt: 3 }, { outcome: 'blocked', nextAllowedAt: '2026-03-07T02:30:00.000Z' })).toBeNull();
  });

  it('a retry is dropped once its instalment is paid, on or after a reminder\'s due date, or while collection pauses', () => {
    const state = initialCollectorState();
    state.retries = [{ ...contact, attempt: 1, at: '2026-03-07T02:30:00.000Z' }];
    const unpaid = facts({ installments: [{ number: 1, dueDate: '2026-03-10', paid: false, amountDue: usd('10662') }] });
    expect(liveRetries(state, unpaid, '2026-03-08')).toHaveLength(1);
    expect(liveRetries(state, unpaid, '2026-03-10')).toEqual([]);
    expect(liveRetries(state, facts({ installments: [] }), '2026-03-08')).toEqual([]);
    applyCollectorSignal(state, { kind: 'hardship-hold', actionId: 'h1', until: '2026-03-31', reason: 'illness' });
    expect(liveRetries(state, unpaid, '2026-03-08')).toEqual([]);
  });
});

describe('NPA early warnings', () => {
  const warning = (businessDate: string, eventId = `ew-${businessDate}`) => ({
    type: 'LoanEarlyWarningRaised' as const, eventId, loanId: 'l1', businessDate, probability: '0.4120', threshold: '0.3000', model: 'npa-90d.v1', dpd: 0,
    topFactors: [{ feature: 'returned_debits_90d', value: 2, contribution: '1.2040' }],
  });
  const unpaid = [{ number: 2, dueDate: '2026-03-20', paid: false, amountDue: usd('10662') }];

  it('given a warning heard, a pass sends the schedule\'s first pre-due reminder under the warning\'s slot and raises npa-risk with the score', () => {
    const state = initialCollectorState();
    expect(noteEarlyWarning(state, warning('2026-03-09'))).toBe(true);
    const [step, ...more] = earlyWarningSteps(state, facts({ installments: unpaid }), '2026-03-10');
    expect(more).toEqual([]);
    expect(step!.contact).toEqual({ purpose: 'pre-delinquency-reminder', slot: 'early-warning:2026-03-09', channel: 'sms', templateKey: 'payment-reminder' });
    expect(step!.flag).toMatchObject({ flag: 'npa-risk', eventKey: 'flag:npa-risk:2026-03-09', score: { probability: '0.4120', model: 'npa-90d.v1', topFactors: [{ feature: 'returned_debits_90d' }] } });
    expect(step!.flag.detail).toMatch(/^NPA early warning of 2026-03-09: P\(90\+ DPD within 90 days\) 0\.4120 at threshold 0\.3000 \(npa-90d\.v1\); a sms reminder$/);
  });

  it('keeps a warning once: the same date again (another event id) or after its flag was raised is not kept', () => {
    const state = initialCollectorState();
    noteEarlyWarning(state, warning('2026-03-09'));
    expect(noteEarlyWarning(state, warning('2026-03-09', 'other-id'))).toBe(false);
    state.flags.push('flag:npa-risk:2026-03-09');
    state.warnings = [];
    expect(noteEarlyWarning(state, warning('2026-03-09'))).toBe(false);
    expect(earlyWarningSteps(state, facts({ installments: unpaid }), '2026-03-10')).toEqual([]);
    expect(noteEarlyWarning(state, warning('2026-03-10'))).toBe(true);
  });

  it('follows the plan\'s rules for the reminder: none in dispute, on hold, under a promise, past due, or without a pre-due step; the flag still', () => {
    const cases: [string, (s: ReturnType<typeof initialCollectorState>) => void, Partial<CollectionFacts>, RegExp][] = [
      ['dispute', (s) => { s.dispute = { openedOn: '2026-03-01', reason: 'x', actionId: 'd' }; }, {}, /in dispute/],
      ['hold', (s) => { s.hold = { until: '2026-03-31', reason: 'x', actionId: 'h' }; }, {}, /hardship hold until 2026-03-31/],
      ['promise', (s) => { s.promise = { madeOn: '2026-03-08', payBy: '2026-03-12', amount: usd('1'), actionId: 'p' }; }, {}, /promise to pay stands until 2026-03-12/],
      ['past due', () => undefined, { dpd: 4 }, /already 4 days past due/],
      ['no pre-due step', () => undefined, { schedule: { ...DEFAULT_COLLECTION_SCHEDULE, preDue: [] } }, /no pre-due reminder/],
      ['nothing unpaid', () => undefined, { installments: [] }, /nothing unpaid/],
    ];
    for (const [, arrange, over, reason] of cases) {
      const state = initialCollectorState();
      arrange(state);
      noteEarlyWarning(state, warning('2026-03-09'));
      const [step] = earlyWarningSteps(state, facts({ installments: unpaid, ...over }), '2026-03-10');
      expect(step!.contact).toBeNull();
      expect(step!.noContactReason).toMatch(reason);
      expect(step!.flag.flag).toBe('npa-risk');
    }
  });

  it('does nothing for a loan no longer open', () => {
    const state = initialCollectorState();
    noteEarlyWarning(state, warning('2026-03-09'));
    expect(earlyWarningSteps(state, facts({ status: 'closed', installments: unpaid }), '2026-03-10')).toEqual([]);
  });
});
