import type { LoanApprovedV1 } from '@lendstack/contracts';
import { contextFrom, SpanKind, withSpan, type Delivered, type Rejection } from '@lendstack/platform';
import { trace } from '@opentelemetry/api';
import { bookLoanAccount } from '../domain/loan-account.js';
import type { LoanBookingStore, NewBooking, ScheduleCalculator } from '../ports.js';

export interface BookApprovedLoansDeps {
  readonly store: LoanBookingStore;
  readonly calculateSchedule: ScheduleCalculator;
  /** Told the loan ids booked now, after commit (the collections starter picks them up). */
  readonly onBooked: (loanIds: string[]) => void;
}

const tracer = trace.getTracer('lendstack-lms');

/**
 * Books a loan account with its schedule for each LoanApproved, exactly once per event id.
 * Returns the events refused for business reasons, with a code: `unbookable` (a schedule the engine
 * cannot compute or an account cannot hold, or one breaking an invariant; a top-up of a loan that is not the
 * same borrower's active loan in the same currency), `duplicate-loan`; the
 * consumer dead-letters them and the LMS tells the LOS (LoanBookingRejected). Throws when the database is unavailable.
 */
export async function bookApprovedLoans(
  deps: BookApprovedLoansDeps,
  deliveries: Delivered<LoanApprovedV1>[],
): Promise<Rejection<LoanApprovedV1>[]> {
  const rejections: Rejection<LoanApprovedV1>[] = [];
  const bookings: NewBooking[] = [];
  const spans = deliveries.map((delivered) => {
    const parent = contextFrom({ ...delivered.event.traceContext, ...delivered.headers });
    return tracer.startSpan('LoanApproved process', { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': delivered.topic, 'lendstack.loan_id': delivered.event.subject } }, parent);
  });
  try {
    const unknown = await deps.store.productsNotInCatalogue(deliveries.map(({ event }) => ({ tenantId: event.tenantId, productCode: event.payload.loan.productCode })));
    const topUps = await topUpRefusals(deps, deliveries);
    deliveries.forEach((delivered, index) => {
      const span = spans[index]!;
      const { tenantId, payload } = delivered.event;
      const outcome = unknown.has(`${tenantId}:${payload.loan.productCode}`)
        ? { ok: false as const, reason: `product ${payload.loan.productCode} is not in tenant ${tenantId}'s catalogue` }
        : topUps.has(delivered.event.id) ? { ok: false as const, reason: topUps.get(delivered.event.id)! } : computeBooking(deps, delivered.event);
      if (!outcome.ok) {
        span.setAttribute('lendstack.rejected', outcome.reason);
        rejections.push({ delivered, reason: outcome.reason, code: 'unbookable' });
        return;
      }
      const { traceId, spanId } = span.spanContext();
      bookings.push({ eventId: delivered.event.id, eventType: delivered.event.type, eventVersion: delivered.event.version, account: outcome.account, traceparent: `00-${traceId}-${spanId}-01` });
    });
    if (bookings.length === 0) return rejections;
    const { booked, conflicts } = await withSpan(tracer, 'book loan accounts', {}, () => deps.store.bookNew(bookings));
    if (booked.length > 0) deps.onBooked(booked);
    for (const eventId of new Set(conflicts)) {
      const delivered = deliveries.find((d) => d.event.id === eventId)!;
      rejections.push({ delivered, reason: `loan ${delivered.event.subject} was already booked from another event`, code: 'duplicate-loan' });
    }
    return rejections;
  } finally {
    for (const span of spans) span.end();
  }
}

/** The refused top-ups of the batch by event id (no query when none names a loan to top up). */
async function topUpRefusals(deps: BookApprovedLoansDeps, deliveries: readonly Delivered<LoanApprovedV1>[]): Promise<Map<string, string>> {
  const topUps = deliveries.flatMap(({ event: { id, tenantId, payload } }) => payload.loan.topUpOfLoanId
    ? [{ eventId: id, tenantId, oldLoanId: payload.loan.topUpOfLoanId, borrowerId: payload.borrower.id, currency: payload.loan.principal.currency }]
    : []);
  return topUps.length === 0 ? new Map() : deps.store.topUpRefusals(topUps);
}

function computeBooking(deps: BookApprovedLoansDeps, event: LoanApprovedV1) {
  try {
    return bookLoanAccount(event, deps.calculateSchedule(event));
  } catch (error) {
    return { ok: false as const, reason: `schedule could not be computed: ${(error as Error).message}` };
  }
}
