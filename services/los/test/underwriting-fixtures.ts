// An applicant and stored check results as the checks module leaves them, for the underwriting tests.
import { loanTermsShape } from '@lendstack/contracts';
import { z } from 'zod';
import type { LoanTerms } from '../src/modules/applications/domain/application.js';
import type { CheckKind, CheckResult, CheckRunner } from '../src/modules/checks/check-runner.js';
import type { RegisteredRunner } from '../src/modules/checks/runners.js';
import type { CheckRecord } from '../src/modules/checks/ports.js';
import type { FeatureInput } from '../src/modules/underwriting/domain/features.js';

export const loanTerms = (t: Partial<LoanTerms> = {}): LoanTerms => z.object(loanTermsShape).parse({
  productCode: 'PL-12', principal: { amount: '50000000', currency: 'INR', scale: 2 }, annualRatePercent: '14.5', termPeriods: 12,
  frequency: 'monthly', expectedDisbursementDate: '2026-12-09', scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', fees: [], ...t,
}) as LoanTerms;

const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });

export interface BureauShape {
  score?: number | null;
  worstDpd12m?: number;
  worstDpd24m?: number;
  derogatory24m?: boolean;
  enquiries6m?: number;
  openTradelines?: number;
  thinFile?: boolean;
  obligationsMinor?: string;
}

export function checkRecord(kind: CheckKind, result: CheckResult | null, evidence: Record<string, unknown> = {}, extra: Partial<CheckRecord> = {}): CheckRecord {
  return {
    applicationId: '00000000-0000-4000-8000-000000000001', tenantId: 'demo', kind, run: 1,
    status: result ? 'completed' : 'exception', result, score: null, reasons: [], vendorReference: null, evidence,
    attempts: 1, idempotencyKey: `chk-${kind}`, startedAt: null, completedAt: null, durationMs: null, ...extra,
  };
}

export const bureauEvidence = (b: BureauShape = {}) => ({
  vendor: 'sandbox-bureau', reportId: 'rep-1', reportDate: '2026-11-30',
  features: {
    reportId: 'rep-1', score: b.score === undefined ? 780 : b.score, tradelines: 4, openTradelines: b.openTradelines ?? 2,
    totalMonthlyObligations: inr(b.obligationsMinor ?? '1000000'), foirBasisPoints: 0, existingFoirBasisPoints: 0, proposedMonthlyInstallment: null,
    worstDpd12m: b.worstDpd12m ?? 0, worstDpd24m: b.worstDpd24m ?? 0, derogatory24m: b.derogatory24m ?? false, enquiries6m: b.enquiries6m ?? 1, thinFile: b.thinFile ?? false,
  },
});

/** A clean salaried applicant: INR 1,50,000 a month stated and on the payslip, score 780, no delinquency. */
export function cleanApplicant(over: { bureau?: BureauShape; dateOfBirth?: string | null; incomeMinor?: string; payslipMinor?: string | null; loan?: Partial<LoanTerms>; checks?: Partial<Record<CheckKind, CheckResult | null>>; pep?: boolean } = {}): FeatureInput {
  const income = over.incomeMinor ?? '15000000';
  const payslip = over.payslipMinor === undefined ? income : over.payslipMinor;
  const result = (k: CheckKind): CheckResult | null => (over.checks && k in over.checks ? over.checks[k]! : 'pass');
  return {
    applicant: { address: { country: 'IN' } },
    loanRequest: loanTerms(over.loan),
    employment: { monthlyNetIncome: inr(income) },
    dateOfBirth: over.dateOfBirth === undefined ? '1990-05-17' : over.dateOfBirth,
    asOf: '2026-12-02',
    checks: [
      checkRecord('kyc', result('kyc'), { vendor: 'nsdl-pan' }),
      checkRecord('bureau', result('bureau'), bureauEvidence(over.bureau)),
      checkRecord('income', result('income'), payslip === null ? { statedMonthlyIncome: inr(income), payslipNetPay: null, used: 'stated' } : { statedMonthlyIncome: inr(income), payslipNetPay: inr(payslip), used: 'payslip' }),
      checkRecord('document-ocr', result('document-ocr'), {}),
      checkRecord('duplicate', result('duplicate'), {}),
      checkRecord('velocity', result('velocity'), { windows: [] }),
      checkRecord('device', result('device'), { provided: true }),
      checkRecord('sanctions', result('sanctions'), { match: null, pepMatch: over.pep ? { uid: 'pep-1' } : null }, over.pep ? { reasons: [{ code: 'pep-match', detail: 'PEP' }] } : {}),
    ],
  };
}

/** Credit profiles by the applicant's family name, for the integration tests that run the checks workflow. */
export const PROFILES: Record<string, BureauShape> = {
  Sharma: { score: 790, enquiries6m: 0, openTradelines: 5, obligationsMinor: '500000' },
  Lowscore: { score: 560, worstDpd24m: 60, enquiries6m: 6, openTradelines: 1, obligationsMinor: '6000000' },
  Thinfile: { score: null, thinFile: true, openTradelines: 1, enquiries6m: 0, obligationsMinor: '0' },
};
export const income = (family: string) => (family === 'Thinfile' ? '30000000' : '15000000');
export { inr };
const answer = (kind: CheckRunner['kind'], evidence: (family: string) => Record<string, unknown>): RegisteredRunner => ({
  runner: { kind, run: async (subject) => ({ kind, result: 'pass', reasons: [], evidence: evidence(subject.applicant.name.family) }) },
});
const OWN_DATA = ['duplicate', 'velocity', 'device', 'sanctions'];

/**
 * The LOS's own-data checks (duplicate, velocity, device, sanctions) as in production; KYC, OCR, income and
 * the bureau answer by the applicant's family name (PROFILES), so each case is a known credit profile.
 */
export const controlledRunners = (defaults: RegisteredRunner[]): RegisteredRunner[] => [
  ...defaults.filter((r) => OWN_DATA.includes(r.runner.kind)),
  answer('kyc', () => ({ vendor: 'test-kyc' })),
  answer('document-ocr', () => ({ documents: [] })),
  answer('income', (f) => ({ statedMonthlyIncome: inr(income(f)), payslipNetPay: inr(income(f)), used: 'payslip', usedMonthlyIncome: inr(income(f)) })),
  answer('bureau', (f) => bureauEvidence(PROFILES[f] ?? {})),
];
