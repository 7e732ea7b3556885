import { checkBookable, type Money } from '@lendstack/contracts';
import { PERIODS_PER_YEAR, type Frequency } from '@lendstack/loan-engine';
import type { Application, LoanTerms } from '../applications/domain/application.js';
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
    proposedMonthlyInstallment: monthlyInstallmentOf(app.loanRequest),
    device: app.device,
    documents: deps.documents,
    reveal: (field) => deps.pii.reveal(app.tenantId, app.id, field),
  };
}

/** See CheckSubject.proposedMonthlyInstallment. Exact: minor units, rounded up to the next minor unit. */
export function monthlyInstallmentOf(terms: LoanTerms): Money | null {
  const periods = PERIODS_PER_YEAR[terms.frequency as Frequency] as number | undefined;
  const bookable = checkBookable(terms);
  if (!periods || !bookable.ok) return null;
  const { scale, currency } = terms.principal;
  const largest = bookable.schedule.installments.reduce((max, i) => {
    const [whole = '0', fraction = ''] = i.total.split('.');
    const minor = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
    return minor > max ? minor : max;
  }, 0n);
  const monthly = (largest * BigInt(periods) + 11n) / 12n;
  return { amount: monthly.toString(), currency, scale };
}
