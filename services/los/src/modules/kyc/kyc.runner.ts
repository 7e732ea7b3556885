import type { CheckOutcome, CheckRunner } from '../checks/check-runner.js';
import type { KycPort, KycVerification } from './ports.js';

export interface KycRunnerDeps {
  /** Everyone outside India (Onfido). */
  readonly global: KycPort;
  /** Applicants in India: PAN verification or Aadhaar offline e-KYC, by the national id type. */
  readonly india: KycPort;
}

/** The 'kyc' check: clear → pass, consider → refer, rejected → fail, with the vendor's findings as reasons. */
export function createKycRunnerFromPorts(deps: KycRunnerDeps): CheckRunner {
  return {
    kind: 'kyc',
    async run(subject, ctx) {
      const port = subject.applicant.country.toUpperCase() === 'IN' ? deps.india : deps.global;
      return kycOutcome(await port.verify(subject, ctx));
    },
  };
}

export function kycOutcome(verification: KycVerification): CheckOutcome {
  return {
    kind: 'kyc',
    result: verification.result === 'clear' ? 'pass' : verification.result === 'rejected' ? 'fail' : 'refer',
    reasons: verification.findings,
    vendorReference: verification.vendorReference,
    evidence: verification.evidence,
  };
}
