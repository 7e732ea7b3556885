import type pg from 'pg';
import { DEFAULT_CHART_OF_ACCOUNTS } from '../../products/domain/product.js';

/**
 * Set-based loads of a book straight into the LMS tables (the portfolio simulator and the reports bench
 * share it): each call inserts a chunk of loans with their ledger entries and lines, schedule, delinquency
 * change points, auto-debit presentments and promises to pay, one INSERT … SELECT FROM unnest(…) per table,
 * in the caller's transaction. Entry ids are md5(tenant, loan, key) so the lines find their entry without a
 * round trip. Account codes follow the default chart of accounts.
 */
export interface BookLoanRow { readonly id: string; readonly productCode: string; readonly principalMinor: number; readonly currency: string; readonly scale: number; readonly annualRatePercent: string; readonly termPeriods: number; readonly disbursementDate: string; readonly status: string; readonly region: string }
export interface BookEntryRow { readonly loanId: string; readonly key: string; readonly kind: string; readonly date: string; readonly currency: string; readonly scale: number; readonly lines: readonly (readonly [account: string, side: 'debit' | 'credit', amountMinor: number])[] }
export interface BookPointRow { readonly loanId: string; readonly from: string; readonly dpd: number; readonly anchor: string | null; readonly us: string; readonly rbi: string; readonly npaSince: string | null }
export interface BookInstallmentRow { readonly loanId: string; readonly number: number; readonly due: string; readonly principalMinor: number; readonly interestMinor: number; readonly totalMinor: number; readonly balanceAfterMinor: number; readonly status: 'scheduled' | 'due' }
export interface BookPresentmentRow { readonly id: string; readonly loanId: string; readonly installment: number; readonly date: string; readonly amountMinor: number; readonly currency: string; readonly scale: number; readonly returned: boolean }
export interface BookPromiseRow { readonly id: string; readonly loanId: string; readonly madeOn: string; readonly payBy: string; readonly amountMinor: number; readonly currency: string; readonly scale: number; readonly status: string | null }
export interface BookRows {
  readonly loans: readonly BookLoanRow[];
  readonly entries: readonly BookEntryRow[];
  readonly points: readonly BookPointRow[];
  readonly installments?: readonly BookInstallmentRow[];
  readonly presentments?: readonly BookPresentmentRow[];
  readonly promises?: readonly BookPromiseRow[];
}

type Db = pg.Pool | pg.PoolClient;
const col = <T, V>(rows: readonly T[], pick: (r: T) => V) => rows.map(pick);

/** The GL accounts the loads post to, for the tenant (idempotent). */
export async function ensureLedgerAccounts(db: Db, tenantId: string): Promise<void> {
  const accounts: [string, string, string][] = [['loan-portfolio', 'asset', 'debit'], ['disbursement-clearing', 'asset', 'debit'], ['collection-clearing', 'asset', 'debit'],
    ['interest-receivable', 'asset', 'debit'], ['interest-income', 'income', 'credit'], ['write-off-expense', 'expense', 'debit']];
  await db.query(
    `INSERT INTO ledger_accounts (tenant_id, code, name, type, normal_side) SELECT $1, c, n, t, s FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS a(c, n, t, s) ON CONFLICT DO NOTHING`,
    [tenantId, accounts.map(([a]) => DEFAULT_CHART_OF_ACCOUNTS[a as keyof typeof DEFAULT_CHART_OF_ACCOUNTS]!.code), accounts.map(([a]) => a), accounts.map(([, t]) => t), accounts.map(([, , s]) => s)],
  );
}

