import { readdirSync, readFileSync } from 'node:fs';
import { parseEvent } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../underwriting/domain/scorecard-training.js';
import { earlyWarningInForce, factsOf, foldRepaymentEvents, mergeLoanFacts, repaymentProfile, type LoanRecord, type RepaymentEvent } from './repayment-profile.js';

const LOAN = '0b8f6c1e-2f43-4c0e-9a51-3d3c1a7f9e20';
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const scheduled = { principal: inr('800000'), interest: inr('100000'), fees: inr('0'), total: inr('900000') };
let seq = 0;
const envelope = <T extends RepaymentEvent['type']>(type: T, payload: object, occurredAt = '2026-11-01T00:05:00.000Z') => ({
  id: `00000000-0000-4000-8000-${String((seq += 1)).padStart(12, '0')}`, type, version: 1, source: 'lendstack.lms', subject: LOAN, occurredAt, tenantId: 't1', correlationId: 'eod', payload: { loanId: LOAN, ...payload },
}) as unknown as Extract<RepaymentEvent, { type: T }>;

const disbursed = envelope('LoanDisbursed', { trancheId: 't1', effectKey: 'disbursement:t1', amount: inr('9000000'), valueDate: '2026-06-01', cumulativeDisbursed: inr('9000000'), payoutReference: 'UTR1', businessDate: '2026-06-01' });
const due = (n: number, dueDate: string) => envelope('InstallmentDue', { eventKey: `installment-due:${n}`, businessDate: dueDate, installmentNumber: n, dueDate, scheduled });
const paid = (n: number, dueDate: string, on: string) => envelope('InstallmentPaid', { eventKey: `installment-paid:${n}:${on}`, businessDate: on, installmentNumber: n, dueDate, scheduled, paid: { ...scheduled, penalties: inr('0') }, totalPaid: inr('900000') });
const dpd = (value: number, on: string) => envelope('DelinquencyChanged', { eventKey: `delinquency:${on}`, businessDate: on, dpd: value, usBucket: value === 0 ? 'current' : '30-59', rbiClass: value === 0 ? 'standard' : 'SMA-1', previous: { dpd: 0, usBucket: 'current', rbiClass: 'standard' } });

