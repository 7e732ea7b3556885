import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../products/domain/demo-products.js';
import { DEMO_COLLECTION_SCHEDULES } from './demo-schedules.js';
import { actionsDue, addDays, collectionScheduleSchema, DEFAULT_COLLECTION_SCHEDULE, earlyWarnings, nextPlanDate, type CollectionAction, type CollectionSchedule, type PlanInput, type PlannedInstallment } from './collection-plan.js';

const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const installment = (number: number, dueDate: string, paid = false): PlannedInstallment => ({ number, dueDate, paid, amountDue: inr('450000') });
const input = (p: Partial<PlanInput> = {}): PlanInput => ({ status: 'open', disputed: false, hold: null, promise: null, dpd: 0, installments: [installment(1, '2027-01-10')], done: new Set(), ...p });
const brief = (a: CollectionAction) => (a.kind === 'contact' ? `${a.kind} ${a.on} ${a.channel}` : a.kind === 'escalate' ? `${a.kind} ${a.queue}` : `${a.kind} ${a.on}`);

/** Walks business dates `dates` in order, carrying out (marking done) everything the plan returns. */
function walk(schedule: CollectionSchedule, base: PlanInput, dates: readonly string[], dpdOn: (d: string) => number = () => base.dpd): { date: string; action: CollectionAction }[] {
  const done = new Set(base.done);
  const out: { date: string; action: CollectionAction }[] = [];
  for (const date of dates) {
    for (const action of actionsDue(schedule, { ...base, dpd: dpdOn(date), done }, date)) {
      out.push({ date, action });
      done.add(action.key);
      for (const k of action.settles) done.add(k);
    }
  }
  return out;
}
const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));

