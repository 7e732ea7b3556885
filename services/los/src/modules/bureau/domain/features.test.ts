import { describe, expect, it } from 'vitest';
import { decideBureau } from './bureau-decision.js';
import { deriveBureauFeatures, dpdOf } from './features.js';
import type { BureauReport, BureauTradeline } from './report.js';

const line = (t: Partial<BureauTradeline> = {}): BureauTradeline => ({
  portfolioType: 'I', accountType: '01', dateOpened: '2023-01-05', scheduledMonthlyPayment: 1_150_000n, currentBalance: 12_000_000n, amountPastDue: 0n,
  accountStatus: '11', paymentRating: '0', paymentHistoryProfile: '0'.repeat(24), ...t,
});
const report = (t: Partial<BureauReport> = {}): BureauReport => ({
  id: 'rpt_1', reportDate: '2026-12-02', currency: 'INR', scale: 2, score: 760,
  tradelines: [line(), line({ portfolioType: 'R', accountType: '18', scheduledMonthlyPayment: 0n, currentBalance: 4_000_000n })],
  inquiries: [{ date: '2026-09-12' }, { date: '2026-06-02' }, { date: '2025-10-20' }], ...t,
});
const income = { amount: '8500000', currency: 'INR', scale: 2 };

describe('bureau features', () => {
  it('sums obligations (5% of a revolving balance without a payment) and divides by income', () => {
    const f = deriveBureauFeatures(report(), income);
    expect(f.totalMonthlyObligations).toEqual({ amount: String(1_150_000 + 200_000), currency: 'INR', scale: 2 });
    expect(f.foirBasisPoints).toBe(Math.floor((1_350_000 * 10_000) / 8_500_000));
    expect(f).toMatchObject({ tradelines: 2, openTradelines: 2, worstDpd12m: 0, worstDpd24m: 0, enquiries6m: 1, thinFile: false, derogatory24m: false });
    expect(decideBureau(f).result).toBe('pass');
  });

  it("adds the proposed loan's monthly installment to FOIR, keeping the existing-only figure beside it", () => {
    const f = deriveBureauFeatures(report(), income, undefined, { amount: '1724000', currency: 'INR', scale: 2 });
    expect(f.existingFoirBasisPoints).toBe(Math.floor((1_350_000 * 10_000) / 8_500_000));
    expect(f.foirBasisPoints).toBe(Math.floor(((1_350_000 + 1_724_000) * 10_000) / 8_500_000));
    expect(f.proposedMonthlyInstallment).toEqual({ amount: '1724000', currency: 'INR', scale: 2 });
    // An installment in another currency than the report cannot be added: left out, and said so.
    const other = deriveBureauFeatures(report(), income, undefined, { amount: '100', currency: 'USD', scale: 2 });
    expect([other.foirBasisPoints, other.proposedMonthlyInstallment]).toEqual([other.existingFoirBasisPoints, null]);
  });

  it('leaves closed and paid-off lines out of obligations', () => {
    const f = deriveBureauFeatures(report({ tradelines: [line({ accountStatus: '13', currentBalance: 0n }), line()] }), income);
    expect(f.totalMonthlyObligations.amount).toBe('1150000');
    expect(f.openTradelines).toBe(1);
  });

  it('reads worst DPD over 12 and 24 months from the payment history profile', () => {
    expect(dpdOf('3')).toBe(90);
    expect(dpdOf('L')).toBe(180);
    expect(dpdOf('B')).toBeNull();
    const recent = deriveBureauFeatures(report({ tradelines: [line({ paymentHistoryProfile: '012321' + '0'.repeat(18) })] }), income);
    expect([recent.worstDpd12m, recent.worstDpd24m]).toEqual([90, 90]);
    expect(decideBureau(recent).result).toBe('fail');
    // Month index 14 and 15 of the profile are 15 and 16 months ago: outside 12 months, inside 24.
    const old = deriveBureauFeatures(report({ tradelines: [line(), line({ paymentHistoryProfile: '0'.repeat(14) + '12' + '0'.repeat(8) })] }), income);
    expect([old.worstDpd12m, old.worstDpd24m]).toEqual([0, 60]);
    expect(decideBureau(old)).toMatchObject({ result: 'refer', reasons: [{ code: 'bureau-dpd-24m' }] });
    const current = deriveBureauFeatures(report({ tradelines: [line({ accountStatus: '78', paymentRating: '2' })] }), income);
    expect(current.worstDpd12m).toBe(60);
  });

  it('flags derogatory marks, thin files, enquiries and FOIR by the thresholds', () => {
    const chargedOff = deriveBureauFeatures(report({ tradelines: [line({ accountStatus: '97', paymentRating: 'L' }), line()] }), income);
    expect(chargedOff.derogatory24m).toBe(true);
    expect(decideBureau(chargedOff).reasons.map((r) => r.code)).toContain('bureau-derogatory');
    const thin = deriveBureauFeatures(report({ score: null, tradelines: [], inquiries: [] }), income);
    expect(thin).toMatchObject({ thinFile: true, foirBasisPoints: 0, tradelines: 0 });
    expect(decideBureau(thin).reasons.map((r) => r.code)).toEqual(['bureau-thin-file']);
    const young = deriveBureauFeatures(report({ tradelines: [line({ paymentHistoryProfile: '000' + 'B'.repeat(21) }), line()] }), income);
    expect(young.thinFile).toBe(true);
    const busy = deriveBureauFeatures(report({ inquiries: Array.from({ length: 7 }, (_, i) => ({ date: `2026-${String(11 - i).padStart(2, '0')}-15` })) }), income);
    expect(busy.enquiries6m).toBe(6);
    expect(decideBureau(busy).reasons.map((r) => r.code)).toEqual(['bureau-enquiries-6m']);
    const stretched = deriveBureauFeatures(report(), { amount: '2000000', currency: 'INR', scale: 2 });
    expect(decideBureau(stretched).reasons.map((r) => r.code)).toEqual(['foir-above-max']);
    expect(decideBureau(stretched, { failDpd12m: 90, referDpd24m: 30, maxFoirBasisPoints: 7_000, maxEnquiries6m: 4, minScore: 650 }).result).toBe('pass');
  });

  it('has no FOIR without income or across currencies, and compares across scales', () => {
    expect(deriveBureauFeatures(report(), null).foirBasisPoints).toBeNull();
    expect(deriveBureauFeatures(report(), { amount: '85000', currency: 'USD', scale: 2 }).foirBasisPoints).toBeNull();
    expect(deriveBureauFeatures(report(), { amount: '85000', currency: 'INR', scale: 0 }).foirBasisPoints).toBe(deriveBureauFeatures(report(), income).foirBasisPoints);
  });
});