describe('repayment facts from lifecycle events', () => {
  it('folds a chunk into one entry per loan, installment and DPD date: the latest DPD by business date, the worst of all', () => {
    const facts = foldRepaymentEvents([disbursed, due(1, '2026-07-01'), paid(1, '2026-07-01', '2026-07-01'), due(2, '2026-08-01'), dpd(45, '2026-09-15'), dpd(10, '2026-08-11')]);
    expect(facts.loans).toHaveLength(1);
    expect(facts.loans[0]).toMatchObject({ disbursedOn: '2026-06-01', dpd: { value: 45, asOf: '2026-09-15' }, worstDpd: 45, lastBusinessDate: '2026-09-15', closedOn: null });
    expect(facts.installments).toEqual([
      { loanId: LOAN, installmentNumber: 1, dueDate: '2026-07-01', fellDue: true, overdue: false, paidOn: '2026-07-01' },
      { loanId: LOAN, installmentNumber: 2, dueDate: '2026-08-01', fellDue: true, overdue: false, paidOn: null },
    ]);
    expect(facts.dpd.map((d) => [d.businessDate, d.dpd])).toEqual([['2026-09-15', 45], ['2026-08-11', 10]]);
  });

  it('gives the same facts whatever the order, and merging a fact twice changes nothing', () => {
    const events = [disbursed, due(1, '2026-07-01'), dpd(30, '2026-08-01'), dpd(0, '2026-08-20'), envelope('LoanClosed', { eventKey: 'closed:2027-06-01', businessDate: '2027-06-01', closedOn: '2027-06-01', reason: 'repaid' })];
    const forward = foldRepaymentEvents(events);
    const backward = foldRepaymentEvents([...events].reverse());
    expect(backward.loans).toEqual(forward.loans.map((l) => ({ ...l })));
    const once = forward.loans[0]!;
    expect(mergeLoanFacts(once, once)).toEqual(once);
    expect(once).toMatchObject({ dpd: { value: 0, asOf: '2026-08-20' }, worstDpd: 30, closedOn: '2027-06-01', closureReason: 'repaid' });
  });

  it('counts an installment paid before its due date as due only once it falls due', () => {
    expect(factsOf(paid(3, '2026-09-01', '2026-08-25')).installment).toMatchObject({ fellDue: false, paidOn: '2026-08-25' });
    expect(factsOf(paid(3, '2026-09-01', '2026-09-04')).installment).toMatchObject({ fellDue: true, paidOn: '2026-09-04' });
  });

  it('keeps the early warning of the latest business date, whatever the order', () => {
    const warned = (on: string, probability: string) => envelope('LoanEarlyWarningRaised', {
      eventKey: `early-warning:${on}`, businessDate: on, probability, threshold: '0.3000', model: 'npa-90d.v1', dpd: 12,
      topFactors: [{ feature: 'dpd', value: 12, contribution: '1.2000' }],
    });
    const a = foldRepaymentEvents([disbursed, warned('2026-09-01', '0.4100'), warned('2026-10-01', '0.3500')]);
    const b = foldRepaymentEvents([warned('2026-10-01', '0.3500'), disbursed, warned('2026-09-01', '0.4100')]);
    expect(a.loans[0]!.earlyWarning).toEqual({ asOf: '2026-10-01', probability: '0.3500', model: 'npa-90d.v1' });
    expect(b.loans[0]).toEqual(a.loans[0]);
  });

  it('keeps the collections flag of the latest business date, v2 (npa-risk with its score) or a v1 flag upcast, whatever the order', () => {
    const flagged = (on: string, flag: string, score?: object) => ({
      ...envelope('CollectionsFlagRaised', { eventKey: `flag:${flag}:${on}`, businessDate: on, flag, dpd: 0, detail: 'seen', ...score }), version: 2,
    }) as Extract<RepaymentEvent, { type: 'CollectionsFlagRaised' }>;
    const npa = flagged('2026-10-01', 'npa-risk', { probability: '0.4120', model: 'npa-90d.v1', topFactors: [{ feature: 'dpd', value: 0, contribution: '0.1000' }] });
    const a = foldRepaymentEvents([disbursed, flagged('2026-09-01', 'bounced-twice'), npa]);
    const b = foldRepaymentEvents([npa, disbursed, flagged('2026-09-01', 'bounced-twice')]);
    expect(a.loans[0]!.collectionsFlag).toEqual({ asOf: '2026-10-01', flag: 'npa-risk', probability: '0.4120', model: 'npa-90d.v1' });
    expect(b.loans[0]).toEqual(a.loans[0]);
    expect(factsOf(flagged('2026-09-01', 'dpd-rising')).loan.collectionsFlag).toEqual({ asOf: '2026-09-01', flag: 'dpd-rising', probability: null, model: null });
    const profile = repaymentProfile('tok_b', '2026-10-15', [record({ collectionsFlag: a.loans[0]!.collectionsFlag }), record({ loanId: 'old' })]);
    expect(profile.loansWithCollectionsFlag).toBe(1);
    expect(repaymentProfile('tok_b', '2027-01-15', [record({ collectionsFlag: a.loans[0]!.collectionsFlag })]).loansWithCollectionsFlag).toBe(0);
  });

  it('counts an early warning for 90 days from the day it was raised (the model horizon), not before it was raised', () => {
    const w = { asOf: '2026-09-01', probability: '0.4100', model: 'npa-90d.v1' };
    expect([earlyWarningInForce(w, '2026-08-31'), earlyWarningInForce(w, '2026-09-01'), earlyWarningInForce(w, '2026-11-30'), earlyWarningInForce(w, '2026-12-01')]).toEqual([false, true, true, false]);
    expect(earlyWarningInForce(null, '2026-09-01')).toBe(false);
    const profile = repaymentProfile('tok_b', '2026-10-01', [record({ earlyWarning: w }), record({ loanId: 'other', earlyWarning: w, closedOn: '2026-09-20', closureReason: 'repaid' })]);
    expect(profile.loansWithEarlyWarning).toBe(1); // the closed loan's warning no longer counts
    expect(repaymentProfile('tok_b', '2026-12-15', [record({ earlyWarning: w })]).loansWithEarlyWarning).toBe(0);
  });

  it('takes a charge-off as the date and the DPD it states', () => {
    const f = factsOf(envelope('LoanChargedOff', { eventKey: 'charged-off:2027-01-01', businessDate: '2027-01-01', principalWrittenOff: inr('5000000'), dpd: 120 }));
    expect(f.loan).toMatchObject({ chargedOffOn: '2027-01-01', dpd: { value: 120, asOf: '2027-01-01' }, worstDpd: 120 });
    expect(f.dpd).toEqual({ loanId: LOAN, businessDate: '2027-01-01', dpd: 120 });
  });
});

const record = (over: Partial<LoanRecord>): LoanRecord => ({
  loanId: LOAN, applicationId: '5d1b5a0c-0000-4000-8000-000000000001', disbursedOn: '2026-01-10', closedOn: null, closureReason: null, chargedOffOn: null,
  currentDpd: 0, dpdAsOf: null, worstDpd: 0, worstDpd12m: 0, installmentsDue: 0, installmentsPaidOnTime: 0, earlyWarning: null, lastBusinessDate: '2026-11-01', lastEventAt: '2026-11-01T00:05:00.000Z', ...over,
});

