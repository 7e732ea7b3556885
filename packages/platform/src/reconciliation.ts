import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate } from './auth.js';
import { schemaDoc } from './http-server.js';
import { parseOr400 } from './problem.js';

/**
 * Approvals (LOS) against bookings (LMS): both services serve their side of one tenant and one day
 * (the UTC day of approval) at GET /v1/reconciliation/loans, in loan id order with keyset paging, and
 * `compareLoanSides` merges the two streams with memory bounded by one page of each. A loan the LMS
 * refused (LOS status booking-failed) is not a difference: it is listed as refused, with its reason.
 */
export const reconciliationQuerySchema = z
  .object({
    date: z.iso.date('date must be YYYY-MM-DD'),
    after: z.string().min(1).max(100).optional().describe('Return loans with an id after this one (the previous page\'s `next`)'),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
  })
  .strict();

export interface ReconciliationItem {
  readonly loanId: string;
  readonly applicationId: string;
  readonly principal: { readonly amount: string; readonly currency: string; readonly scale: number };
  /** LOS only: approved | booking-failed. */
  readonly status?: string;
  readonly reason?: string;
}

export interface ReconciliationPage {
  readonly items: readonly ReconciliationItem[];
  /** The `after` of the next page; null on the last page. */
  readonly next: string | null;
}

export type Difference =
  | { readonly kind: 'approved-not-booked'; readonly loanId: string; readonly applicationId: string; readonly principal: ReconciliationItem['principal'] }
  | { readonly kind: 'booked-not-approved'; readonly loanId: string; readonly applicationId: string; readonly principal: ReconciliationItem['principal'] }
  | { readonly kind: 'booked-after-refusal'; readonly loanId: string; readonly applicationId: string; readonly principal: ReconciliationItem['principal'] }
  | { readonly kind: 'principal-differs'; readonly loanId: string; readonly applicationId: string; readonly approved: ReconciliationItem['principal']; readonly booked: ReconciliationItem['principal'] };

export interface Totals {
  count: number;
  /** Sum of principal in minor units, per "CUR/scale". */
  principal: Record<string, string>;
}

export interface ReconciliationReport {
  readonly approved: Totals;
  readonly booked: Totals;
  readonly refused: { loanId: string; applicationId: string; reason: string }[];
  readonly differences: Difference[];
}

const sameMoney = (a: ReconciliationItem['principal'], b: ReconciliationItem['principal']) => a.amount === b.amount && a.currency === b.currency && a.scale === b.scale;

function add(totals: Totals, item: ReconciliationItem): void {
  totals.count += 1;
  const key = `${item.principal.currency}/${item.principal.scale}`;
  totals.principal[key] = (BigInt(totals.principal[key] ?? '0') + BigInt(item.principal.amount)).toString();
}

/** Pages of one side as a stream of items. */
export async function* itemsOf(fetchPage: (after: string | undefined) => Promise<ReconciliationPage>): AsyncGenerator<ReconciliationItem> {
  let after: string | undefined;
  do {
    const page = await fetchPage(after);
    yield* page.items;
    after = page.next ?? undefined;
  } while (after !== undefined);
}

/** Merges the two sides (each in ascending loan id order) into a report. */
export async function compareLoanSides(approvals: AsyncIterable<ReconciliationItem>, bookings: AsyncIterable<ReconciliationItem>): Promise<ReconciliationReport> {
  const report: ReconciliationReport = { approved: { count: 0, principal: {} }, booked: { count: 0, principal: {} }, refused: [], differences: [] };
  const los = approvals[Symbol.asyncIterator]();
  const lms = bookings[Symbol.asyncIterator]();
  let a = await los.next();
  let b = await lms.next();
  while (!a.done || !b.done) {
    const order = a.done ? 1 : b.done ? -1 : a.value.loanId < b.value.loanId ? -1 : a.value.loanId > b.value.loanId ? 1 : 0;
    if (order <= 0) {
      const approval = a.value as ReconciliationItem;
      if (approval.status === 'booking-failed') report.refused.push({ loanId: approval.loanId, applicationId: approval.applicationId, reason: approval.reason ?? '' });
      else add(report.approved, approval);
      if (order === 0) {
        const booking = b.value as ReconciliationItem;
        add(report.booked, booking);
        const base = { loanId: approval.loanId, applicationId: approval.applicationId };
        if (approval.status === 'booking-failed') report.differences.push({ kind: 'booked-after-refusal', ...base, principal: booking.principal });
        else if (!sameMoney(approval.principal, booking.principal)) report.differences.push({ kind: 'principal-differs', ...base, approved: approval.principal, booked: booking.principal });
        b = await lms.next();
      } else if (approval.status !== 'booking-failed') {
        report.differences.push({ kind: 'approved-not-booked', loanId: approval.loanId, applicationId: approval.applicationId, principal: approval.principal });
      }
      a = await los.next();
    } else {
      const booking = b.value as ReconciliationItem;
      add(report.booked, booking);
      report.differences.push({ kind: 'booked-not-approved', loanId: booking.loanId, applicationId: booking.applicationId, principal: booking.principal });
      b = await lms.next();
    }
  }
  return report;
}

/** The UTC day [from, to) as timestamps, for "decided on that day" queries. */
export function utcDay(date: string): { from: Date; to: Date } {
  const from = new Date(`${date}T00:00:00.000Z`);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

export interface ReconciliationRouteOptions {
  readonly authSecret: string;
  /** What this service's side is, for the OpenAPI document. */
  readonly summary: string;
  readonly itemShape: string;
  /** At most `limit + 1` items after `after`, in loan id order, of loans approved in [from, to). */
  readonly read: (tenantId: string, query: { from: Date; to: Date; after: string | null; limit: number }) => Promise<ReconciliationItem[]>;
}

/** GET /v1/reconciliation/loans: one service's side of approvals vs bookings. Operators and admins. */
export function registerReconciliationRoute(app: FastifyInstance, options: ReconciliationRouteOptions): void {
  app.get('/v1/reconciliation/loans', {
    schema: {
      tags: ['reconciliation'],
      summary: options.summary,
      description: 'Keyset paging: pass `next` as `after`. `pnpm -s reconcile --tenant T --date D` compares the LOS side with the LMS side.',
      querystring: schemaDoc(reconciliationQuerySchema),
      response: { 200: { description: `\`{ date, items: [${options.itemShape}], next }\`` }, 400: { description: 'Invalid query (problem+json)' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is neither operator nor admin' } },
    },
  }, async (request) => {
    const principal = authenticate(request, options.authSecret, ['operator', 'admin']);
    const query = parseOr400(reconciliationQuerySchema, request.query, 'query');
    const rows = await options.read(principal.tenantId, { ...utcDay(query.date), after: query.after ?? null, limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    const page: ReconciliationPage & { date: string } = { date: query.date, items, next: rows.length > query.limit ? items[items.length - 1]!.loanId : null };
    return page;
  });
}