describe('collection plan, default schedule', () => {
  it('day by day: T−3 and T−1 reminders, the debit on the due date, T+1, T+3 and T+7 follow-ups, then nothing', () => {
    const seen = walk(DEFAULT_COLLECTION_SCHEDULE, input(), days('2027-01-01', 40)).map((x) => `${x.date}: ${brief(x.action)}`);
    expect(seen).toEqual([
      '2027-01-07: contact 2027-01-07 sms',
      '2027-01-09: contact 2027-01-09 whatsapp',
      '2027-01-10: present 2027-01-10',
      '2027-01-11: contact 2027-01-11 sms',
      '2027-01-13: contact 2027-01-13 email',
      '2027-01-17: contact 2027-01-17 whatsapp',
    ]);
  });

  it('a rail that presents ahead (NACH, UPI AutoPay) gets the debit on its schedule the lead days before, for the due date', () => {
    const seen = walk(DEFAULT_COLLECTION_SCHEDULE, input({ presentLeadDays: 3 }), days('2027-01-01', 12)).map((x) => `${x.date}: ${brief(x.action)}`);
    expect(seen.slice(0, 2)).toEqual(['2027-01-07: present 2027-01-07', '2027-01-07: contact 2027-01-07 sms']);
    const present = actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ presentLeadDays: 3 }), '2027-01-07')[0]!;
    expect(present).toMatchObject({ kind: 'present', on: '2027-01-07', dueDate: '2027-01-10' });
    // The plan wakes on the lead day even when no contact falls on it.
    expect(nextPlanDate({ ...DEFAULT_COLLECTION_SCHEDULE, preDue: [] }, input({ presentLeadDays: 3 }), '2027-01-01')).toBe('2027-01-07');
  });

  it('a jump of the business date sends only the latest follow-up and settles the stale ones; the debit is never skipped', () => {
    const actions = actionsDue(DEFAULT_COLLECTION_SCHEDULE, input(), '2027-01-15');
    expect(actions.map(brief)).toEqual(['present 2027-01-10', 'contact 2027-01-13 email']);
    expect(actions[1]!.settles).toEqual(['contact:1:-3:sms', 'contact:1:-1:whatsapp', 'contact:1:1:sms']);
    expect(nextPlanDate(DEFAULT_COLLECTION_SCHEDULE, input(), '2027-01-15')).toBe('2027-01-17');
  });

  it('asking again after carrying the actions out returns nothing (idempotent per key)', () => {
    const first = actionsDue(DEFAULT_COLLECTION_SCHEDULE, input(), '2027-01-15');
    const done = new Set(first.flatMap((a) => [a.key, ...a.settles]));
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ done }), '2027-01-15')).toEqual([]);
  });

  it('does nothing for a paid installment, a closed or charged-off loan, or a dispute', () => {
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ installments: [installment(1, '2027-01-10', true)] }), '2027-01-12')).toEqual([]);
    for (const p of [{ status: 'closed' as const }, { status: 'charged-off' as const }, { disputed: true }]) {
      expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ ...p, dpd: 120 }), '2027-01-12')).toEqual([]);
      expect(nextPlanDate(DEFAULT_COLLECTION_SCHEDULE, input(p), '2027-01-12')).toBeNull();
    }
  });

  it('a hardship hold pauses everything until the day after it ends, then resumes with the latest step', () => {
    const held = input({ hold: { until: '2027-01-20' }, dpd: 35 });
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, held, '2027-01-12')).toEqual([]);
    expect(nextPlanDate(DEFAULT_COLLECTION_SCHEDULE, held, '2027-01-12')).toBe('2027-01-13');
    expect(nextPlanDate(DEFAULT_COLLECTION_SCHEDULE, held, '2027-01-18')).toBe('2027-01-21');
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, held, '2027-01-21').map(brief)).toEqual(['present 2027-01-10', 'contact 2027-01-17 whatsapp', 'escalate early']);
  });

  it('a promise to pay pauses contacts (not the debit) until its date; broken once past it, kept if paid', () => {
    const promise = { madeOn: '2027-01-11', payBy: '2027-01-16', amount: inr('450000'), paidSince: inr('0') };
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ promise }), '2027-01-13').map(brief)).toEqual(['present 2027-01-10']);
    expect(nextPlanDate(DEFAULT_COLLECTION_SCHEDULE, input({ promise }), '2027-01-13')).toBe('2027-01-17');
    const done = new Set(['present:1']);
    const broken = actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ promise, done }), '2027-01-17');
    expect(broken.map(brief)).toEqual(['contact 2027-01-17 whatsapp', 'promise-broken 2027-01-17']);
    const kept = { ...promise, paidSince: inr('450000') };
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ promise: kept, done, installments: [installment(1, '2027-01-10', true)] }), '2027-01-17')).toEqual([]);
  });

  it('escalates to the highest queue reached, once each, settling the lower ones', () => {
    const at65 = actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ dpd: 65, installments: [] }), '2027-03-16');
    expect(at65).toEqual([{ kind: 'escalate', key: 'escalate:late', on: '2027-03-16', queue: 'late', priority: 2, dpd: 65, settles: ['escalate:early'] }]);
    const done = new Set(['escalate:late', 'escalate:early']);
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ dpd: 70, installments: [], done }), '2027-03-21')).toEqual([]);
    expect(actionsDue(DEFAULT_COLLECTION_SCHEDULE, input({ dpd: 95, installments: [], done }), '2027-04-15').map(brief)).toEqual(['escalate recovery']);
  });
});

describe('collection schedule as data', () => {
  it('refuses a duplicate step and falling escalation thresholds, naming the field', () => {
    const dup = collectionScheduleSchema.safeParse({ ...DEFAULT_COLLECTION_SCHEDULE, followUps: [{ offsetDays: 1, channel: 'sms', templateKey: 'a' }, { offsetDays: 1, channel: 'sms', templateKey: 'b' }] });
    expect(dup.success || dup.error.issues.map((i) => i.path.join('.'))).toEqual(['followUps.1']);
    const falling = collectionScheduleSchema.safeParse({ ...DEFAULT_COLLECTION_SCHEDULE, escalation: [{ minDpd: 60, queue: 'late', priority: 2 }, { minDpd: 30, queue: 'early', priority: 1 }] });
    expect(falling.success || falling.error.issues.map((i) => i.path.join('.'))).toEqual(['escalation.1.minDpd']);
    expect(collectionScheduleSchema.safeParse({ ...DEFAULT_COLLECTION_SCHEDULE, preDue: [{ offsetDays: 2, channel: 'sms', templateKey: 'x' }] }).success).toBe(false);
    expect(collectionScheduleSchema.parse(DEFAULT_COLLECTION_SCHEDULE)).toEqual(DEFAULT_COLLECTION_SCHEDULE);
  });
});

