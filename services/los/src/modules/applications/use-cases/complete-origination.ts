import { topics } from '@lendstack/contracts';
import type pg from 'pg';
import { originationMandateOf } from '../../mandates/index.js';
import { audit } from '../../review/adapters/pg-review.repository.js';
import type { Application, LoanTerms } from '../domain/application.js';
import { buildLoanApproved } from './decide-application.js';

/** One step of an accepted offer's origination that has just completed (the agreement signed, the mandate active). */
export interface OriginationStep {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  /** Who or what completed it: a vendor callback names the vendor (`esign:docusign`), an operator their subject. */
  readonly actor: string;
  readonly at: Date;
}

/**
 * Called by the agreement and mandate modules inside the transaction that records their step, on the same
 * client: once the offer is accepted, the agreement signed and the mandate active, it approves the
 * application and enqueues LoanApproved in that transaction, so a step is never recorded without the
 * approval it completes (nor the approval without its step).
 */
export type OriginationStepDone = (c: pg.PoolClient, step: OriginationStep) => Promise<void>;

/** Who approves an application whose origination completed: the LOS itself, on policy (decidedBy, approvedBy). */
export const ORIGINATION_APPROVER = 'lendstack:origination';

/** What origination still waits for, or what it completed with. */
export type OriginationState =
  | { readonly kind: 'not-accepted' }
  | { readonly kind: 'waiting'; readonly missing: readonly ('agreement-signature' | 'mandate')[] }
  | { readonly kind: 'ready'; readonly offerId: string; readonly kfsReference: string; readonly terms: LoanTerms; readonly mandateReference: string };

interface ApplicationRow {
  id: string; tenant_id: string; status: string; applicant: Application['applicant']; loan_request: LoanTerms; submitted_by: string; checks_run: number; version: number; created_at: Date;
}

/**
 * The accepted offer of the checks run and what its origination has: the signed agreement
 * (application_agreements.status = 'signed') and the active repayment mandate (application_mandates).
 */
export async function originationState(c: pg.PoolClient, applicationId: string, checksRun: number): Promise<OriginationState> {
  const { rows } = await c.query<{ offer_id: string; kfs_reference: string; terms: LoanTerms; signed: boolean; mandate_reference: string | null }>(
    `SELECT a.offer_id, a.kfs_reference, o.terms,
            EXISTS (SELECT 1 FROM application_agreements g WHERE g.application_id = a.application_id AND g.checks_run = a.checks_run AND g.status = 'signed') AS signed,
            (SELECT m.mandate_reference FROM application_mandates m WHERE m.application_id = a.application_id AND m.checks_run = a.checks_run AND m.status = 'active') AS mandate_reference
       FROM offer_acceptances a JOIN application_offers o ON o.id = a.offer_id
      WHERE a.application_id = $1 AND a.checks_run = $2`,
    [applicationId, checksRun],
  );
  const row = rows[0];
  if (!row) return { kind: 'not-accepted' };
  const missing = [...(row.signed ? [] : ['agreement-signature' as const]), ...(row.mandate_reference ? [] : ['mandate' as const])];
  if (missing.length > 0 || !row.mandate_reference) return { kind: 'waiting', missing };
  return { kind: 'ready', offerId: row.offer_id, kfsReference: row.kfs_reference, terms: row.terms, mandateReference: row.mandate_reference };
}

/**
 * The completion step: on an offer-accepted application of that checks run whose agreement is signed and
 * mandate active, approve it on the accepted offer's terms (basis policy, by ORIGINATION_APPROVER), record
 * `loan-approved` in the decision audit and enqueue LoanApproved (offerId, kfsReference and the mandate
 * reference and terms on the borrower's repayment account, booked by the LMS as the loan's debit authorisation). Anything else (another run, already approved, a step
 * still missing) changes nothing: each step calls it, the last one approves. The outbox relay polls, so
 * nothing needs waking after the caller commits.
 */
export function createOriginationCompletion(deps: { newId: () => string }): OriginationStepDone {
  return async (c, step) => {
    const { rows } = await c.query<ApplicationRow>(
      'SELECT id, tenant_id, status, applicant, loan_request, submitted_by, checks_run, version, created_at FROM applications WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
      [step.tenantId, step.applicationId],
    );
    const app = rows[0];
    if (!app || app.status !== 'offer-accepted' || app.checks_run !== step.checksRun) return;
    const state = await originationState(c, app.id, app.checks_run);
    if (state.kind !== 'ready') return;
    const loanId = deps.newId();
    const approved: Application = {
      id: app.id, tenantId: app.tenant_id, status: 'approved', applicant: app.applicant, loanRequest: state.terms, submittedBy: app.submitted_by,
      decidedBy: ORIGINATION_APPROVER, decidedAt: step.at, decisionReason: null, loanId, bookingFailure: null, dateOfBirthMasked: null,
      employment: null, device: null, checksRun: app.checks_run, version: app.version + 1, createdAt: app.created_at,
    };
    const mandate = await originationMandateOf(c, app.id, app.checks_run);
    if (!mandate) throw new Error(`application ${app.id}: the active mandate has no reference`);
    const event = buildLoanApproved(approved, deps.newId(), { offerId: state.offerId, kfsReference: state.kfsReference, mandate });
    const updated = await c.query(
      `UPDATE applications SET status = 'approved', decided_by = $3, decided_at = $4, loan_id = $5, version = version + 1, updated_at = now()
        WHERE tenant_id = $1 AND id = $2 AND version = $6`,
      [app.tenant_id, app.id, ORIGINATION_APPROVER, step.at, loanId, app.version],
    );
    if (updated.rowCount !== 1) throw new Error(`application ${app.id} changed concurrently`);
    await audit(c, {
      tenantId: app.tenant_id, applicationId: app.id, checksRun: app.checks_run, action: 'loan-approved', actor: ORIGINATION_APPROVER, at: step.at,
      detail: { basis: 'policy', from: 'offer-accepted', loanId, offerId: state.offerId, kfsReference: state.kfsReference, mandateReference: state.mandateReference, completedBy: step.actor },
    });
    await c.query('INSERT INTO outbox (id, topic, key, value, headers) VALUES ($1, $2, $3, $4, $5)', [event.id, topics.loanApproved.name, event.subject, JSON.stringify(event), JSON.stringify({ ...event.traceContext })]);
  };
}