describe('the borrower profile', () => {
  it('has no DPD and no on-time ratio for a borrower with no loans, but zero loans held', () => {
    expect(repaymentProfile('tok_x', '2026-12-03', [])).toMatchObject({ loansOpen: 0, loansClosed: 0, loansChargedOff: 0, currentDpd: null, worstDpd12m: null, onTimeRatioBasisPoints: null, lastEventAt: null });
  });

  it('sums the loans: open ones, closures and charge-offs, the current DPD of the loans not closed, on-time basis points rounded down', () => {
    const p = repaymentProfile('tok_x', '2026-12-03', [
      record({ loanId: 'a', currentDpd: 45, worstDpd: 45, worstDpd12m: 31, installmentsDue: 5, installmentsPaidOnTime: 4 }),
      record({ loanId: 'b', closedOn: '2026-05-01', closureReason: 'repaid', currentDpd: 12, worstDpd: 90, worstDpd12m: 0, installmentsDue: 6, installmentsPaidOnTime: 2, lastEventAt: '2026-12-01T00:00:00.000Z' }),
      record({ loanId: 'c', chargedOffOn: '2026-10-01', currentDpd: 120, worstDpd: 120, worstDpd12m: 120, installmentsDue: 4, installmentsPaidOnTime: 0 }),
    ]);
    expect(p).toMatchObject({ loansOpen: 1, loansClosed: 1, loansChargedOff: 1, currentDpd: 120, worstDpd: 120, worstDpd12m: 120, installmentsDue: 15, installmentsPaidOnTime: 6, onTimeRatioBasisPoints: 4000, lastEventAt: '2026-12-01T00:00:00.000Z' });
    expect(p.loans.map((l) => [l.loanId, l.status])).toEqual([['a', 'open'], ['b', 'closed'], ['c', 'charged-off']]);
    // A delinquency still running counts in the 12-month window even when it was reported before it.
    expect(repaymentProfile('tok_x', '2026-12-03', [record({ currentDpd: 200, worstDpd: 200, worstDpd12m: 0 })]).worstDpd12m).toBe(200);
  });
});

describe('the contracts’ own lifecycle fixtures', () => {
  // Every accept fixture of the seven event types (one loan's story, as the LMS publishes it), through the parser the consumer uses.
  const dirs = ['loan-disbursed', 'installment-due', 'installment-overdue', 'installment-paid', 'delinquency-changed', 'loan-closed', 'loan-charged-off'];
  const root = new URL('../../../../../../packages/contracts/fixtures/', import.meta.url);
  const fixtures = dirs.flatMap((d) => readdirSync(new URL(`${d}.v1/accept/`, root)).map((f) => {
    const parsed = parseEvent(readFileSync(new URL(`${d}.v1/accept/${f}`, root)));
    if (!parsed.ok) throw new Error(`${d}/${f}: ${parsed.reason}`);
    return parsed.event as RepaymentEvent;
  }));
  const sorted = (f: ReturnType<typeof foldRepaymentEvents>) => JSON.stringify([f.loans, [...f.installments].sort((a, b) => a.installmentNumber - b.installmentNumber), [...f.dpd].sort((a, b) => a.businessDate.localeCompare(b.businessDate))]);

  it('folds them to the same facts in any order, each delivered once or twice', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    const expected = sorted(foldRepaymentEvents(fixtures));
    const random = seededRandom(20261203);
    for (let run = 0; run < 50; run += 1) {
      const delivered = [...fixtures, ...fixtures.filter(() => random() < 0.5)];
      for (let i = delivered.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [delivered[i], delivered[j]] = [delivered[j]!, delivered[i]!];
      }
      expect(sorted(foldRepaymentEvents(delivered)), `run ${run}`).toBe(expected);
    }
  });

  it('reads the story they tell: the late-paid EMI is settled after its due date, the latest delinquency change holds the DPD', () => {
    const facts = foldRepaymentEvents(fixtures);
    const latestDelinquency = fixtures.filter((e) => e.type === 'DelinquencyChanged').sort((a, b) => b.payload.businessDate.localeCompare(a.payload.businessDate))[0]!;
    const paidLate = fixtures.find((e) => e.type === 'InstallmentPaid')!;
    expect(facts.loans).toHaveLength(1);
    expect(facts.loans[0]!.dpd).toEqual({ value: (latestDelinquency.payload as { dpd: number }).dpd, asOf: latestDelinquency.payload.businessDate });
    expect(facts.loans[0]!.closedOn).not.toBeNull();
    expect(facts.loans[0]!.chargedOffOn).not.toBeNull();
    const settled = facts.installments.find((i) => i.installmentNumber === (paidLate.payload as { installmentNumber: number }).installmentNumber)!;
    expect(settled.fellDue).toBe(true);
    expect(settled.paidOn! > settled.dueDate).toBe(true);
  });
});
