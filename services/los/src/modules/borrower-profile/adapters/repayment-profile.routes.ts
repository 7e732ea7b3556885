import { authenticate, HttpProblem, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RepaymentProfile } from '../domain/repayment-profile.js';
import { repaymentProfileOf, type RepaymentProfileDeps } from '../use-cases/repayment-profile.js';

export interface RepaymentProfileRoutesDeps extends RepaymentProfileDeps {
  readonly authSecret: string;
  readonly now: () => Date;
}

/** Underwriters read profiles: the roles that review and decide applications. */
const READERS = ['operator', 'approver', 'admin'] as const;
const borrowerParams = z.object({ key: z.string().regex(/^tok_[A-Za-z0-9_-]{8,64}$/, 'a borrower key: the national-id token of an application (applicant.nationalId.token)') });
const applicationParams = z.object({ id: z.uuid('application id must be a UUID') });
const asOfQuery = z.object({
  asOf: z.iso.date('asOf must be a date, YYYY-MM-DD').optional().describe('The date the 12-month worst-DPD window ends on; today (UTC) when absent'),
}).strict();

export function repaymentProfileView(p: RepaymentProfile) {
  return {
    borrowerKey: p.borrowerKey, asOf: p.asOf,
    loansOpen: p.loansOpen, loansClosed: p.loansClosed, loansChargedOff: p.loansChargedOff,
    installmentsDue: p.installmentsDue, installmentsPaidOnTime: p.installmentsPaidOnTime, onTimeRatioBasisPoints: p.onTimeRatioBasisPoints,
    currentDpd: p.currentDpd, worstDpd: p.worstDpd, worstDpd12m: p.worstDpd12m, loansWithEarlyWarning: p.loansWithEarlyWarning, loansWithCollectionsFlag: p.loansWithCollectionsFlag, lastEventAt: p.lastEventAt,
    loans: p.loans.map((l) => ({
      loanId: l.loanId, applicationId: l.applicationId, status: l.status, disbursedOn: l.disbursedOn, closedOn: l.closedOn, closureReason: l.closureReason,
      chargedOffOn: l.chargedOffOn, currentDpd: l.currentDpd, dpdAsOf: l.dpdAsOf, worstDpd: l.worstDpd, worstDpd12m: l.worstDpd12m,
      installmentsDue: l.installmentsDue, installmentsPaidOnTime: l.installmentsPaidOnTime, earlyWarning: l.earlyWarning, collectionsFlag: l.collectionsFlag ?? null, lastBusinessDate: l.lastBusinessDate, lastEventAt: l.lastEventAt,
    })),
  };
}

const description = 'What the LMS’s lifecycle events (lendstack.servicing.loan-lifecycle) say about the borrower’s loans with this lender: loans open, closed and charged off, installments due and paid by their due date (on-time ratio in basis points), current DPD (as last reported by the LMS, `dpdAsOf` per loan), worst DPD ever and over the 12 months up to `asOf`, and the LMS’s NPA early warnings (per loan the latest, `earlyWarning`: business date, probability of 90+ DPD within 90 days, model; `loansWithEarlyWarning`: open loans with one raised in the 90 days up to `asOf`), and the flags the LMS’s collector raised (CollectionsFlagRaised; per loan the latest, `collectionsFlag`: business date, flag — bounced-twice, promise-broken, dpd-rising or npa-risk — and for npa-risk the probability and model; `loansWithCollectionsFlag`: open loans with one raised in the 90 days up to `asOf`). The borrower key is the applicant’s national-id token, so every application of one person shares it. Operators, approvers and admins.';

/** GET /v1/borrowers/{key}/repayment-profile and GET /v1/applications/{id}/repayment-profile. */
export async function repaymentProfileRoutes(app: FastifyInstance, deps: RepaymentProfileRoutesDeps): Promise<void> {
  const asOfOf = (query: unknown) => parseOr400(asOfQuery, query, 'query').asOf ?? deps.now().toISOString().slice(0, 10);

  app.get('/v1/borrowers/:key/repayment-profile', {
    schema: {
      tags: ['borrower-profile'], summary: 'A borrower’s repayment profile at this lender', description,
      params: schemaDoc(borrowerParams), querystring: schemaDoc(asOfQuery),
      response: { 200: { description: 'The profile (empty for a borrower with no loans here)' }, 400: { description: 'Invalid key or asOf' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is not an operator, approver or admin' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const { key } = parseOr400(borrowerParams, request.params, 'params');
    return repaymentProfileView(await repaymentProfileOf(deps, { tenantId: principal.tenantId, borrowerKey: key, asOf: asOfOf(request.query) }));
  });

  app.get('/v1/applications/:id/repayment-profile', {
    schema: {
      tags: ['borrower-profile'], summary: 'The repayment profile of an application’s applicant at this lender', description,
      params: schemaDoc(applicationParams), querystring: schemaDoc(asOfQuery),
      response: { 200: { description: 'The profile, with `topUpOf` (the loan a top-up application names, else null)' }, 400: { description: 'Invalid id or asOf' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is not an operator, approver or admin' }, 404: { description: 'No such application for this tenant' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const { id } = parseOr400(applicationParams, request.params, 'params');
    const borrower = await deps.profiles.borrowerOf(principal.tenantId, id);
    if (!borrower) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    const profile = await repaymentProfileOf(deps, { tenantId: principal.tenantId, borrowerKey: borrower.borrowerKey, asOf: asOfOf(request.query) });
    return { applicationId: id, topUpOf: borrower.topUpOf, ...repaymentProfileView(profile) };
  });
}
