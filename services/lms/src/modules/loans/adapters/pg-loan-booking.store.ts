import type pg from 'pg';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { adoptOriginationMandates } from '../../autodebit/adapters/origination-mandates.repository.js';
import type { LoanBookingStore, NewBooking, TopUpRequest } from '../ports.js';

/**
 * Booking on node-postgres: per chunk of LoanApproved, one transaction of set-based statements (unnest(): one
 * per table) with the chunk's inbox rows, so its cost per loan falls as chunks grow. No ORM on this path: each
 * statement is one round trip, and the connection is idle in transaction only between them.
 */
export function createPgLoanBookingStore(pool: pg.Pool): LoanBookingStore {
  return {
    async bookNew(all) {
      // A chunk may hold one redelivered event twice: book each event id once.
      const bookings = uniqueBy(all, (b) => b.eventId);
      const { value } = await inTransaction(pool, async (client) => {
        const fresh = await client.query<{ event_id: string }>(
          `INSERT INTO inbox (event_id, type, version)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          [bookings.map((b) => b.eventId), bookings.map((b) => b.eventType), bookings.map((b) => b.eventVersion)],
        );
        const freshIds = new Set(fresh.rows.map((r) => r.event_id));
        const toBook = uniqueBy(bookings.filter((b) => freshIds.has(b.eventId)), (b) => b.account.id);
        const inserted = new Set(toBook.length > 0 ? await insertAccounts(client, toBook) : []);
        const booked = toBook.filter((b) => inserted.has(b.account.id));
        if (booked.length > 0) {
          await insertInstallments(client, booked);
          await insertServicing(client, booked);
          // The mandate registered at origination becomes the loan's debit authorisation in the same transaction.
          await adoptOriginationMandates(client, booked.map((b) => ({ tenantId: b.account.tenantId, loanId: b.account.id, currency: b.account.currency, bankAccount: b.account.borrower.bankAccount })));
        }
        const bookedEvents = new Set(booked.map((b) => b.eventId));
        // A new event for a loan that another event already booked changes nothing: report it.
        const conflicts = bookings.filter((b) => freshIds.has(b.eventId) && !bookedEvents.has(b.eventId)).map((b) => b.eventId);
        return { ok: true as const, value: { booked: booked.map((b) => b.account.id), conflicts } };
      });
      return value;
    },

    async productsNotInCatalogue(pairs) {
      if (pairs.length === 0) return new Set();
      const { rows } = await pool.query<{ pair: string }>(
        `SELECT DISTINCT t.tenant_id || ':' || t.code AS pair
         FROM unnest($1::text[], $2::text[]) AS t(tenant_id, code)
         WHERE EXISTS (SELECT 1 FROM products p WHERE p.tenant_id = t.tenant_id)
           AND NOT EXISTS (SELECT 1 FROM products p WHERE p.tenant_id = t.tenant_id AND p.code = t.code)`,
        [pairs.map((p) => p.tenantId), pairs.map((p) => p.productCode)],
      );
      return new Set(rows.map((r) => r.pair));
    },

    topUpRefusals: (topUps) => topUpRefusals(pool, topUps),
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}

async function insertAccounts(client: pg.PoolClient, bookings: NewBooking[]): Promise<string[]> {
  const col = <T>(pick: (b: NewBooking) => T) => bookings.map(pick);
  // ON CONFLICT (id): a loan id already booked from another event id is left as it was.
  const { rows } = await client.query<{ id: string }>(
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
    [
      col((b) => b.account.id), col((b) => b.account.tenantId), col((b) => b.account.applicationId),
      col((b) => JSON.stringify(b.account.borrower)), col((b) => b.account.productCode),
      col((b) => b.account.principalMinor.toString()), col((b) => b.account.currency), col((b) => b.account.scale),
      col((b) => b.account.annualRatePercent), col((b) => b.account.termPeriods), col((b) => b.account.frequency),
      col((b) => b.account.scheduleMethod), col((b) => b.account.disbursementDate),
      col((b) => b.account.approvedAt.toISOString()), col((b) => b.account.approvedBy), col((b) => b.eventId),
      col((b) => b.traceparent ?? null), col((b) => b.account.collectionsWorkflowId), col((b) => JSON.stringify(b.account.terms)),
      col((b) => b.account.topUpOfLoanId ?? null),
    ],
  );
  return rows.map((r) => r.id);
}

/** Why each top-up cannot be booked (ports.ts): one set-based read of the loans they name. */
async function topUpRefusals(pool: pg.Pool, topUps: readonly TopUpRequest[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ event_id: string; old_loan_id: string; borrower_id: string | null; currency: string | null; status: string | null; found: boolean }>(
    `SELECT t.event_id, t.old_loan_id, a.borrower ->> 'id' AS borrower_id, a.currency, coalesce(s.status, a.status) AS status, a.id IS NOT NULL AS found
     FROM unnest($1::text[], $2::text[], $3::text[]) AS t(event_id, tenant_id, old_loan_id)
     LEFT JOIN loan_accounts a ON a.id = t.old_loan_id AND a.tenant_id = t.tenant_id
     LEFT JOIN loan_servicing s ON s.loan_id = a.id`,
    [topUps.map((t) => t.eventId), topUps.map((t) => t.tenantId), topUps.map((t) => t.oldLoanId)],
  );
  const wanted = new Map(topUps.map((t) => [t.eventId, t]));
  const refused = new Map<string, string>();
  for (const r of rows) {
    const want = wanted.get(r.event_id)!;
    const why = !r.found ? 'is not a loan of this tenant'
      : r.borrower_id !== want.borrowerId ? `is borrower ${r.borrower_id}'s, not ${want.borrowerId}'s`
        : r.currency !== want.currency ? `is in ${r.currency}, not ${want.currency}`
          : r.status !== 'active' ? `is ${r.status}: only an active loan can be topped up` : undefined;
    if (why) refused.set(r.event_id, `top-up: loan ${r.old_loan_id} ${why}`);
  }
  return refused;
}

/** Each booked loan's servicing row (pending disbursement, no engine state yet), with the version it keeps. */
async function insertServicing(client: pg.PoolClient, bookings: NewBooking[]): Promise<void> {
  await client.query(
    `INSERT INTO loan_servicing (loan_id, tenant_id, product_code, product_version, status)
     SELECT id, tenant_id, product_code, product_version, status FROM loan_accounts WHERE id = ANY($1::text[])
     ON CONFLICT (loan_id) DO NOTHING`,
    [bookings.map((b) => b.account.id)],
  );
}

async function insertInstallments(client: pg.PoolClient, bookings: NewBooking[]): Promise<void> {
  const rows = bookings.flatMap((b) => b.account.installments.map((i) => ({ loanId: b.account.id, ...i })));
  if (rows.length === 0) return;
  const col = <T>(pick: (r: (typeof rows)[number]) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT *, 'scheduled' FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    [
      col((r) => r.loanId), col((r) => r.number), col((r) => r.dueDate), col((r) => r.principalMinor.toString()),
      col((r) => r.interestMinor.toString()), col((r) => r.feesMinor.toString()), col((r) => r.totalMinor.toString()),
      col((r) => r.balanceAfterMinor.toString()),
    ],
  );
}
