import { describe, expect, it } from 'vitest';
import { deriveFeatures } from '../../underwriting/domain/features.js';
import type { ScoreResult } from '../../underwriting/domain/scorecard.js';
import { cleanApplicant } from '../../../../test/underwriting-fixtures.js';
import { adverseActionNotice, ECOA_NOTICE, formatMoney, type NoticeInput } from './adverse-action-notice.js';
import { DEMO_CREDITOR } from './demo-data.js';

const scorecard = (reasons: ScoreResult['reasons']): ScoreResult => ({ score: 512, pd: 0.2, attributes: [], reasons } as unknown as ScoreResult);
const input = (over: Partial<NoticeInput> = {}): NoticeInput => ({
  noticeDate: '2026-12-03', applicationId: 'a1',
  applicant: { name: { given: 'Priya', family: 'Sharma' }, address: { line1: '14 MG Road', city: 'Bengaluru', region: 'KA', postalCode: '560001', country: 'IN' } },
  loan: { productCode: 'PL-12M', principal: { amount: '50000000', currency: 'INR', scale: 2 } },
  reasons: ['Credit bureau score below the product’s minimum of 650', 'Delinquent past or present credit obligations'], decidedBy: 'automated underwriting', creditor: DEMO_CREDITOR,
  features: deriveFeatures(cleanApplicant({ bureau: { score: 560, worstDpd24m: 60, enquiries6m: 7 } })),
  scorecard: scorecard([
    { feature: 'worstDpd24m', reason: 'Delinquent past or present credit obligations', shortfall: 60 },
    { feature: 'foirBasisPoints', reason: 'Excessive obligations in relation to income', shortfall: 30 },
    { feature: 'bureauScore', reason: 'Credit bureau score indicates higher risk', shortfall: 25 },
    { feature: 'openTradelines', reason: 'Limited credit experience', shortfall: 20 },
  ]),
  bureauReportDate: '2026-11-30', ...over,
});

describe('adverse-action notice content', () => {
  it('names the creditor, the action, at most four reasons and the ECOA agency', () => {
    const n = adverseActionNotice(input({ reasons: ['a', 'b', 'c', 'd', 'e'] }));
    expect(n).toMatchObject({ creditor: { name: DEMO_CREDITOR.legalName, address: DEMO_CREDITOR.address }, applicant: { name: 'Priya Sharma', address: '14 MG Road, Bengaluru KA 560001, IN' }, ecoaNotice: ECOA_NOTICE, agency: { name: DEMO_CREDITOR.agencyName } });
    expect(n.actionTaken).toBe('We have declined your application for credit: PL-12M, INR 500,000.00.');
    expect(n.reasons).toEqual(['a', 'b', 'c', 'd']);
  });

  it('discloses the bureau score with its range, date, bureau and the key factors from what the bureau reported', () => {
    const n = adverseActionNotice(input());
    expect(n.creditScore).toMatchObject({ score: 560, range: { min: 300, max: 900 }, date: '2026-11-30', bureau: { name: DEMO_CREDITOR.bureauName, phone: DEMO_CREDITOR.bureauPhone } });
    // FOIR is computed from the application's income, not reported by the bureau: not a key factor of its score.
    expect(n.creditScore!.keyFactors).toEqual(['Delinquent past or present credit obligations', 'Credit bureau score indicates higher risk', 'Limited credit experience']);
  });

  it('adds the number of enquiries as a fifth key factor when it is one (15 U.S.C. 1681g(f)(9))', () => {
    const base = input();
    const n = adverseActionNotice({ ...base, scorecard: scorecard([...base.scorecard!.reasons.filter((r) => r.feature !== 'foirBasisPoints'), { feature: 'worstDpd12m', reason: 'Recent delinquency', shortfall: 10 }, { feature: 'enquiries6m', reason: 'Too many recent credit enquiries', shortfall: 5 }]) });
    expect(n.creditScore!.keyFactors).toHaveLength(5);
    expect(n.creditScore!.keyFactors.at(-1)).toBe('Too many recent credit enquiries');
  });

  it('has no score disclosure when no bureau score was used', () => {
    expect(adverseActionNotice(input({ features: deriveFeatures(cleanApplicant({ bureau: { score: null, thinFile: true } })) })).creditScore).toBeNull();
  });

  it('has no score disclosure when no automated decision scored the application (an operator declined it first)', () => {
    const { features: _f, scorecard: _s, ...unscored } = input();
    const n = adverseActionNotice({ ...unscored, decidedBy: 'credit review' });
    expect(n.creditScore).toBeNull();
    expect(n.reasons).toEqual(input().reasons);
  });

  it('formats minor units in major units by scale', () => {
    expect(formatMoney({ amount: '50000000', currency: 'INR', scale: 2 })).toBe('INR 500,000.00');
    expect(formatMoney({ amount: '1500', currency: 'JPY', scale: 0 })).toBe('JPY 1,500');
    expect(formatMoney({ amount: '5', currency: 'KWD', scale: 3 })).toBe('KWD 0.005');
  });
});
