/**
 * contactBorrower as a Temporal activity for the collections workflow. Its input is plain JSON (`now` as an
 * ISO string: the workflow's deterministic time), and so is its result. A retry of the activity is safe: the
 * attempt of (loan, purpose, slot) is recorded before any message goes out and is never sent twice. A loan
 * that does not exist is a non-retryable failure.
 */
import { ApplicationFailure } from '@temporalio/common';
import { contactBorrower, type ContactBorrowerInput, type ContactDeps, type ContactResult } from '../use-cases/contact-borrower.js';

export interface NotificationActivities {
  contactBorrower(input: ContactBorrowerInput & { readonly now: string }): Promise<ContactResult>;
}

export function createNotificationActivities(deps: ContactDeps): NotificationActivities {
  return {
    async contactBorrower(input) {
      const result = await contactBorrower(deps, input);
      if (!result.ok) throw ApplicationFailure.nonRetryable(result.error.detail, result.error.code);
      return result.value;
    },
  };
}
