import { repaymentProfile, type RepaymentEvent, type RepaymentProfile } from '../domain/repayment-profile.js';
import type { RecordedRepaymentEvents, RepaymentProfileStore } from '../ports.js';

export interface RepaymentProfileDeps {
  readonly profiles: RepaymentProfileStore;
}

/**
 * Applies a chunk of the LMS's lifecycle events to the repayment profiles, exactly once per event id;
 * an event about a loan no application of its tenant produced is recorded as seen and changes nothing.
 * Throws when the database is unavailable (the consumer redelivers).
 */
export function recordRepaymentEvents(deps: RepaymentProfileDeps, events: readonly RepaymentEvent[]): Promise<RecordedRepaymentEvents> {
  return deps.profiles.record(events);
}

/** The profile of a borrower (by key) as of a date (YYYY-MM-DD); a borrower with no loans has an empty one. */
export async function repaymentProfileOf(deps: RepaymentProfileDeps, input: { tenantId: string; borrowerKey: string; asOf: string }): Promise<RepaymentProfile> {
  return repaymentProfile(input.borrowerKey, input.asOf, await deps.profiles.loansOf(input.tenantId, input.borrowerKey, input.asOf));
}

/** What underwriting knows of an application's applicant at this lender: the top-up it asks for and the borrower's profile. */
export interface LenderHistory {
  readonly topUpOf: string | null;
  readonly profile: RepaymentProfile;
}

/** The lender history of an application's applicant; undefined when there is no such application. */
export async function lenderHistoryOf(deps: RepaymentProfileDeps, input: { tenantId: string; applicationId: string; asOf: string }): Promise<LenderHistory | undefined> {
  const borrower = await deps.profiles.borrowerOf(input.tenantId, input.applicationId);
  if (!borrower) return undefined;
  return { topUpOf: borrower.topUpOf, profile: await repaymentProfileOf(deps, { tenantId: input.tenantId, borrowerKey: borrower.borrowerKey, asOf: input.asOf }) };
}
