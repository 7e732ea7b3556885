import type { PrismaClient } from '../../../platform/prisma.js';
import { afterKey } from '@lendstack/platform';
import { adoptOriginationMandates } from '../../autodebit/adapters/origination-mandates.repository.js';
import type { LoanAccountView, LoanBookingStore, LoanReader, NewBooking, TopUpRequest } from '../ports.js';

/**
 * Bulk writes with unnest(): one statement per table per chunk keeps booking at thousands of loans
 * per second. Everything for a chunk commits in one transaction with its inbox rows.
 */
export function createPrismaLoanRepository(prisma: PrismaClient): LoanBookingStore & LoanReader {
  return {
    async bookNew(all) {
      // A chunk may hold one redelivered event twice: book each event id once.
      const bookings = uniqueBy(all, (b) => b.eventId);
      return prisma.$transaction(async (tx) => {
        const fresh = await tx.$queryRawUnsafe<{ event_id: string }[]>(
          `INSERT INTO inbox (event_id, type, version)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          bookings.map((b) => b.eventId), bookings.map((b) => b.eventType), bookings.map((b) => b.eventVersion),
        );
        const freshIds = new Set(fresh.map((r) => r.event_id));
        const toBook = uniqueBy(bookings.filter((b) => freshIds.has(b.eventId)), (b) => b.account.id);
        const inserted = new Set(toBook.length > 0 ? await insertAccounts(tx, toBook) : []);
        const booked = toBook.filter((b) => inserted.has(b.account.id));
        await insertInstallments(tx, booked);
        await insertServicing(tx, booked);
        // The mandate registered at origination becomes the loan's debit authorisation in the same transaction.
        await adoptOriginationMandates(tx, booked.map((b) => ({ tenantId: b.account.tenantId, loanId: b.account.id, currency: b.account.currency, bankAccount: b.account.borrower.bankAccount })));
        const bookedEvents = new Set(booked.map((b) => b.eventId));
        // A new event for a loan that another event already booked changes nothing: report it.
        const conflicts = bookings.filter((b) => freshIds.has(b.eventId) && !bookedEvents.has(b.eventId)).map((b) => b.eventId);
        return { booked: booked.map((b) => b.account.id), conflicts };
      }, { timeout: 30_000 });
    },

    async productsNotInCatalogue(pairs) {
      if (pairs.length === 0) return new Set();
      const rows = await prisma.$queryRawUnsafe<{ pair: string }[]>(
        `SELECT DISTINCT t.tenant_id || ':' || t.code AS pair
         FROM unnest($1::text[], $2::text[]) AS t(tenant_id, code)
         WHERE EXISTS (SELECT 1 FROM products p WHERE p.tenant_id = t.tenant_id)
           AND NOT EXISTS (SELECT 1 FROM products p WHERE p.tenant_id = t.tenant_id AND p.code = t.code)`,
        pairs.map((p) => p.tenantId), pairs.map((p) => p.productCode),
      );
      return new Set(rows.map((r) => r.pair));
    },

    async topUpRefusals(topUps) {
      return topUpRefusals(prisma, topUps);
    },

    async find(tenantId, loanId) {
      const row = await prisma.loanAccount.findFirst({ where: { id: loanId, tenantId } });
      return row ? toView(row) : undefined;
    },

    async list(tenantId, query) {
      const rows = await prisma.loanAccount.findMany({
        where: { tenantId, ...afterKey(query.after) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return rows.map(toView);
    },

    async schedule(tenantId, loanId) {
      const loan = await prisma.loanAccount.findFirst({ where: { id: loanId, tenantId }, select: { currency: true, scale: true } });
      if (!loan) return undefined;
      const [rows, servicing] = await Promise.all([
        prisma.installment.findMany({ where: { loanId }, orderBy: { number: 'asc' } }),
        prisma.loanServicing.findUnique({ where: { loanId }, select: { state: true } }),
      ]);
      // The servicing state's view of each installment (what was paid, when), by number.
      const served = new Map(((servicing?.state as { installments?: ServedInstallment[] } | null)?.installments ?? []).map((i) => [i.number, i]));
      return {
        ...loan,
        installments: rows.map((r) => {
          const s = served.get(r.number);
          const paidMinor = s ? Object.values(s.paid).reduce((sum, v) => sum + BigInt(v), 0n) : undefined;
          return { ...r, dueDate: r.dueDate.toISOString().slice(0, 10), ...(s ? { status: s.status, paidMinor, paidOn: s.paidOn } : {}) };
        }),
      };
    },
  };
}

/** An installment as loan_servicing.state stores it (servicing/domain/servicing.ts stateJson). */
interface ServedInstallment { readonly number: number; readonly status: string; readonly paid: Record<string, string>; readonly paidOn: string | null }

type AccountRow = NonNullable<Awaited<ReturnType<PrismaClient['loanAccount']['findFirst']>>>;

function toView(row: AccountRow): LoanAccountView {
  const { terms: _terms, ...rest } = row;
  return { ...rest, borrower: row.borrower as never, disbursementDate: row.disbursementDate.toISOString().slice(0, 10) };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function insertAccounts(tx: Tx, bookings: NewBooking[]): Promise<string[]> {
  const col = <T>(pick: (b: NewBooking) => T) => bookings.map(pick);
  // ON CONFLICT (id): a loan id already booked from another event id is left as it was.
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    // product_version: the tenant's latest version of the product at booking (null when the tenant has
    // no such product: servicing then applies the loan engine's default rules).
    `INSERT INTO loan_accounts (id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale,
       annual_rate_percent, term_periods, frequency, schedule_method, disbursement_date, status, approved_at, approved_by,
       source_event_id, traceparent, collections_workflow_id, terms, product_version, top_up_of_loan_id)
     SELECT id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent,
       term_periods, frequency, schedule_method, disbursement_date, 'pending-disbursement', approved_at, approved_by,
       source_event_id, traceparent, collections_workflow_id, terms,
       (SELECT p.latest_version FROM products p WHERE p.tenant_id = t.tenant_id AND p.code = t.product_code), top_up_of_loan_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::bigint[], $7::text[], $8::int[], $9::text[],
       $10::int[], $11::text[], $12::text[], $13::date[], $14::timestamptz[], $15::text[], $16::uuid[], $17::text[], $18::text[], $19::jsonb[], $20::text[])
       AS t(id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent,
       term_periods, frequency, schedule_method, disbursement_date, approved_at, approved_by, source_event_id, traceparent,
       collections_workflow_id, terms, top_up_of_loan_id)
    ON CONFLICT (id) DO NOTHING RETURNING id`,
    col((b) => b.account.id), col((b) => b.account.tenantId), col((b) => b.account.applicationId),
    col((b) => JSON.stringify(b.account.borrower)), col((b) => b.account.productCode),
    col((b) => b.account.principalMinor.toString()), col((b) => b.account.currency), col((b) => b.account.scale),
    col((b) => b.account.annualRatePercent), col((b) => b.account.termPeriods), col((b) => b.account.frequency),
    col((b) => b.account.scheduleMethod), col((b) => b.account.disbursementDate),
    col((b) => b.account.approvedAt.toISOString()), col((b) => b.account.approvedBy), col((b) => b.eventId),
    col((b) => b.traceparent ?? null), col((b) => b.account.collectionsWorkflowId), col((b) => JSON.stringify(b.account.terms)),
    col((b) => b.account.topUpOfLoanId ?? null),
  );
  return rows.map((r) => r.id);
}

/** Why each top-up cannot be booked (ports.ts): one set-based read of the loans they name. */
async function topUpRefusals(prisma: PrismaClient, topUps: readonly TopUpRequest[]): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<{ event_id: string; old_loan_id: string; borrower_id: string | null; currency: string | null; status: string | null; found: boolean; want_borrower: string; want_currency: string }[]>(
    `SELECT t.event_id, t.old_loan_id, a.borrower ->> 'id' AS borrower_id, a.currency, coalesce(s.status, a.status) AS status, a.id IS NOT NULL AS found,
       t.borrower_id AS want_borrower, t.currency AS want_currency
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(event_id, tenant_id, old_loan_id, borrower_id, currency)
     LEFT JOIN loan_accounts a ON a.id = t.old_loan_id AND a.tenant_id = t.tenant_id
     LEFT JOIN loan_servicing s ON s.loan_id = a.id`,
    topUps.map((t) => t.eventId), topUps.map((t) => t.tenantId), topUps.map((t) => t.oldLoanId), topUps.map((t) => t.borrowerId), topUps.map((t) => t.currency),
  );
  const refused = new Map<string, string>();
  for (const r of rows) {
    const why = !r.found ? 'is not a loan of this tenant'
      : r.borrower_id !== r.want_borrower ? `is borrower ${r.borrower_id}'s, not ${r.want_borrower}'s`
        : r.currency !== r.want_currency ? `is in ${r.currency}, not ${r.want_currency}`
          : r.status !== 'active' ? `is ${r.status}: only an active loan can be topped up` : undefined;
    if (why) refused.set(r.event_id, `top-up: loan ${r.old_loan_id} ${why}`);
  }
  return refused;
}

/** Each booked loan's servicing row (pending disbursement, no engine state yet), with the version it keeps. */
async function insertServicing(tx: Tx, bookings: NewBooking[]): Promise<void> {
  if (bookings.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO loan_servicing (loan_id, tenant_id, product_code, product_version, status)
     SELECT id, tenant_id, product_code, product_version, status FROM loan_accounts WHERE id = ANY($1::text[])
     ON CONFLICT (loan_id) DO NOTHING`,
    bookings.map((b) => b.account.id),
  );
}

async function insertInstallments(tx: Tx, bookings: NewBooking[]): Promise<void> {
  const rows = bookings.flatMap((b) => b.account.installments.map((i) => ({ loanId: b.account.id, ...i })));
  if (rows.length === 0) return;
  const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
  await tx.$executeRawUnsafe(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT *, 'scheduled' FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    col((r) => r.loanId), col((r) => r.number), col((r) => r.dueDate), col((r) => r.principalMinor.toString()),
    col((r) => r.interestMinor.toString()), col((r) => r.feesMinor.toString()), col((r) => r.totalMinor.toString()),
    col((r) => r.balanceAfterMinor.toString()),
  );
}
