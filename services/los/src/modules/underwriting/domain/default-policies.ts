/**
 * The default policy a tenant starts with for a product, by the product's currency and ranges. The cut-offs
 * are common retail-lending practice, not regulation (see ../shared/research/origination.md §4a): FOIR at
 * most 50 % in India, DTI at most 43 % in the US, bureau score 650, no 90+ DPD in 12 months. Reasons use
 * the wording of Reg B Form C-1 where one fits. A top-up is declined while the borrower is delinquent on a loan
 * with us (the LMS's DPD, from the repayment profile). A tenant replaces them through the policies API.
 */
import type { PolicyDocument } from './policy.js';

export interface ProductShape {
  readonly code: string;
  readonly currency: 'INR' | 'USD';
  readonly maxPrincipalMinor: number;
  readonly maxTermPeriods: number;
  /** The product's rate range, percent a year (the pricing bands stay inside it). */
  readonly minRatePercent: string;
  readonly maxRatePercent: string;
}

/** The LMS's demo products (services/lms …/demo-products.ts) as the LOS seeds policies for them. */
export const DEMO_PRODUCTS: readonly ProductShape[] = [
  { code: 'PL-12', currency: 'INR', maxPrincipalMinor: 250_000_000, maxTermPeriods: 60, minRatePercent: '10.5', maxRatePercent: '24' },
  { code: 'SME-TL', currency: 'INR', maxPrincipalMinor: 5_000_000_000, maxTermPeriods: 84, minRatePercent: '11', maxRatePercent: '20' },
  { code: 'BNPL-4', currency: 'USD', maxPrincipalMinor: 200_000, maxTermPeriods: 4, minRatePercent: '0', maxRatePercent: '0' },
  { code: 'PAYDAY-30', currency: 'USD', maxPrincipalMinor: 100_000, maxTermPeriods: 1, minRatePercent: '0', maxRatePercent: '0' },
];

const mid = (a: string, b: string) => String(Math.round(((Number(a) + Number(b)) / 2) * 100) / 100);

