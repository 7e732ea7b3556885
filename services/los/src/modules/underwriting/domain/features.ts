/**
 * The flat, typed feature set underwriting decides on, derived purely from an application and its stored
 * check results. Every feature carries where it came from; a feature we could not derive is `null` with the
 * reason it is missing (never a silent zero). Money features are integer minor units in the application's
 * currency (the loan request's); an amount in another currency is missing, not converted.
 */
import type { Money } from '@lendstack/contracts';
import type { LoanTerms } from '../../applications/domain/application.js';
import { monthlyInstallmentOf } from '../../checks/check-subject.js';
import type { RepaymentProfile } from '../../borrower-profile/domain/repayment-profile.js';
import type { CheckRecord } from '../../checks/ports.js';

export type FeatureType = 'number' | 'string' | 'boolean';

/** Every feature a policy or the scorecard may refer to, with its type and what it means. */
export const FEATURE_CATALOG = {
  ageYears: { type: 'number', description: 'Age in whole years on the decision date, from the date of birth' },
  residenceCountry: { type: 'string', description: 'ISO 3166-1 alpha-2 country of the applicant’s address' },
  productCode: { type: 'string', description: 'Product of the loan request' },
  currency: { type: 'string', description: 'Currency of the loan request' },
  requestedPrincipalMinor: { type: 'number', description: 'Requested principal, minor units' },
  termPeriods: { type: 'number', description: 'Requested term, in repayment periods' },
  statedMonthlyIncomeMinor: { type: 'number', description: 'Monthly net income the applicant stated, minor units' },
  verifiedMonthlyIncomeMinor: { type: 'number', description: 'Monthly net pay read from a payslip by the income check, minor units' },
  incomeVerified: { type: 'boolean', description: 'The income check passed (payslip net pay supports the stated income)' },
  proposedMonthlyInstallmentMinor: { type: 'number', description: 'The requested loan’s monthly installment, minor units' },
  existingMonthlyObligationsMinor: { type: 'number', description: 'Monthly obligations of the open bureau tradelines, minor units' },
  foirBasisPoints: { type: 'number', description: '(existing obligations + proposed installment) ÷ monthly income (verified, else stated), basis points' },
  bureauScore: { type: 'number', description: 'Bureau score (absent for no or a too-short history)' },
  worstDpd12m: { type: 'number', description: 'Worst days past due on any tradeline in 12 months (lower bound of the bucket)' },
  worstDpd24m: { type: 'number', description: 'Worst days past due on any tradeline in 24 months' },
  derogatory24m: { type: 'boolean', description: 'A collection, charge-off or repossession in 24 months' },
  enquiries6m: { type: 'number', description: 'Credit enquiries in the 6 months before the report' },
  openTradelines: { type: 'number', description: 'Open tradelines on the bureau report' },
  thinFile: { type: 'boolean', description: 'No score or fewer than two seasoned tradelines' },
  kycResult: { type: 'string', description: 'KYC check result: pass, refer or fail' },
  sanctionsResult: { type: 'string', description: 'Sanctions screening result: pass, refer or fail' },
  pepMatch: { type: 'boolean', description: 'The applicant matched a politically exposed person' },
  duplicateResult: { type: 'string', description: 'Duplicate-identity check result' },
  velocityResult: { type: 'string', description: 'Application velocity check result' },
  deviceResult: { type: 'string', description: 'Device check result' },
  // The borrower's record with this lender, from the LMS's lifecycle events (modules/borrower-profile).
  topUp: { type: 'boolean', description: 'The application tops up an existing loan with us (submission field topUpOf)' },
  topUpLoanOpenAtLender: { type: 'boolean', description: 'The loan a top-up names is an open loan of this borrower with us (absent when not a top-up)' },
  existingLoansOpen: { type: 'number', description: 'Loans the borrower holds with us that are open at the LMS' },
  loansClosedAtLender: { type: 'number', description: 'Loans of the borrower with us that closed (repaid, foreclosed, topped up …)' },
  chargeOffsAtLender: { type: 'number', description: 'Loans of the borrower with us that were charged off' },
  currentDpdAtLender: { type: 'number', description: 'Highest days past due of the borrower’s loans with us not closed, as the LMS last reported it (absent with no loans)' },
  worstDpdAtLender12m: { type: 'number', description: 'Worst days past due the LMS reported on the borrower’s loans with us in the 12 months to the decision date' },
  onTimeRatioBasisPointsAtLender: { type: 'number', description: 'Installments paid by their due date ÷ installments due on the borrower’s loans with us, basis points (absent when none fell due)' },
  earlyWarningsAtLender: { type: 'number', description: 'Open loans of the borrower with us on which the LMS raised an NPA early warning (LoanEarlyWarningRaised) in the 90 days to the decision date' },
} as const satisfies Record<string, { type: FeatureType; description: string }>;

