import { describe, expect, it } from 'vitest';
import { bureauEvidence, checkRecord, cleanApplicant } from '../../../../test/underwriting-fixtures.js';
import { repaymentProfile } from '../../borrower-profile/domain/repayment-profile.js';
import { monthlyInstallmentOf } from '../../checks/check-subject.js';
import { ageOn, deriveFeatures, FEATURE_CATALOG, FEATURE_NAMES, featureValues } from './features.js';

describe('underwriting features', () => {
  it('derives every catalogued feature from a clean applicant, each with its source', () => {
    const input = cleanApplicant();
    const f = deriveFeatures(input);
    expect(Object.keys(f).sort()).toEqual([...FEATURE_NAMES].sort());
    for (const name of FEATURE_NAMES) {
      expect(f[name].source, name).not.toBe('');
      if (f[name].value !== null) expect(typeof f[name].value, name).toBe(FEATURE_CATALOG[name].type);
    }
    expect(f.ageYears.value).toBe(36);
    expect(f.residenceCountry.value).toBe('IN');
    expect(f.bureauScore).toEqual({ value: 780, source: 'check:bureau#r1 evidence.features.score' });
    expect(f.verifiedMonthlyIncomeMinor.value).toBe(15_000_000);
    expect(f.kycResult.value).toBe('pass');
    expect(f.pepMatch.value).toBe(false);
  });

  it('computes FOIR over the verified income with the proposed installment: (10,000 + EMI) / 1,50,000', () => {
    const input = cleanApplicant();
    const emi = Number(monthlyInstallmentOf(input.loanRequest)!.amount);
    const f = deriveFeatures(input);
    expect(f.proposedMonthlyInstallmentMinor.value).toBe(emi);
    expect(f.foirBasisPoints.value).toBe(Math.floor(((1_000_000 + emi) * 10_000) / 15_000_000));
    expect(f.foirBasisPoints.source).toMatch(/verified income/);
  });

  it('falls back to the stated income when no payslip was read, and says so', () => {
    const f = deriveFeatures(cleanApplicant({ incomeMinor: '10000000', payslipMinor: null }));
    expect(f.verifiedMonthlyIncomeMinor).toMatchObject({ value: null, missing: 'no-payslip-read' });
    expect(f.foirBasisPoints.source).toMatch(/stated income/);
  });

  it('makes missing features explicit: no date of birth, a parked bureau check, no score', () => {
    const parked = deriveFeatures(cleanApplicant({ dateOfBirth: null, checks: { bureau: null } }));
    expect(parked.ageYears).toMatchObject({ value: null, missing: 'not-stated' });
    expect(parked.bureauScore).toMatchObject({ value: null, missing: 'check-exception' });
    expect(parked.foirBasisPoints).toMatchObject({ value: null, missing: 'check-exception' });
    const noScore = deriveFeatures(cleanApplicant({ bureau: { score: null, thinFile: true } }));
    expect(noScore.bureauScore).toMatchObject({ value: null, missing: 'not-reported' });
    expect(noScore.thinFile.value).toBe(true);
  });

  it('does not convert across currencies: a USD bureau report leaves obligations and FOIR missing', () => {
    const input = cleanApplicant();
    const usd = { ...bureauEvidence(), features: { ...bureauEvidence().features, totalMonthlyObligations: { amount: '100', currency: 'USD', scale: 2 } } };
    const f = deriveFeatures({ ...input, checks: input.checks.map((c) => (c.kind === 'bureau' ? checkRecord('bureau', 'pass', usd) : c)) });
    expect(f.existingMonthlyObligationsMinor).toMatchObject({ value: null, missing: 'currency-mismatch' });
    expect(f.foirBasisPoints.value).toBeNull();
  });

  it('reads a PEP hit and check outcomes as they were stored', () => {
    const f = featureValues(deriveFeatures(cleanApplicant({ pep: true, checks: { sanctions: 'refer', velocity: 'refer' } })));
    expect(f).toMatchObject({ pepMatch: true, sanctionsResult: 'refer', velocityResult: 'refer', duplicateResult: 'pass' });
  });

  it('counts age in whole years, the birthday itself included', () => {
    expect(ageOn('2000-12-02', '2026-12-02')).toBe(26);
    expect(ageOn('2000-12-03', '2026-12-02')).toBe(25);
    expect(ageOn('2004-02-29', '2026-02-28')).toBe(21);
    expect(ageOn('2004-02-29', '2026-03-01')).toBe(22);
    expect(ageOn('2030-01-01', '2026-12-02')).toBeNull();
  });
});

describe('features from the borrower’s repayment profile at this lender', () => {
  const LOAN = '0b8f6c1e-2f43-4c0e-9a51-3d3c1a7f9e20';
  const profile = repaymentProfile('tok_borrower', '2026-12-02', [{
    loanId: LOAN, applicationId: '5d1b5a0c-0000-4000-8000-000000000001', disbursedOn: '2026-06-01', closedOn: null, closureReason: null, chargedOffOn: null,
    currentDpd: 45, dpdAsOf: '2026-11-15', worstDpd: 45, worstDpd12m: 45, installmentsDue: 3, installmentsPaidOnTime: 2, earlyWarning: null, lastBusinessDate: '2026-11-15', lastEventAt: '2026-11-16T00:05:00.000Z',
  }]);

  it('reads loans held, DPD and the on-time ratio, each naming the profile it came from; a top-up names its loan', () => {
    const f = deriveFeatures({ ...cleanApplicant(), lender: { topUpOf: LOAN, profile } });
    expect(featureValues(f)).toMatchObject({ topUp: true, topUpLoanOpenAtLender: true, existingLoansOpen: 1, loansClosedAtLender: 0, chargeOffsAtLender: 0, currentDpdAtLender: 45, worstDpdAtLender12m: 45, onTimeRatioBasisPointsAtLender: 6666 });
    expect(f.currentDpdAtLender.source).toBe('repayment-profile currentDpd of tok_borrower');
  });

  it('says why a lender feature is missing: no loans with us, not a top-up, or not looked up', () => {
    const first = deriveFeatures({ ...cleanApplicant(), lender: { topUpOf: null, profile: repaymentProfile('tok_new', '2026-12-02', []) } });
    expect(first.existingLoansOpen.value).toBe(0);
    expect(first.topUp.value).toBe(false);
    expect(first.currentDpdAtLender).toMatchObject({ value: null, missing: 'no-loans-at-lender' });
    expect(first.onTimeRatioBasisPointsAtLender).toMatchObject({ value: null, missing: 'no-installments-due' });
    expect(first.topUpLoanOpenAtLender).toMatchObject({ value: null, missing: 'not-a-top-up' });
    expect(deriveFeatures(cleanApplicant()).topUp).toMatchObject({ value: null, missing: 'not-looked-up' });
  });

  it('reads a decision stored before the lender features existed with them missing', () => {
    const old = Object.fromEntries(Object.entries(deriveFeatures(cleanApplicant())).filter(([n]) => !n.endsWith('AtLender') && n !== 'topUp' && n !== 'existingLoansOpen'));
    const values = featureValues(old as ReturnType<typeof deriveFeatures>);
    expect(values.currentDpdAtLender).toBeNull();
    expect(values.bureauScore).toBe(780);
  });
});
