import type { Application } from '../domain/application.js';

/** The public representation of an application: tokenised PII only, decision details when decided. */
export function applicationView(app: Application) {
  return {
    id: app.id,
    tenantId: app.tenantId,
    status: app.status,
    applicant: { ...app.applicant, ...(app.dateOfBirthMasked ? { dateOfBirthMasked: app.dateOfBirthMasked } : {}) },
    employment: app.employment,
    loan: app.loanRequest,
    topUpOf: app.topUpOf ?? null,
    submittedBy: app.submittedBy,
    createdAt: app.createdAt.toISOString(),
    decision: app.decidedAt
      ? { by: app.decidedBy, at: app.decidedAt.toISOString(), ...(app.decisionReason ? { reason: app.decisionReason } : {}) }
      : null,
    loanId: app.loanId,
    bookingFailure: app.bookingFailure,
    checksRun: app.checksRun,
  };
}
