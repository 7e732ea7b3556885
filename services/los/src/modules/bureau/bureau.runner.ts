import type { CheckRunner } from '../checks/check-runner.js';
import { decideBureau, DEFAULT_BUREAU_THRESHOLDS, type BureauThresholds } from './domain/bureau-decision.js';
import { DEFAULT_FEATURE_POLICY, deriveBureauFeatures, type FeaturePolicy } from './domain/features.js';
import type { BureauPort } from './ports.js';

export interface BureauRunnerDeps {
  readonly bureau: BureauPort;
  readonly thresholds?: BureauThresholds;
  readonly features?: FeaturePolicy;
}

/** The 'bureau' check: pull the report, derive the features against the stated income, decide by the thresholds. */
export function createBureauRunnerFromPort(deps: BureauRunnerDeps): CheckRunner {
  return {
    kind: 'bureau',
    async run(subject, ctx) {
      const report = await deps.bureau.pull(subject, ctx);
      const features = deriveBureauFeatures(report, subject.statedMonthlyIncome, deps.features ?? DEFAULT_FEATURE_POLICY, subject.proposedMonthlyInstallment);
      const thresholds = deps.thresholds ?? DEFAULT_BUREAU_THRESHOLDS;
      const { result, reasons } = decideBureau(features, thresholds);
      return {
        kind: 'bureau',
        result,
        reasons,
        vendorReference: report.id,
        evidence: { vendor: deps.bureau.vendor, reportId: report.id, reportDate: report.reportDate, features, thresholds, monthlyIncomeUsed: subject.statedMonthlyIncome },
      };
    },
  };
}
