import { createHash } from 'node:crypto';
import type { Principal } from '@lendstack/platform';
import { submit, submitDraft, type Application, type ApplicationStatus, type LoanTerms } from '../domain/application.js';
import { IdempotencyConflict, type ApplicationStore, type ApplicationUnitOfWork, type OutboxNotifier, type PiiSealer, type PiiVault } from '../ports.js';
import type { SubmitApplicationBody } from '../adapters/applications.schemas.js';
import { applicationEvent } from './application-events.js';

export interface SubmitApplicationDeps {
  readonly store: ApplicationStore;
  readonly vault: PiiVault;
  readonly pii: PiiSealer;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly notifyOutbox: OutboxNotifier;
  /** Called after a new application committed: starts its checks without waiting for the starter's poll. */
  readonly onSubmitted?: (application: Application) => void;
}

export type SubmitApplicationResult =
  | { readonly ok: true; readonly application: Application; readonly replayed: boolean }
  | { readonly ok: false; readonly error: 'idempotency-key-reused' };

/**
 * Records a new application, its sealed PII, the ApplicationSubmitted event and the request for its
 * first checks run, in one transaction. A draft (`draft: true`) is recorded without the event or the
 * checks: they follow when the partner submits it (submitDraftApplication), after uploading documents. With an idempotency key, a retry with the same body returns the
 * application created the first time; the same key with another body fails with
 * `idempotency-key-reused`. The record and the key are written in one transaction.
 */
export async function submitApplication(
  deps: SubmitApplicationDeps,
  input: { principal: Principal; body: SubmitApplicationBody; idempotencyKey?: string },
): Promise<SubmitApplicationResult> {
  const requestHash = createHash('sha256').update(JSON.stringify(input.body)).digest('hex');
  const id = deps.newId();
  const { applicant } = input.body;
  const sealed = await deps.pii.seal(input.principal.tenantId, id, {
    nationalId: applicant.nationalId.value, dateOfBirth: applicant.dateOfBirth ?? null, bankAccount: applicant.bankAccount.accountNumber,
  });
  const attempt = () =>
    deps.store.transaction(async (uow): Promise<SubmitApplicationResult> => {
      const key = input.idempotencyKey;
      if (key) {
        const previous = await uow.findIdempotency(input.principal.tenantId, key);
        if (previous) {
          if (previous.requestHash !== requestHash) return { ok: false, error: 'idempotency-key-reused' };
          const application = await uow.lockForUpdate(input.principal.tenantId, (previous.responseBody as { id: string }).id);
          if (!application) throw new Error(`idempotency record ${key} names a missing application`);
          return { ok: true, application, replayed: true };
        }
      }
      const now = deps.now();
      const application = submit({
        id,
        tenantId: input.principal.tenantId,
        applicant: toBorrower(deps, input.body),
        loanRequest: input.body.loan as LoanTerms,
        submittedBy: input.principal.subject,
        now,
        dateOfBirthMasked: applicant.dateOfBirth ? maskDateOfBirth(applicant.dateOfBirth) : null,
        employment: input.body.employment ?? null,
        device: input.body.device ?? null,
        topUpOf: input.body.topUpOf ?? null,
        draft: input.body.draft === true,
      });
      await uow.insert(application);
      await uow.savePii(sealed);
      if (application.status === 'submitted') await markSubmitted(deps, uow, application, now);
      if (key) {
        await uow.saveIdempotency({ tenantId: application.tenantId, key, method: 'POST', path: '/v1/applications', requestHash, responseStatus: 201, responseBody: { id: application.id } });
      }
      return { ok: true, application, replayed: false };
    });
  let result: SubmitApplicationResult;
  try {
    result = await attempt();
  } catch (error) {
    // Two requests with one key raced; the loser's transaction rolled back, so read the winner's.
    if (!(error instanceof IdempotencyConflict)) throw error;
    result = await attempt();
  }
  if (result.ok && !result.replayed && result.application.status === 'submitted') {
    deps.notifyOutbox();
    deps.onSubmitted?.(result.application);
  }
  return result;
}

/** The first checks run and ApplicationSubmitted, in the transaction that made the application submitted. */
async function markSubmitted(deps: SubmitApplicationDeps, uow: ApplicationUnitOfWork, application: Application, now: Date): Promise<void> {
  await uow.requestChecks(application.id, 1);
  await uow.enqueue(applicationEvent('ApplicationSubmitted', {
    id: deps.newId(), tenantId: application.tenantId, applicationId: application.id, now,
    payload: {
      applicationId: application.id, applicantId: application.applicant.id, productCode: application.loanRequest.productCode,
      requestedPrincipal: application.loanRequest.principal, submittedBy: application.submittedBy, submittedAt: now.toISOString(),
    },
  }));
}

export type SubmitDraftResult =
  | { readonly ok: true; readonly application: Application; readonly changed: boolean }
  | { readonly ok: false; readonly error: { readonly kind: 'not-found' } | { readonly kind: 'already-decided'; readonly status: ApplicationStatus } };

/**
 * Submits a draft: draft → submitted, ApplicationSubmitted and the first checks run, in one transaction
 * under the application's row lock. Submitting an application that is already submitted changes nothing
 * (a retry is harmless without an Idempotency-Key).
 */
export async function submitDraftApplication(deps: SubmitApplicationDeps, input: { tenantId: string; applicationId: string }): Promise<SubmitDraftResult> {
  const result = await deps.store.transaction(async (uow): Promise<SubmitDraftResult> => {
    const current = await uow.lockForUpdate(input.tenantId, input.applicationId);
    if (!current) return { ok: false, error: { kind: 'not-found' } };
    const next = submitDraft(current);
    if (!next.ok || !next.changed) return next;
    await uow.update(next.application);
    await markSubmitted(deps, uow, next.application, deps.now());
    return next;
  });
  if (result.ok && result.changed) {
    deps.notifyOutbox();
    deps.onSubmitted?.(result.application);
  }
  return result;
}

/** Only the year stays readable: `1990-XX-XX`. */
export function maskDateOfBirth(date: string): string {
  return `${date.slice(0, 4)}-XX-XX`;
}

function toBorrower(deps: SubmitApplicationDeps, body: SubmitApplicationBody): Application['applicant'] {
  const { applicant } = body;
  const nationalId = deps.vault.tokenise('national-id', applicant.nationalId.value);
  const account = deps.vault.tokenise('bank-account', applicant.bankAccount.accountNumber);
  return {
    id: applicant.id ?? `brw_${nationalId.token.slice(4, 24)}`,
    name: applicant.name,
    contact: applicant.contact,
    address: applicant.address,
    nationalId: { type: applicant.nationalId.type, masked: nationalId.masked, token: nationalId.token },
    bankAccount: {
      holderName: applicant.bankAccount.holderName,
      accountNumberMasked: account.masked,
      accountToken: account.token,
      bankCode: applicant.bankAccount.bankCode,
      ...(applicant.bankAccount.mandateReference ? { mandateReference: applicant.bankAccount.mandateReference } : {}),
    },
  };
}
