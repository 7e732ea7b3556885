/** The 'bureau' check, for the checks workflow to register: `createBureauCheckRunner({ baseUrl, apiKey, timeoutMs })`. */
import type { CheckRunner } from '../checks/check-runner.js';
import { createBureauClient, type BureauClientConfig } from './adapters/bureau.client.js';
import { createBureauRunnerFromPort } from './bureau.runner.js';
import type { BureauThresholds } from './domain/bureau-decision.js';
import type { FeaturePolicy } from './domain/features.js';

export { createBureauClient, type BureauClientConfig } from './adapters/bureau.client.js';
export { createBureauRunnerFromPort } from './bureau.runner.js';
export { decideBureau, DEFAULT_BUREAU_THRESHOLDS, type BureauThresholds } from './domain/bureau-decision.js';
export { deriveBureauFeatures, DEFAULT_FEATURE_POLICY, type BureauFeatures, type FeaturePolicy } from './domain/features.js';
export type { BureauReport, BureauTradeline } from './domain/report.js';
export type { BureauPort } from './ports.js';

export function createBureauCheckRunner(config: BureauClientConfig & { thresholds?: BureauThresholds; features?: FeaturePolicy }): CheckRunner {
  return createBureauRunnerFromPort({ bureau: createBureauClient(config), ...(config.thresholds ? { thresholds: config.thresholds } : {}), ...(config.features ? { features: config.features } : {}) });
}