export type FeatureName = keyof typeof FEATURE_CATALOG;
export const FEATURE_NAMES = Object.keys(FEATURE_CATALOG) as FeatureName[];
export const isFeatureName = (name: string): name is FeatureName => Object.hasOwn(FEATURE_CATALOG, name);

export type FeatureValue = number | string | boolean;

export interface Feature {
  readonly value: FeatureValue | null;
  /** `application.employment.monthlyNetIncome`, `check:bureau#r1 evidence.features.score` … */
  readonly source: string;
  /** Why the value is null: `check-not-completed`, `not-stated`, `currency-mismatch` … */
  readonly missing?: string;
}

export type FeatureSet = Readonly<Record<FeatureName, Feature>>;

/** What features are derived from: the application as stored, its check records, and the revealed date of birth. */
export interface FeatureInput {
  readonly applicant: { readonly address: { readonly country: string } };
  readonly loanRequest: LoanTerms;
  readonly employment: { readonly monthlyNetIncome: Money } | null;
  readonly checks: readonly CheckRecord[];
  /** Clear `YYYY-MM-DD`, revealed by the caller from the sealed PII; null when there is none. */
  readonly dateOfBirth: string | null;
  /** The decision date, `YYYY-MM-DD`. */
  readonly asOf: string;
  /**
   * The applicant's record with this lender: the loan a top-up names and the borrower's repayment profile.
   * Absent when it was not looked up (its features are missing as `not-looked-up`).
   */
  readonly lender?: { readonly topUpOf: string | null; readonly profile: RepaymentProfile };
}

const have = (value: FeatureValue, source: string): Feature => ({ value, source });
const lack = (missing: string, source: string): Feature => ({ value: null, source, missing });

/** Whole years between a birth date and a date, both `YYYY-MM-DD` (a 29 February birthday falls on 1 March in other years). */
export function ageOn(dateOfBirth: string, asOf: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/;
  const b = m.exec(dateOfBirth);
  const a = m.exec(asOf);
  if (!b || !a) return null;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [ay, am, ad] = [Number(a[1]), Number(a[2]), Number(a[3])];
  const hadBirthday = am > bm || (am === bm && ad >= bd);
  const age = ay - by - (hadBirthday ? 0 : 1);
  return age >= 0 ? age : null;
}