describe('collection plan properties', () => {
  const step = (min: number, max: number) => fc.record({ offsetDays: fc.integer({ min, max }), channel: fc.constantFrom('email' as const, 'sms' as const, 'whatsapp' as const), templateKey: fc.constant('t') });
  const schedule = fc.record({
    preDue: fc.uniqueArray(step(-30, -1), { maxLength: 4, selector: (s) => `${s.offsetDays}:${s.channel}` }),
    autoDebit: fc.boolean(),
    followUps: fc.uniqueArray(step(1, 60), { maxLength: 6, selector: (s) => `${s.offsetDays}:${s.channel}` }),
    escalation: fc.constant(DEFAULT_COLLECTION_SCHEDULE.escalation),
  });
  const loan = fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }).map((paid) => paid.map((p, i) => installment(i + 1, addDays('2027-01-10', i * 30), p)));
  // Business dates as an increasing walk with gaps of 1 to 20 days (time skipping).
  const walkDates = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 30 }).map((gaps) => gaps.reduce<string[]>((acc, g) => [...acc, addDays(acc.at(-1) ?? '2026-12-20', g)], []));

  it('whatever the steps between business dates: every unpaid installment due by the end is presented exactly once, no key is acted on twice, and a jump never sends more contacts than walking day by day', () => {
    fc.assert(fc.property(schedule, loan, walkDates, (s, installments, dates) => {
      const base = input({ installments });
      const skipped = walk(s, base, dates);
      const end = dates.at(-1)!;
      const daily = walk(s, base, days('2026-12-21', Math.round((Date.parse(end) - Date.parse('2026-12-21')) / 86_400_000) + 1));
      const keys = skipped.map((x) => x.action.key);
      expect(new Set(keys).size).toBe(keys.length);
      const presented = skipped.filter((x) => x.action.kind === 'present').map((x) => (x.action as { installmentNumber: number }).installmentNumber).sort((a, b) => a - b);
      const expected = s.autoDebit ? installments.filter((i) => !i.paid && i.dueDate <= end).map((i) => i.number) : [];
      expect(presented).toEqual(expected);
      const contacts = (xs: typeof skipped) => xs.filter((x) => x.action.kind === 'contact').length;
      expect(contacts(skipped)).toBeLessThanOrEqual(contacts(daily));
      // Nothing is ever planned for a paid installment.
      const paid = new Set(installments.filter((i) => i.paid).map((i) => i.number));
      expect(skipped.some((x) => 'installmentNumber' in x.action && paid.has(x.action.installmentNumber))).toBe(false);
    }), { numRuns: 300 });
  });

  it('nextPlanDate is after today, and nothing is due strictly between today and it', () => {
    fc.assert(fc.property(schedule, loan, fc.integer({ min: 0, max: 200 }), (s, installments, offset) => {
      const today = addDays('2026-12-20', offset);
      const base = input({ installments });
      const done = new Set(actionsDue(s, base, today).flatMap((a) => [a.key, ...a.settles]));
      const next = nextPlanDate(s, { ...base, done }, today);
      if (next === null) return;
      expect(next > today).toBe(true);
      for (let d = addDays(today, 1); d < next; d = addDays(d, 1)) expect(actionsDue(s, { ...base, done }, d)).toEqual([]);
    }), { numRuns: 200 });
  });
});

describe('early warnings', () => {
  it('bounced twice in a row, a broken promise, DPD rising two month ends in a row', () => {
    expect(earlyWarnings({ presentmentOutcomes: ['paid', 'returned', 'returned'], promiseBroken: false, monthEndDpd: [] })).toEqual(['bounced-twice']);
    expect(earlyWarnings({ presentmentOutcomes: ['returned', 'paid', 'returned'], promiseBroken: true, monthEndDpd: [0, 12, 41] })).toEqual(['promise-broken', 'dpd-rising']);
    expect(earlyWarnings({ presentmentOutcomes: ['returned'], promiseBroken: false, monthEndDpd: [30, 30, 60] })).toEqual([]);
  });
});

describe('the demo products\' collection schedules', () => {
  it('one per demo product, each valid as PUT /v1/collections/schedules would take it', () => {
    expect(Object.keys(DEMO_COLLECTION_SCHEDULES).sort()).toEqual(DEMO_PRODUCTS.map((p) => p.code).sort());
    for (const [code, schedule] of Object.entries(DEMO_COLLECTION_SCHEDULES)) {
      const parsed = collectionScheduleSchema.safeParse(schedule);
      expect(parsed.success, `${code}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });
});
