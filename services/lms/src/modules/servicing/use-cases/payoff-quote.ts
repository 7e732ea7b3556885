import { accountPayoffQuote, parseIsoDate, percentToRate, type AccountPayoffParts } from '@lendstack/loan-engine';
import type pg from 'pg';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { toAccountProduct } from '../../products/domain/product.js';
import { lockLoan, productDefinition, scheduleOf, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { failure, type Outcome } from '../domain/failures.js';
import { DEFAULT_ACCOUNT_PRODUCT, engineEvents, engineSchedule, type LoanTransaction } from '../domain/servicing.js';

export interface PayoffQuoteDeps {
  readonly pool: pg.Pool;
  readonly today: () => string;
  readonly newId: () => string;
}

export interface PayoffQuoteRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly asOf: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
}

export interface StoredPayoffQuote {
  readonly id: string;
  readonly loanId: string;
  readonly asOf: string;
  readonly validUntil: string;
  readonly businessDate: string;
  readonly currency: string;
  readonly scale: number;
  readonly totalMinor: bigint;
  readonly parts: AccountPayoffParts;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/**
 * The exact amount that closes the loan at the end of `asOf` (on or after the tenant's business date):
 * the loan engine replays the loan's money events through asOf without persisting anything, and its
 * balances are the parts (accountPayoffQuote). The quote is kept (payoff_quotes) so a foreclosure can
 * name it; it is valid for its as-of date only (interest accrues daily), so validUntil = asOf.
 * Failures: loan-not-found, idempotency-key-reused, as-of-before-business-date (/asOf),
 * loan-not-disbursed, loan-closed, loan-charged-off (/params/id), engine-refused.
 */
export async function requestPayoffQuote(deps: PayoffQuoteDeps, request: PayoffQuoteRequest): Promise<Outcome<StoredPayoffQuote>> {
  return inTransaction(deps.pool, async (client) => {
    const loan = await lockLoan(client, request.tenantId, request.loanId);
    if (!loan) return refuse('loan-not-found', '/params/id', `No loan ${request.loanId} for this tenant.`);
    if (request.idempotencyKey) {
      const prior = await quoteByKey(client, request.tenantId, request.idempotencyKey);
      if (prior) {
        if (prior.requestHash !== request.requestHash) return refuse('idempotency-key-reused', '/header/idempotency-key', 'already used with another request');
        return { ok: true as const, value: prior.quote, replayed: true };
      }
    }
    const businessDate = await businessDateOf(client, request.tenantId, deps.today);
    if (request.asOf < businessDate) return refuse('as-of-before-business-date', '/asOf', `must be on or after the business date ${businessDate}`);
    if (loan.status === 'pending-disbursement') return refuse('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.');
    if (loan.status === 'closed') return refuse('loan-closed', '/params/id', 'The loan is closed.');
    if (loan.status === 'charged-off') return refuse('loan-charged-off', '/params/id', 'The loan is charged off.');
    const q = await payoffAt(client, loan, request.asOf);
    if (!q.ok) {
      if (q.error.code === 'loan-charged-off') return refuse('loan-charged-off', '/params/id', `By ${request.asOf} the loan is charged off.`);
      if (q.error.code === 'nothing-outstanding') return refuse('loan-closed', '/params/id', `Nothing is outstanding on ${request.asOf}: ${q.error.message}.`);
      return refuse('engine-refused', '/', `${q.error.code}: ${q.error.message}`);
    }
    const quote: StoredPayoffQuote = {
      id: deps.newId(), loanId: loan.id, asOf: request.asOf, validUntil: request.asOf, businessDate, currency: loan.currency, scale: loan.scale,
      totalMinor: q.value.total, parts: q.value.parts, createdBy: request.actor, createdAt: new Date(),
    };
    await client.query(
      `INSERT INTO payoff_quotes (id, tenant_id, loan_id, as_of, valid_until, currency, scale, total_minor, parts, business_date, idempotency_key, request_hash, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [quote.id, loan.tenantId, loan.id, quote.asOf, quote.validUntil, quote.currency, quote.scale, quote.totalMinor.toString(), partsJson(quote.parts), businessDate,
        request.idempotencyKey ?? null, request.requestHash, quote.createdBy, quote.createdAt],
    );
    return { ok: true as const, value: quote };
  });
}

/**
 * The engine's payoff of a locked loan at the end of `asOf` (its transactions read on `client`, nothing
 * written): what a quote states and what a foreclosure on that date must pay.
 */
export async function payoffAt(client: pg.PoolClient, loan: ServicedLoan, asOf: string, transactions?: readonly LoanTransaction[]) {
  const definition = await productDefinition(client, loan.tenantId, loan.productCode, loan.productVersion);
  const charge = definition?.prepaymentCharge;
  return accountPayoffQuote(
    {
      schedule: engineSchedule((await scheduleOf(client, [loan.id])).get(loan.id) ?? []),
      product: definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT,
      events: engineEvents(transactions ?? (await transactionsOf(client, loan.id, { allocations: false }))),
    },
    parseIsoDate(asOf),
    charge ? { prepaymentCharge: { rate: percentToRate(charge.percentOfPrincipal), fixedMinor: BigInt(charge.fixed.amount) } } : {},
  );
}

const refuse = (code: Parameters<typeof failure>[0], pointer: string, detail: string) => ({ ok: false as const, error: failure(code, pointer, detail) });

const PART_NAMES = ['principal', 'interest', 'fees', 'penalties', 'prepaymentCharge', 'excess'] as const;
const partsJson = (p: AccountPayoffParts) => JSON.stringify(Object.fromEntries(PART_NAMES.map((k) => [k, p[k].toString()])));

type QuoteRow = { id: string; loan_id: string; as_of: string; valid_until: string; business_date: string; currency: string; scale: number; total_minor: string; parts: Record<string, string>; created_by: string; created_at: Date; request_hash: string };

/** A stored quote by id (tenant scoped). */
export async function payoffQuoteById(client: pg.Pool | pg.PoolClient, tenantId: string, id: string): Promise<StoredPayoffQuote | undefined> {
  const row = (await client.query<QuoteRow>(`SELECT ${QUOTE_COLUMNS} FROM payoff_quotes WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0];
  return row ? toQuote(row) : undefined;
}

async function quoteByKey(client: pg.PoolClient, tenantId: string, key: string): Promise<{ quote: StoredPayoffQuote; requestHash: string } | undefined> {
  const row = (await client.query<QuoteRow>(`SELECT ${QUOTE_COLUMNS} FROM payoff_quotes WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key])).rows[0];
  return row ? { quote: toQuote(row), requestHash: row.request_hash } : undefined;
}

const QUOTE_COLUMNS = `id, loan_id, to_char(as_of, 'YYYY-MM-DD') AS as_of, to_char(valid_until, 'YYYY-MM-DD') AS valid_until, to_char(business_date, 'YYYY-MM-DD') AS business_date,
  currency, scale, total_minor::text, parts, created_by, created_at, request_hash`;

const toQuote = (r: QuoteRow): StoredPayoffQuote => ({
  id: r.id, loanId: r.loan_id, asOf: r.as_of, validUntil: r.valid_until, businessDate: r.business_date, currency: r.currency, scale: r.scale, totalMinor: BigInt(r.total_minor),
  parts: Object.fromEntries(PART_NAMES.map((k) => [k, BigInt(r.parts[k] ?? '0')])) as unknown as AccountPayoffParts, createdBy: r.created_by, createdAt: r.created_at,
});