/** Minor units of `money` at `scale`, or null when the currency differs or the amount is not a safe integer. */
function minorIn(money: unknown, currency: string, scale: number): number | null {
  if (!money || typeof money !== 'object') return null;
  const { amount, currency: c, scale: s } = money as Partial<Money>;
  if (c !== currency || typeof amount !== 'string' || typeof s !== 'number' || !/^-?\d+$/.test(amount) || s > scale) return null;
  const value = BigInt(amount) * 10n ** BigInt(scale - s);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

const latest = (checks: readonly CheckRecord[], kind: CheckRecord['kind']) => checks.find((c) => c.kind === kind);
const at = (c: CheckRecord, path: string) => `check:${c.kind}#r${c.run} ${path}`;
const field = (o: unknown, key: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined);

function checkResult(checks: readonly CheckRecord[], kind: CheckRecord['kind']): Feature {
  const c = latest(checks, kind);
  if (!c) return lack('check-not-run', `check:${kind}`);
  if (c.status !== 'completed' || !c.result) return lack(`check-${c.status}`, at(c, 'result'));
  return have(c.result, at(c, 'result'));
}

function bureauFeatures(checks: readonly CheckRecord[], currency: string, scale: number) {
  const c = latest(checks, 'bureau');
  const features = c?.status === 'completed' ? field(c.evidence, 'features') : undefined;
  const from = (key: string, type: 'number' | 'boolean'): Feature => {
    if (!c) return lack('check-not-run', 'check:bureau');
    if (c.status !== 'completed') return lack(`check-${c.status}`, at(c, `evidence.features.${key}`));
    const v = field(features, key);
    if (typeof v === type) return have(v as FeatureValue, at(c, `evidence.features.${key}`));
    return lack(v === null ? 'not-reported' : 'not-in-evidence', at(c, `evidence.features.${key}`));
  };
  const obligations = c ? minorIn(field(features, 'totalMonthlyObligations'), currency, scale) : null;
  return {
    bureauScore: from('score', 'number'),
    worstDpd12m: from('worstDpd12m', 'number'),
    worstDpd24m: from('worstDpd24m', 'number'),
    derogatory24m: from('derogatory24m', 'boolean'),
    enquiries6m: from('enquiries6m', 'number'),
    openTradelines: from('openTradelines', 'number'),
    thinFile: from('thinFile', 'boolean'),
    existingMonthlyObligationsMinor: obligations !== null && c
      ? have(obligations, at(c, 'evidence.features.totalMonthlyObligations'))
      : lack(c?.status === 'completed' ? 'currency-mismatch' : c ? `check-${c.status}` : 'check-not-run', c ? at(c, 'evidence.features.totalMonthlyObligations') : 'check:bureau'),
  };
}

/** The lender-history features (see FEATURE_CATALOG): facts of the repayment profile, missing with the reason when there is none. */
function lenderFeatures(lender: FeatureInput['lender']) {
  const source = (field: string) => `repayment-profile ${field}`;
  if (!lender) {
    const none = (field: string) => lack('not-looked-up', source(field));
    return {
      topUp: none('topUpOf'), topUpLoanOpenAtLender: none('loans'), existingLoansOpen: none('loansOpen'), loansClosedAtLender: none('loansClosed'),
      chargeOffsAtLender: none('loansChargedOff'), currentDpdAtLender: none('currentDpd'), worstDpdAtLender12m: none('worstDpd12m'), onTimeRatioBasisPointsAtLender: none('onTimeRatioBasisPoints'),
      earlyWarningsAtLender: none('loansWithEarlyWarning'),
    };
  }
  const { topUpOf, profile: p } = lender;
  const at = (field: string) => `${source(field)} of ${p.borrowerKey}`;
  const known = (value: number | null, field: string, missing: string): Feature => (value === null ? lack(missing, at(field)) : have(value, at(field)));
  const named = topUpOf === null ? undefined : p.loans.find((l) => l.loanId.toLowerCase() === topUpOf.toLowerCase());
  return {
    topUp: have(topUpOf !== null, 'application.topUpOf'),
    topUpLoanOpenAtLender: topUpOf === null ? lack('not-a-top-up', 'application.topUpOf') : have(named?.status === 'open', `${at('loans')} loan ${topUpOf}`),
    existingLoansOpen: have(p.loansOpen, at('loansOpen')),
    loansClosedAtLender: have(p.loansClosed, at('loansClosed')),
    chargeOffsAtLender: have(p.loansChargedOff, at('loansChargedOff')),
    currentDpdAtLender: known(p.currentDpd, 'currentDpd', 'no-loans-at-lender'),
    worstDpdAtLender12m: known(p.worstDpd12m, 'worstDpd12m', 'no-loans-at-lender'),
    onTimeRatioBasisPointsAtLender: known(p.onTimeRatioBasisPoints, 'onTimeRatioBasisPoints', 'no-installments-due'),
    earlyWarningsAtLender: have(p.loansWithEarlyWarning, at('loansWithEarlyWarning')),
  };
}

/** Basis points of `owed` over `income`, rounded down (as the bureau check does). */
const basisPoints = (owed: number, income: number) => Number((BigInt(owed) * 10_000n) / BigInt(income));

/** See the module comment. Pure: the same input gives the same feature set. */
export function deriveFeatures(input: FeatureInput): FeatureSet {
  const { loanRequest: loan, checks } = input;
  const { currency, scale } = loan.principal;
  const age = input.dateOfBirth ? ageOn(input.dateOfBirth, input.asOf) : null;
  const stated = input.employment ? minorIn(input.employment.monthlyNetIncome, currency, scale) : null;
  const income = latest(checks, 'income');
  const payslip = income?.status === 'completed' ? minorIn(field(income.evidence, 'payslipNetPay'), currency, scale) : null;
  const installment = monthlyInstallmentOf(loan);
  const installmentMinor = installment ? minorIn(installment, currency, scale) : null;
  const bureau = bureauFeatures(checks, currency, scale);
  const sanctions = latest(checks, 'sanctions');

  const incomeForFoir = payslip ?? stated;
  const obligations = bureau.existingMonthlyObligationsMinor.value as number | null;
  const foir: Feature = incomeForFoir === null || incomeForFoir <= 0
    ? lack('no-income', 'income')
    : obligations === null
      ? lack(bureau.existingMonthlyObligationsMinor.missing ?? 'no-obligations', bureau.existingMonthlyObligationsMinor.source)
      : have(basisPoints(obligations + (installmentMinor ?? 0), incomeForFoir), `(bureau obligations + proposed installment) / ${payslip !== null ? 'verified' : 'stated'} income`);

  return {
    ageYears: age !== null ? have(age, 'application.dateOfBirth') : lack(input.dateOfBirth ? 'date-of-birth-invalid' : 'not-stated', 'application.dateOfBirth'),
    residenceCountry: have(input.applicant.address.country, 'application.applicant.address.country'),
    productCode: have(loan.productCode, 'application.loanRequest.productCode'),
    currency: have(currency, 'application.loanRequest.principal.currency'),
    requestedPrincipalMinor: minorIn(loan.principal, currency, scale) !== null
      ? have(minorIn(loan.principal, currency, scale)!, 'application.loanRequest.principal')
      : lack('amount-too-large', 'application.loanRequest.principal'),
    termPeriods: have(loan.termPeriods, 'application.loanRequest.termPeriods'),
    statedMonthlyIncomeMinor: stated !== null ? have(stated, 'application.employment.monthlyNetIncome') : lack(input.employment ? 'currency-mismatch' : 'not-stated', 'application.employment.monthlyNetIncome'),
    verifiedMonthlyIncomeMinor: payslip !== null && income
      ? have(payslip, at(income, 'evidence.payslipNetPay'))
      : lack(!income ? 'check-not-run' : income.status !== 'completed' ? `check-${income.status}` : 'no-payslip-read', income ? at(income, 'evidence.payslipNetPay') : 'check:income'),
    incomeVerified: income?.status === 'completed' && income.result ? have(income.result === 'pass', at(income, 'result')) : lack(income ? `check-${income.status}` : 'check-not-run', 'check:income'),
    proposedMonthlyInstallmentMinor: installmentMinor !== null ? have(installmentMinor, 'loan-engine schedule of application.loanRequest') : lack('no-schedule', 'application.loanRequest'),
    foirBasisPoints: foir,
    ...bureau,
    kycResult: checkResult(checks, 'kyc'),
    sanctionsResult: checkResult(checks, 'sanctions'),
    pepMatch: sanctions?.status === 'completed'
      ? have(field(sanctions.evidence, 'pepMatch') != null || sanctions.reasons.some((r) => r.code === 'pep-match'), at(sanctions, 'evidence.pepMatch'))
      : lack(sanctions ? `check-${sanctions.status}` : 'check-not-run', 'check:sanctions'),
    duplicateResult: checkResult(checks, 'duplicate'),
    velocityResult: checkResult(checks, 'velocity'),
    deviceResult: checkResult(checks, 'device'),
    ...lenderFeatures(input.lender),
  };
}

/** The values alone, as the rules engine and the scorecard see them (null for a missing feature). */
export function featureValues(features: FeatureSet): Record<FeatureName, FeatureValue | null> {
  // A decision stored before a feature existed replays with that feature missing.
  return Object.fromEntries(FEATURE_NAMES.map((n) => [n, (features[n] as Feature | undefined)?.value ?? null])) as Record<FeatureName, FeatureValue | null>;
}
