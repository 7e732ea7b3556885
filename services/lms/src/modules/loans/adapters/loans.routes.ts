import { authenticate, decodeCursor, HttpProblem, pageQuerySchema, parseOr400, schemaDoc, toPage } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { minorToDecimal } from '../domain/loan-account.js';
import type { LoanAccountView, LoanReader } from '../ports.js';
import type { LoanServicingView, ServicingReader, TopUpLink } from '../../servicing/adapters/servicing.reader.js';

export interface LoanRoutesDeps {
  readonly loans: LoanReader;
  readonly authSecret: string;
  /** Balances, delinquency and accrual status on GET /v1/loans/{id} (modules/servicing). */
  readonly servicing?: ServicingReader;
}

const paramsSchema = z.object({ id: z.string().min(1).max(64) });
const paramsDoc = schemaDoc(paramsSchema);
const errors = { 400: { description: 'Invalid loan id' }, 401: { description: 'Missing or invalid bearer token' }, 404: { description: 'No such loan for this tenant' } };

/** Money on the wire: minor units as a string with currency and scale; `display` is for people. */
const money = (minor: bigint, currency: string, scale: number) => ({ amount: minor.toString(), currency, scale, display: minorToDecimal(minor, scale) });

export async function loanRoutes(app: FastifyInstance, deps: LoanRoutesDeps): Promise<void> {
  app.get('/v1/loans/:id', { schema: { tags: ['loans'], summary: 'Read a loan account', params: paramsDoc, response: { 200: { description: 'The loan account; a top-up loan shows `topUpOf` and the loan it pays off shows `toppedUpBy`: `{ loanId, state (booked, pending, settled, failed), disbursementId, valueDate, payoff, foreclosureTransactionId }`' }, ...errors } } }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(paramsSchema, request.params, 'params');
    const loan = await deps.loans.find(principal.tenantId, id);
    if (!loan) throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${id} for this tenant.`);
    const servicing = await deps.servicing?.loan(principal.tenantId, id);
    return { ...loanView(loan), ...(servicing ? servicingView(servicing, loan.currency, loan.scale) : {}) };
  });

  app.get('/v1/loans', {
    schema: {
      tags: ['loans'],
      summary: "List the tenant's loan accounts, newest first",
      description: 'Keyset pagination: pass `nextCursor` from a page as `cursor` to get the next; `nextCursor` is null on the last page.',
      querystring: schemaDoc(pageQuerySchema),
      response: { 200: { description: '`{ items, nextCursor }`' }, 400: errors[400], 401: errors[401] },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const query = parseOr400(pageQuerySchema.strict(), request.query, 'query');
    const after = decodeCursor(query.cursor);
    const rows = await deps.loans.list(principal.tenantId, { limit: query.limit, ...(after ? { after } : {}) });
    const page = toPage(rows, query.limit, (l) => ({ createdAt: l.createdAt, id: l.id }));
    return { items: page.items.map(loanView), nextCursor: page.nextCursor };
  });

  app.get('/v1/loans/:id/schedule', { schema: { tags: ['loans'], summary: "Read a loan's repayment schedule", params: paramsDoc, response: { 200: { description: 'Installments in due-date order, with totals; once the loan is serviced each carries its servicing status (not-due, due, overdue, paid), what was paid towards it (all components, penalties included) and when it was settled' }, ...errors } } }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(paramsSchema, request.params, 'params');
    const schedule = await deps.loans.schedule(principal.tenantId, id);
    if (!schedule) throw new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${id} for this tenant.`);
    const { currency, scale, installments } = schedule;
    const m = (minor: bigint) => money(minor, currency, scale);
    const sum = (pick: (i: (typeof installments)[number]) => bigint) => installments.reduce((s, i) => s + pick(i), 0n);
    return {
      loanId: id,
      installments: installments.map((i) => ({
        number: i.number,
        dueDate: i.dueDate,
        status: i.status,
        ...(i.paidMinor !== undefined ? { paid: m(i.paidMinor), paidOn: i.paidOn ?? null } : {}),
        principal: m(i.principalMinor),
        interest: m(i.interestMinor),
        fees: m(i.feesMinor),
        total: m(i.totalMinor),
        balanceAfter: m(i.balanceAfterMinor),
      })),
      totals: { principal: m(sum((i) => i.principalMinor)), interest: m(sum((i) => i.interestMinor)), fees: m(sum((i) => i.feesMinor)), payable: m(sum((i) => i.totalMinor)) },
    };
  });
}

/** The public representation of a loan account. */
function loanView(loan: LoanAccountView) {
  return {
    id: loan.id,
    tenantId: loan.tenantId,
    applicationId: loan.applicationId,
    status: loan.status,
    productCode: loan.productCode,
    principal: money(loan.principalMinor, loan.currency, loan.scale),
    annualRatePercent: loan.annualRatePercent,
    termPeriods: loan.termPeriods,
    frequency: loan.frequency,
    scheduleMethod: loan.scheduleMethod,
    disbursementDate: loan.disbursementDate,
    borrower: loan.borrower,
    approvedAt: loan.approvedAt.toISOString(),
    approvedBy: loan.approvedBy,
    collections: { workflowId: loan.collectionsWorkflowId, startedAt: loan.collectionsStartedAt?.toISOString() ?? null },
    createdAt: loan.createdAt.toISOString(),
    links: { schedule: `/v1/loans/${loan.id}/schedule`, transactions: `/v1/loans/${loan.id}/transactions`, delinquencyHistory: `/v1/loans/${loan.id}/delinquency-history` },
  };
}

/** Balances as money objects, delinquency and accrual status, as of the servicing state's date. */
function servicingView(s: LoanServicingView, currency: string, scale: number) {
  const m = (key: string) => money(s.balances[key] ?? 0n, currency, scale);
  return {
    servicingStatus: s.status,
    productVersion: s.productVersion,
    asOf: s.asOf,
    accrualStatus: s.accrualStatus,
    balances: {
      principalOutstanding: m('principalOutstanding'), principalDue: m('principalDue'), interestAccrued: m('interestAccrued'), interestDue: m('interestDue'),
      fees: m('feesDue'), penalties: m('penaltiesDue'), excess: m('excess'), totalDueNow: m('totalDueNow'), interestSuspended: m('interestSuspended'),
      disbursed: m('disbursed'), principalWrittenOff: m('principalWrittenOff'), recovered: m('recovered'),
    },
    delinquency: s.delinquency,
    // RBI: a restructured standard account is reported as such; US: a troubled-debt modification.
    restructured: s.restructuredOn != null,
    restructuredOn: s.restructuredOn ?? null,
    ...(s.foreclosure ? { foreclosure: { ...s.foreclosure, amount: money(BigInt(s.foreclosure.amount), currency, scale), payoff: money(BigInt(s.foreclosure.payoff), currency, scale) } } : {}),
    chargedOffOn: s.chargedOffOn ?? null,
    ...(s.writeOff ? { writeOff: { ...s.writeOff, acceleratedPrincipal: money(BigInt(s.writeOff.acceleratedPrincipal), currency, scale) } } : {}),
    ...(s.topUpOf ? { topUpOf: topUpView(s.topUpOf, currency, scale) } : {}),
    ...(s.toppedUpBy ? { toppedUpBy: topUpView(s.toppedUpBy, currency, scale) } : {}),
  };
}

function topUpView(t: TopUpLink, currency: string, scale: number) {
  const { payoffMinor, ...rest } = t;
  return { ...rest, payoff: payoffMinor === null ? null : money(payoffMinor, currency, scale) };
}
