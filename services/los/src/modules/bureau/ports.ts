import type { CheckContext, CheckSubject } from '../checks/check-runner.js';
import type { BureauReport } from './domain/report.js';

/**
 * A credit bureau. The adapter reveals the national id and date of birth and sends them only to the bureau.
 * Failures: VendorUnavailableError (timeout, 5xx, unreachable: retried), VendorResponseError (malformed or
 * refused answer: not retried).
 */
export interface BureauPort {
  readonly vendor: string;
  pull(subject: CheckSubject, ctx: CheckContext): Promise<BureauReport>;
}
