import type { Application } from '../applications/domain/application.js';
import type { PiiReader } from '../pii/pii-store.js';
import type { ApplicationDocumentRef, CheckSubject } from './check-runner.js';

/**
 * What a check may know about an application: masked values and tokens, and reveal() for the clear
 * national id, date of birth or account number, opened only when an adapter asks for it.
 */
export function checkSubjectOf(app: Application, deps: { pii: PiiReader; documents: readonly ApplicationDocumentRef[] }): CheckSubject {
  return {
    tenantId: app.tenantId,
    applicationId: app.id,
    applicant: {
      name: app.applicant.name,
      contact: app.applicant.contact,
      country: app.applicant.address.country,
      nationalIdType: app.applicant.nationalId.type,
      nationalIdMasked: app.applicant.nationalId.masked,
      nationalIdToken: app.applicant.nationalId.token,
      bankAccountToken: app.applicant.bankAccount.accountToken,
    },
    statedMonthlyIncome: app.employment?.monthlyNetIncome ?? null,
    employerName: app.employment?.employerName ?? null,
    requestedPrincipal: app.loanRequest.principal,
    device: app.device,
    documents: deps.documents,
    reveal: (field) => deps.pii.reveal(app.tenantId, app.id, field),
  };
}