export async function writeBook(client: pg.PoolClient, tenantId: string, rows: BookRows): Promise<void> {
  const { loans, entries, points } = rows;
  await client.query(
    `INSERT INTO loan_accounts (id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent, term_periods, frequency, schedule_method,
       disbursement_date, status, approved_at, approved_by, source_event_id, collections_workflow_id)
     SELECT u.id, $1, 'app-' || u.id, jsonb_build_object('address', jsonb_build_object('region', u.region)), u.product, u.principal, u.currency, u.scale, u.rate, u.term, 'monthly', 'equal-installment',
       u.disbursed, u.status, now(), 'simulator', md5($1 || u.id)::uuid, 'collections-' || u.id
     FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::int[], $9::date[], $10::text[], $11::text[])
       AS u(id, product, principal, currency, scale, rate, term, disbursed, status, region)`,
    [tenantId, col(loans, (l) => l.id), col(loans, (l) => l.productCode), col(loans, (l) => l.principalMinor), col(loans, (l) => l.currency), col(loans, (l) => l.scale),
      col(loans, (l) => l.annualRatePercent), col(loans, (l) => l.termPeriods), col(loans, (l) => l.disbursementDate), col(loans, (l) => l.status), col(loans, (l) => l.region)],
  );
  await client.query(
    `INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale)
     SELECT md5($1 || u.loan || u.key)::uuid, $1, u.loan, u.key, u.kind, u.d, u.d, u.currency, u.scale
     FROM unnest($2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::int[]) AS u(loan, key, kind, d, currency, scale)`,
    [tenantId, col(entries, (e) => e.loanId), col(entries, (e) => e.key), col(entries, (e) => e.kind), col(entries, (e) => e.date), col(entries, (e) => e.currency), col(entries, (e) => e.scale)],
  );
  const lines = entries.flatMap((e) => e.lines.map((l, k) => ({ e, k: k + 1, l })));
  const code = (account: string) => DEFAULT_CHART_OF_ACCOUNTS[account as keyof typeof DEFAULT_CHART_OF_ACCOUNTS]?.code ?? account;
  await client.query(
    `INSERT INTO journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
     SELECT md5($1 || u.loan || u.key)::uuid, u.n, $1, u.loan, u.d, u.currency, u.scale, u.code, u.account, u.side, u.amount
     FROM unnest($2::text[], $3::text[], $4::int[], $5::date[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::bigint[])
       AS u(loan, key, n, d, currency, scale, code, account, side, amount)`,
    [tenantId, col(lines, (x) => x.e.loanId), col(lines, (x) => x.e.key), col(lines, (x) => x.k), col(lines, (x) => x.e.date), col(lines, (x) => x.e.currency), col(lines, (x) => x.e.scale),
      col(lines, (x) => code(x.l[0])), col(lines, (x) => x.l[0]), col(lines, (x) => x.l[1]), col(lines, (x) => x.l[2])],
  );
  await client.query(
    `INSERT INTO delinquency_history (loan_id, from_date, dpd, dpd_anchor, us_bucket, rbi_class, npa_since)
     SELECT * FROM unnest($1::text[], $2::date[], $3::int[], $4::date[], $5::text[], $6::text[], $7::date[])`,
    [col(points, (p) => p.loanId), col(points, (p) => p.from), col(points, (p) => p.dpd), col(points, (p) => p.anchor), col(points, (p) => p.us), col(points, (p) => p.rbi), col(points, (p) => p.npaSince)],
  );
  const inst = rows.installments ?? [];
  if (inst.length > 0) {
    await client.query(
      `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
       SELECT u.loan, u.n, u.due, u.p, u.i, 0, u.t, u.b, u.s FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[]) AS u(loan, n, due, p, i, t, b, s)`,
      [col(inst, (r) => r.loanId), col(inst, (r) => r.number), col(inst, (r) => r.due), col(inst, (r) => r.principalMinor), col(inst, (r) => r.interestMinor), col(inst, (r) => r.totalMinor), col(inst, (r) => r.balanceAfterMinor), col(inst, (r) => r.status)],
    );
  }
  const pres = rows.presentments ?? [];
  if (pres.length > 0) {
    await client.query(
      `INSERT INTO autodebit_presentments (id, tenant_id, loan_id, installment_number, rail, attempt, amount_minor, currency, scale, effective_date, status, reference, settlement_date, return_code, returned_on)
       SELECT u.id, $1, u.loan, u.n, 'nach', 1, u.amount, u.currency, u.scale, u.d, CASE WHEN u.returned THEN 'returned' ELSE 'settled' END, u.id,
              CASE WHEN u.returned THEN NULL ELSE u.d END, CASE WHEN u.returned THEN 'R01' END, CASE WHEN u.returned THEN u.d + 2 END
       FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::text[], $7::int[], $8::date[], $9::bool[]) AS u(id, loan, n, amount, currency, scale, d, returned)`,
      [tenantId, col(pres, (r) => r.id), col(pres, (r) => r.loanId), col(pres, (r) => r.installment), col(pres, (r) => r.amountMinor), col(pres, (r) => r.currency), col(pres, (r) => r.scale), col(pres, (r) => r.date), col(pres, (r) => r.returned)],
    );
  }
  const promises = rows.promises ?? [];
  if (promises.length > 0) {
    await client.query(
      `INSERT INTO collections_actions (id, tenant_id, loan_id, kind, details, business_date, recorded_by, recorded_at, idempotency_key, request_hash, status)
       SELECT md5($1 || u.id)::uuid, $1, u.loan, 'promise-to-pay',
              jsonb_build_object('payBy', to_char(u.pay_by, 'YYYY-MM-DD'), 'amount', jsonb_build_object('amount', u.amount::text, 'currency', u.currency, 'scale', u.scale)),
              u.made_on, 'simulator', u.made_on::timestamptz, u.id, md5(u.id), u.status
       FROM unnest($2::text[], $3::text[], $4::date[], $5::date[], $6::bigint[], $7::text[], $8::int[], $9::text[]) AS u(id, loan, made_on, pay_by, amount, currency, scale, status)`,
      [tenantId, col(promises, (r) => r.id), col(promises, (r) => r.loanId), col(promises, (r) => r.madeOn), col(promises, (r) => r.payBy), col(promises, (r) => r.amountMinor), col(promises, (r) => r.currency), col(promises, (r) => r.scale), col(promises, (r) => r.status)],
    );
  }
}