export function defaultPolicy(p: ProductShape): PolicyDocument {
  const india = p.currency === 'INR';
  const part = (fraction: number) => Math.floor(p.maxPrincipalMinor * fraction);
  return {
    eligibility: [
      india
        ? { id: 'age-range', feature: 'ageYears', test: '[21..60]', onFail: 'decline', onMissing: 'refer', reason: 'Age outside the range this product lends to (21 to 60)' }
        : { id: 'age-minimum', feature: 'ageYears', test: '>= 18', onFail: 'decline', onMissing: 'refer', reason: 'Applicant is under the legal age to contract' },
      { id: 'residency', feature: 'residenceCountry', test: india ? '"IN"' : '"US"', onFail: 'decline', onMissing: 'refer', reason: 'Residence outside the country this product lends in' },
      { id: 'income-floor', feature: 'statedMonthlyIncomeMinor', test: india ? '>= 2500000' : '>= 150000', onFail: 'decline', onMissing: 'refer', reason: 'Income insufficient for amount of credit requested' },
      { id: 'income-verified', feature: 'incomeVerified', test: 'true', onFail: 'refer', onMissing: 'refer', reason: 'Unable to verify income' },
      { id: 'foir-cap', feature: 'foirBasisPoints', test: india ? '<= 5000' : '<= 4300', onFail: 'decline', onMissing: 'refer', reason: 'Excessive obligations in relation to income' },
      { id: 'bureau-score', feature: 'bureauScore', test: '>= 650', onFail: 'decline', onMissing: 'refer', reason: 'Credit bureau score below the product’s minimum of 650' },
      { id: 'worst-dpd-12m', feature: 'worstDpd12m', test: '< 90', onFail: 'decline', onMissing: 'refer', reason: 'Delinquent past or present credit obligations with others' },
      { id: 'worst-dpd-24m', feature: 'worstDpd24m', test: '< 30', onFail: 'refer', onMissing: 'refer', reason: 'Delinquent past or present credit obligations with others' },
      { id: 'derogatory', feature: 'derogatory24m', test: 'false', onFail: 'decline', onMissing: 'refer', reason: 'Collection action, charge-off or repossession on the credit report' },
      { id: 'enquiries-6m', feature: 'enquiries6m', test: '<= 4', onFail: 'refer', onMissing: 'refer', reason: 'Number of recent inquiries on credit bureau report' },
      { id: 'sanctions-not-listed', feature: 'sanctionsResult', test: '"pass", "refer"', onFail: 'decline', onMissing: 'refer', reason: 'Applicant matches a government sanctions list' },
      { id: 'sanctions-clear', feature: 'sanctionsResult', test: '"pass"', onFail: 'refer', onMissing: 'refer', reason: 'Possible match on a government sanctions list' },
      { id: 'pep-clear', feature: 'pepMatch', test: 'false', onFail: 'refer', onMissing: 'refer', reason: 'Applicant is a politically exposed person' },
      { id: 'kyc-not-rejected', feature: 'kycResult', test: '"pass", "refer"', onFail: 'decline', onMissing: 'refer', reason: 'Unable to verify identity' },
      { id: 'kyc-clear', feature: 'kycResult', test: '"pass"', onFail: 'refer', onMissing: 'refer', reason: 'Identity verification needs review' },
      { id: 'duplicate-clear', feature: 'duplicateResult', test: '"pass"', onFail: 'refer', onMissing: 'refer', reason: 'Identity details seen on other applications' },
      { id: 'velocity-clear', feature: 'velocityResult', test: '"pass"', onFail: 'refer', onMissing: 'refer', reason: 'Many applications in a short time' },
      { id: 'device-clear', feature: 'deviceResult', test: '"pass"', onFail: 'refer', onMissing: 'refer', reason: 'Device used by other applicants' },
      // Top-ups only: a borrower behind on a loan with us (any DPD the LMS reports) gets no more credit; a
      // top-up of a loan that is not theirs and open here, or with no record of their loans, goes to a person.
      { id: 'top-up-not-delinquent', appliesWhen: { feature: 'topUp', test: 'true' }, feature: 'currentDpdAtLender', test: '<= 0', onFail: 'decline', onMissing: 'refer', reason: 'Delinquent on an existing loan with us' },
      { id: 'top-up-of-open-loan', appliesWhen: { feature: 'topUp', test: 'true' }, feature: 'topUpLoanOpenAtLender', test: 'true', onFail: 'refer', onMissing: 'refer', reason: 'The loan to top up is not an open loan of this borrower with us' },
      // A borrower whose loan with us the LMS's NPA model expects to reach 90+ DPD goes to a person before more credit.
      { id: 'top-up-no-early-warning', appliesWhen: { feature: 'topUp', test: 'true' }, feature: 'earlyWarningsAtLender', test: '<= 0', onFail: 'refer', onMissing: 'refer', reason: 'Early warning of default on an existing loan with us' },
    ],
    // Score bands sit where the shipped scorecard puts applicants (roughly 430–640 points; 580 = 25:1 odds).
    limits: {
      hitPolicy: 'first',
      inputs: ['scorecardScore'],
      rules: [
        { id: 'score-600-up', when: { scorecardScore: '>= 600' }, then: { maxPrincipalMinor: p.maxPrincipalMinor, maxTermPeriods: p.maxTermPeriods } },
        { id: 'score-580-599', when: { scorecardScore: '[580..600)' }, then: { maxPrincipalMinor: part(0.5), maxTermPeriods: p.maxTermPeriods } },
        { id: 'score-below-580', when: {}, then: { maxPrincipalMinor: part(0.2), maxTermPeriods: Math.max(1, Math.ceil(p.maxTermPeriods * 0.6)) } },
      ],
    },
    pricing: {
      hitPolicy: 'first',
      inputs: ['scorecardScore'],
      rules: [
        { id: 'band-a', when: { scorecardScore: '>= 610' }, then: { band: 'A', annualRatePercent: p.minRatePercent } },
        { id: 'band-b', when: { scorecardScore: '[590..610)' }, then: { band: 'B', annualRatePercent: mid(p.minRatePercent, p.maxRatePercent) } },
        { id: 'band-c', when: {}, then: { band: 'C', annualRatePercent: p.maxRatePercent } },
      ],
    },
    scorecard: { declineBelow: 540, approveAtOrAbove: 580 },
  };
}
