// SQL of servicing (node-postgres, on the caller's client and transaction). Writes are set-based
// (unnest) so end of day writes a batch of loans in one statement per table.
import { topics, type ProductDefinition } from '@lendstack/contracts';
import { formatIsoDate, type AccountSnapshot, type AccountState, type DelinquencyPoint, type PaymentAllocation } from '@lendstack/loan-engine';
import type pg from 'pg';
import { allocationDigest, historyRow, stateJson, type LoanTransaction, type StoredAllocation } from '../domain/servicing.js';
import type { LoanBalancesRow } from '../ports.js';

/** A row for the outbox: the envelope id, the Kafka key (the loan id) and the envelope. */
export interface OutboxEnvelope {
  readonly id: string;
  readonly key: string;
  readonly value: unknown;
}

/** A loan as servicing needs it, with its servicing row (locked when read by lockLoan). */
export interface ServicedLoan {
  readonly id: string;
  readonly tenantId: string;
  readonly currency: string;
  readonly scale: number;
  readonly principalMinor: bigint;
  readonly accountToken: string | null;
  /** The borrower's own account from LoanApproved (token, bank code, holder): the only payout beneficiary. */
  readonly bankAccount: { accountToken: string; bankCode: string; holderName: string; accountNumberMasked?: string } | null;
  readonly terms: unknown;
  readonly productCode: string;
  readonly productVersion: number | null;
  readonly disbursementDate: string;
  readonly status: string;
  readonly asOf: string | null;
  readonly version: number;
  /** The tenant's business date as the lock read it (null: not set yet — businessDateOf sets it on first use). */
  readonly businessDate: string | null;
}

const LOAN_COLUMNS = `a.id, a.tenant_id, a.currency, a.scale, a.principal_minor::text AS principal_minor,
  a.borrower #>> '{bankAccount,accountToken}' AS account_token, a.borrower -> 'bankAccount' AS bank_account, a.terms, s.product_code, s.product_version,
  to_char(a.disbursement_date, 'YYYY-MM-DD') AS disbursement_date, s.status, to_char(s.as_of, 'YYYY-MM-DD') AS as_of,
  s.version, (SELECT to_char(b.business_date, 'YYYY-MM-DD') FROM business_dates b WHERE b.tenant_id = s.tenant_id) AS business_date`;

type LoanRow = { id: string; tenant_id: string; currency: string; scale: number; principal_minor: string; account_token: string | null; bank_account: ServicedLoan['bankAccount']; terms: unknown; product_code: string; product_version: number | null; disbursement_date: string; status: string; as_of: string | null; version: number; business_date: string | null };

const toLoan = (r: LoanRow): ServicedLoan => ({
  id: r.id, tenantId: r.tenant_id, currency: r.currency, scale: r.scale, principalMinor: BigInt(r.principal_minor), accountToken: r.account_token, bankAccount: r.bank_account,
  terms: r.terms, productCode: r.product_code, productVersion: r.product_version, disbursementDate: r.disbursement_date, status: r.status,
  asOf: r.as_of, version: r.version, businessDate: r.business_date,
});

/**
 * Locks a loan's servicing row (SELECT … FOR UPDATE: one loan's changes serialise), creating it first
 * for a loan booked before servicing existed. Undefined when the tenant has no such loan.
 */
export async function lockLoan(client: pg.PoolClient, tenantId: string, loanId: string): Promise<ServicedLoan | undefined> {
  const select = () => client.query<LoanRow>(`SELECT ${LOAN_COLUMNS} FROM loan_servicing s JOIN loan_accounts a ON a.id = s.loan_id WHERE s.loan_id = $1 AND s.tenant_id = $2 FOR UPDATE OF s`, [loanId, tenantId]);
  let rows = (await select()).rows;
  if (rows.length === 0) {
    const created = await client.query(
      `INSERT INTO loan_servicing (loan_id, tenant_id, product_code, product_version, status)
       SELECT id, tenant_id, product_code, product_version, status FROM loan_accounts WHERE id = $1 AND tenant_id = $2
       ON CONFLICT (loan_id) DO NOTHING`, [loanId, tenantId]);
    if (created.rowCount === 0 && (await client.query('SELECT 1 FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [loanId, tenantId])).rowCount === 0) return undefined;
    rows = (await select()).rows;
  }
  return rows[0] ? toLoan(rows[0]) : undefined;
}

// `seq` comes back as text under its own name: an ORDER BY must name loan_transactions.seq, or it sorts the text
// ('10' before '9') and a loan's transactions straddling a power of ten come out of order.
const TX_COLUMNS = `id, tenant_id, loan_id, kind, to_char(value_date, 'YYYY-MM-DD') AS value_date, amount_minor::text AS amount_minor, currency, scale,
  channel, reference, target_id, reason, status, failure_reason, allocation, allocation_digest, request_hash, created_by, created_at, seq::text AS seq`;

type TxRow = { id: string; tenant_id: string; loan_id: string; kind: LoanTransaction['kind']; value_date: string; amount_minor: string | null; currency: string; scale: number; channel: string | null; reference: string | null; target_id: string | null; reason: string | null; status: LoanTransaction['status']; failure_reason: string | null; allocation: StoredAllocation | null; allocation_digest: string | null; request_hash: string | null; created_by: string; created_at: Date | number; seq: string };

const toTx = (r: TxRow): LoanTransaction => ({
  id: r.id, tenantId: r.tenant_id, loanId: r.loan_id, kind: r.kind, valueDate: r.value_date, amountMinor: r.amount_minor === null ? null : BigInt(r.amount_minor),
  currency: r.currency, scale: r.scale, channel: r.channel, reference: r.reference, targetId: r.target_id, reason: r.reason, status: r.status,
  failureReason: r.failure_reason, allocation: r.allocation, allocationDigest: r.allocation_digest, requestHash: r.request_hash, createdBy: r.created_by,
  createdAt: r.created_at instanceof Date ? r.created_at : new Date(r.created_at), seq: BigInt(r.seq),
});

/**
 * A loan's transactions in order. For a replay (`allocations: false`) the allocation JSON is left
 * out (null) — the engine recomputes it, and its digest says whether the stored one changed.
 */
export async function transactionsOf(client: pg.PoolClient | pg.Pool, loanId: string, options: { allocations: boolean } = { allocations: true }): Promise<LoanTransaction[]> {
  // A replay reads every transaction of the loan: created_at as epoch milliseconds (a float) costs a
  // fraction of node-postgres's timestamp parsing, for the same Date.
  const columns = options.allocations
    ? TX_COLUMNS
    : TX_COLUMNS.replace('allocation,', 'NULL::jsonb AS allocation,').replace('created_at,', '(extract(epoch FROM created_at) * 1000)::float8 AS created_at,');
  return (await client.query<TxRow>(`SELECT ${columns} FROM loan_transactions WHERE loan_id = $1 ORDER BY loan_transactions.seq`, [loanId])).rows.map(toTx);
}

export async function transactionById(client: pg.PoolClient | pg.Pool, tenantId: string, id: string): Promise<LoanTransaction | undefined> {
  const row = (await client.query<TxRow>(`SELECT ${TX_COLUMNS} FROM loan_transactions WHERE tenant_id = $1 AND id = $2`, [tenantId, id])).rows[0];
  return row ? toTx(row) : undefined;
}

/** The transaction a tenant's Idempotency-Key produced, if any. */
export async function transactionByKey(client: pg.PoolClient, tenantId: string, key: string): Promise<LoanTransaction | undefined> {
  const row = (await client.query<TxRow>(`SELECT ${TX_COLUMNS} FROM loan_transactions WHERE tenant_id = $1 AND idempotency_key = $2`, [tenantId, key])).rows[0];
  return row ? toTx(row) : undefined;
}

/** Newest first, keyset paged by seq; at most limit + 1 rows. */
export async function pageTransactions(pool: pg.Pool, tenantId: string, loanId: string, query: { beforeSeq?: bigint; limit: number }): Promise<LoanTransaction[]> {
  const rows = await pool.query<TxRow>(
    `SELECT ${TX_COLUMNS} FROM loan_transactions WHERE tenant_id = $1 AND loan_id = $2 AND ($3::bigint IS NULL OR seq < $3::bigint) ORDER BY loan_transactions.seq DESC LIMIT $4`,
    [tenantId, loanId, query.beforeSeq?.toString() ?? null, query.limit + 1],
  );
  return rows.rows.map(toTx);
}

export interface NewTransaction {
  readonly id: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly kind: LoanTransaction['kind'];
  readonly valueDate: string;
  readonly amountMinor: bigint | null;
  readonly currency: string;
  readonly scale: number;
  readonly channel?: string;
  readonly reference?: string;
  readonly targetId?: string;
  readonly reason?: string;
  readonly status: LoanTransaction['status'];
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly createdBy: string;
}

export async function insertTransaction(client: pg.PoolClient, t: NewTransaction): Promise<LoanTransaction> {
  const row = await client.query<TxRow>(
    `INSERT INTO loan_transactions (id, tenant_id, loan_id, kind, value_date, amount_minor, currency, scale, channel, reference, target_id, reason, status, idempotency_key, request_hash, created_by)
     VALUES ($1, $2, $3, $4, $5::date, $6::bigint, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${TX_COLUMNS}`,
    [t.id, t.tenantId, t.loanId, t.kind, t.valueDate, t.amountMinor?.toString() ?? null, t.currency, t.scale, t.channel ?? null, t.reference ?? null, t.targetId ?? null, t.reason ?? null, t.status, t.idempotencyKey ?? null, t.requestHash, t.createdBy],
  );
  return toTx(row.rows[0]!);
}

export async function scheduleOf(client: pg.PoolClient, loanIds: readonly string[]) {
  const rows = await client.query<{ loan_id: string; number: number; due_date: string; principal_minor: string; interest_minor: string; fees_minor: string }>(
    `SELECT loan_id, number, to_char(due_date, 'YYYY-MM-DD') AS due_date, principal_minor::text, interest_minor::text, fees_minor::text
     FROM installments WHERE loan_id = ANY($1::text[]) ORDER BY loan_id, number`, [loanIds]);
  const byLoan = new Map<string, { number: number; dueDate: string; principalMinor: bigint; interestMinor: bigint; feesMinor: bigint }[]>();
  for (const r of rows.rows) {
    const list = byLoan.get(r.loan_id) ?? [];
    list.push({ number: r.number, dueDate: r.due_date, principalMinor: BigInt(r.principal_minor), interestMinor: BigInt(r.interest_minor), feesMinor: BigInt(r.fees_minor) });
    byLoan.set(r.loan_id, list);
  }
  return byLoan;
}

export async function productDefinition(client: pg.PoolClient, tenantId: string, code: string, version: number | null): Promise<ProductDefinition | undefined> {
  if (version === null) return undefined;
  const row = await client.query<{ definition: ProductDefinition }>('SELECT definition FROM product_versions WHERE tenant_id = $1 AND code = $2 AND version = $3', [tenantId, code, version]);
  return row.rows[0]?.definition;
}

/** What one loan's change writes besides the ledger. */
export interface StateWrite {
  readonly loanId: string;
  readonly tenantId: string;
  readonly snapshot: AccountSnapshot;
  readonly state: AccountState;
  /** Delinquency points from this date on are replaced by `history` (the points dated from it); NO_HISTORY_CHANGE: none. */
  readonly historyFrom: string;
  readonly history: readonly DelinquencyPoint[];
  readonly eodThrough?: string;
}

/** A StateWrite's historyFrom when its delinquency history is unchanged: nothing deleted or inserted. */
export const NO_HISTORY_CHANGE = '9999-12-31';

/** What saveStates also writes in its first statement (one round trip instead of one each). */
export interface StatesAlso {
  readonly balances?: readonly LoanBalancesRow[];
  readonly outbox?: readonly OutboxEnvelope[];
}

/**
 * loan_servicing (the JSON written whole: any quiet days folded in before are reset, eod-batch.queries.ts) and loan_accounts.status (one statement, with `also`'s loan_balances and outbox rows), and
 * delinquency_history, for many loans. Returns each loan's servicing version as the write left it.
 */
export async function saveStates(client: pg.PoolClient, writes: readonly StateWrite[], also: StatesAlso = {}): Promise<Map<string, number>> {
  if (writes.length === 0) {
    if (also.balances) await upsertLoanBalances(client, also.balances);
    if (also.outbox) await enqueue(client, also.outbox);
    return new Map();
  }
  const iso = (d: number | null) => (d === null ? null : formatIsoDate(d));
  // One statement for both tables (a data-modifying WITH): loan_servicing, then the account's status
  // where it moved. The rows go as ONE JSON document, not as an array parameter per column: node-postgres
  // escapes every character of an array parameter, which for the snapshots' and states' JSON cost more than
  // the statement (BENCHMARKS.md, "End of day at scale"); one JSON.stringify of the whole page does not.
  const rows = `SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(loan_id text, snapshot jsonb, state jsonb, as_of date, status text, accrual_status text, dpd int,
         us_bucket text, rbi_class text, oldest date, npa_since date, eod_through date)`;
  const values: unknown[] = [JSON.stringify(writes.map((w) => ({
    loan_id: w.loanId, snapshot: w.snapshot, state: stateJson(w.state), as_of: iso(w.state.asOf), status: w.state.status, accrual_status: w.state.accrualStatus,
    dpd: w.state.delinquency.dpd, us_bucket: w.state.delinquency.usBucket, rbi_class: w.state.delinquency.rbiClass,
    oldest: iso(w.state.delinquency.oldestUnpaidDueDate), npa_since: iso(w.state.delinquency.npaSince), eod_through: w.eodThrough ?? null,
  })))];
  const balances = also.balances?.length ? balancesInsert(also.balances, values.length) : undefined;
  if (balances) values.push(...balances.params);
  const outbox = also.outbox?.length ? outboxInsert(also.outbox, values.length) : undefined;
  if (outbox) values.push(...outbox.params);
  const saved = await client.query<{ loan_id: string; version: number }>(
    `WITH t AS (${rows}), servicing AS (
       UPDATE loan_servicing s SET snapshot = t.snapshot, state = t.state, quiet_interest_minor = 0, quiet_accrued_in_period = NULL, as_of = t.as_of, status = t.status, accrual_status = t.accrual_status,
         dpd = t.dpd, us_bucket = t.us_bucket, rbi_class = t.rbi_class, oldest_unpaid_due_date = t.oldest, npa_since = t.npa_since,
         eod_through = coalesce(t.eod_through, s.eod_through), version = s.version + 1, updated_at = now()
       FROM t WHERE s.loan_id = t.loan_id
       RETURNING s.loan_id, s.version
     ), accounts AS (
       UPDATE loan_accounts a SET status = t.status FROM t WHERE a.id = t.loan_id AND a.status <> t.status
     )${balances ? `, balances AS (${balances.sql})` : ''}${outbox ? `, outbox AS (${outbox.sql})` : ''}
     SELECT loan_id, version FROM servicing`,
    values,
  );
  const versions = new Map(saved.rows.map((r) => [r.loan_id, r.version]));
  const rewritten = writes.filter((w) => w.historyFrom !== NO_HISTORY_CHANGE);
  if (rewritten.length === 0) return versions;
  await client.query(
    `DELETE FROM delinquency_history h USING unnest($1::text[], $2::date[]) AS t(loan_id, from_date) WHERE h.loan_id = t.loan_id AND h.from_date >= t.from_date`,
    [rewritten.map((w) => w.loanId), rewritten.map((w) => w.historyFrom)],
  );
  const points = rewritten.flatMap((w) => w.history.map((p) => ({ loanId: w.loanId, ...historyRow(p) })).filter((p) => p.fromDate >= w.historyFrom));
  if (points.length === 0) return versions;
  const pc = <T>(pick: (p: (typeof points)[number]) => T) => points.map(pick);
  await client.query(
    `INSERT INTO delinquency_history (loan_id, from_date, dpd, dpd_anchor, us_bucket, rbi_class, npa_since)
     SELECT * FROM unnest($1::text[], $2::date[], $3::int[], $4::date[], $5::text[], $6::text[], $7::date[])
     ON CONFLICT (loan_id, from_date) DO UPDATE SET dpd = excluded.dpd, dpd_anchor = excluded.dpd_anchor, us_bucket = excluded.us_bucket, rbi_class = excluded.rbi_class, npa_since = excluded.npa_since`,
    [pc((p) => p.loanId), pc((p) => p.fromDate), pc((p) => p.dpd), pc((p) => p.dpdAnchor), pc((p) => p.usBucket), pc((p) => p.rbiClass), pc((p) => p.npaSince)],
  );
  return versions;
}

/**
 * Rewrites the allocation of each repayment a replay split differently (a backdated event can change
 * earlier splits): `stored` maps a transaction id to the digest it holds, and a split with the same
 * digest is not sent at all.
 */
export async function saveAllocations(client: pg.PoolClient, allocations: readonly PaymentAllocation[], stored: ReadonlyMap<string, string | null> = new Map()): Promise<number> {
  const changed = allocations.flatMap((a) => {
    if (a.kind === 'excess-applied') return [];
    const { json, digest } = allocationDigest(a);
    return stored.get(a.source) === digest ? [] : [{ id: a.source, json, digest }];
  });
  if (changed.length === 0) return 0;
  const result = await client.query(
    `UPDATE loan_transactions t SET allocation = u.allocation, allocation_digest = u.digest FROM unnest($1::uuid[], $2::jsonb[], $3::text[]) AS u(id, allocation, digest)
     WHERE t.id = u.id AND (t.allocation IS DISTINCT FROM u.allocation OR t.allocation_digest IS DISTINCT FROM u.digest)`,
    [changed.map((c) => c.id), changed.map((c) => c.json), changed.map((c) => c.digest)],
  );
  return result.rowCount ?? 0;
}

/** The allocations stored for these transactions (before a replay rewrites them), by transaction id. */
export async function storedAllocations(client: pg.PoolClient, ids: readonly string[]): Promise<Map<string, StoredAllocation>> {
  if (ids.length === 0) return new Map();
  const rows = await client.query<{ id: string; allocation: StoredAllocation }>('SELECT id, allocation FROM loan_transactions WHERE id = ANY($1::uuid[]) AND allocation IS NOT NULL', [ids]);
  return new Map(rows.rows.map((r) => [r.id, r.allocation]));
}

/** The stored delinquency points of a loan from `fromDate` on, as historyRow gives them, in date order. */
export async function historyFrom(client: pg.PoolClient, loanId: string, fromDate: string): Promise<ReturnType<typeof historyRow>[]> {
  const rows = await client.query<ReturnType<typeof historyRow>>(
    `SELECT to_char(from_date, 'YYYY-MM-DD') AS "fromDate", dpd, to_char(dpd_anchor, 'YYYY-MM-DD') AS "dpdAnchor", us_bucket AS "usBucket", rbi_class AS "rbiClass",
       to_char(npa_since, 'YYYY-MM-DD') AS "npaSince"
     FROM delinquency_history WHERE loan_id = $1 AND from_date >= $2::date ORDER BY from_date`, [loanId, fromDate]);
  return rows.rows;
}

/** Ids of the outbox rows already there (lifecycle ids are deterministic: one already stored is not built again). */
export async function outboxIdsPresent(client: pg.PoolClient, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await client.query<{ id: string }>('SELECT id FROM outbox WHERE id = ANY($1::uuid[])', [ids]);
  return new Set(rows.rows.map((r) => r.id));
}

/** Lifecycle envelopes on the outbox; a deterministic id already there inserts nothing. */
export async function enqueue(client: pg.PoolClient, envelopes: readonly OutboxEnvelope[]): Promise<number> {
  if (envelopes.length === 0) return 0;
  const { sql, params } = outboxInsert(envelopes, 0);
  return (await client.query(sql, params)).rowCount ?? 0;
}

/** The outbox INSERT for `envelopes`, its parameters numbered after `offset` others (a statement of its own, or a CTE). */
function outboxInsert(envelopes: readonly OutboxEnvelope[], offset: number): { sql: string; params: unknown[] } {
  const $ = (n: number) => `$${offset + n}`;
  return {
    // One JSON document for the rows (see saveStates: no per-character escaping of a jsonb[] parameter).
    sql: `INSERT INTO outbox (id, topic, key, value) SELECT u.id, ${$(1)}, u.key, u.value FROM jsonb_to_recordset(${$(2)}::jsonb) AS u(id uuid, key text, value jsonb) ON CONFLICT (id) DO NOTHING`,
    params: [topics.loanLifecycle.name, JSON.stringify(envelopes.map((e) => ({ id: e.id, key: e.key, value: e.value })))],
  };
}

/** The loans' sub-ledger balances in `loan_balances` (the ledger module's table), one upsert for many loans. */
export async function upsertLoanBalances(client: pg.PoolClient, rows: readonly LoanBalancesRow[]): Promise<void> {
  if (rows.length === 0) return;
  const { sql, params } = balancesInsert(rows, 0);
  await client.query(sql, params);
}

/** The loan_balances upsert for `rows`, its parameters numbered after `offset` others (a statement of its own, or a CTE). */
function balancesInsert(rows: readonly LoanBalancesRow[], offset: number): { sql: string; params: unknown[] } {
  const col = <T>(pick: (r: LoanBalancesRow) => T) => rows.map(pick);
  const big = (pick: (r: LoanBalancesRow) => bigint) => col((r) => pick(r).toString());
  const types = ['text', 'text', 'date', 'text', 'int', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint', 'bigint'];
  return {
    sql: `INSERT INTO loan_balances (loan_id, tenant_id, as_of, currency, scale, principal_outstanding, interest_receivable, fees_receivable, penalties_receivable,
       excess, memo_interest, memo_penalties, principal_written_off, recovered)
     SELECT * FROM unnest(${types.map((t, i) => `$${offset + i + 1}::${t}[]`).join(', ')})
     ON CONFLICT (loan_id) DO UPDATE SET as_of = excluded.as_of, currency = excluded.currency, scale = excluded.scale,
       principal_outstanding = excluded.principal_outstanding, interest_receivable = excluded.interest_receivable,
       fees_receivable = excluded.fees_receivable, penalties_receivable = excluded.penalties_receivable, excess = excluded.excess,
       memo_interest = excluded.memo_interest, memo_penalties = excluded.memo_penalties, principal_written_off = excluded.principal_written_off,
       recovered = excluded.recovered, updated_at = now()`,
    params: [col((r) => r.loanId), col((r) => r.tenantId), col((r) => r.asOf), col((r) => r.currency), col((r) => r.scale), big((r) => r.principalOutstanding),
      big((r) => r.interestReceivable), big((r) => r.feesReceivable), big((r) => r.penaltiesReceivable), big((r) => r.excess), big((r) => r.memoInterest),
      big((r) => r.memoPenalties), big((r) => r.principalWrittenOff), big((r) => r.recovered)],
  };
}

/** A loan's balances as the ledger should hold them (the engine's state equals its ledger, property-tested). */
export function balancesRow(loan: { id: string; tenantId: string; currency: string; scale: number }, s: AccountState): LoanBalancesRow {
  const b = s.balances;
  return {
    loanId: loan.id, tenantId: loan.tenantId, asOf: formatIsoDate(s.asOf ?? 0), currency: loan.currency, scale: loan.scale,
    principalWrittenOff: b.principalWrittenOff, recovered: b.recovered,
    principalOutstanding: b.principalOutstanding, interestReceivable: b.interestAccrued, feesReceivable: b.feesDue,
    penaltiesReceivable: b.penaltiesDue - b.penaltiesSuspended, excess: b.excess, memoInterest: b.interestSuspended, memoPenalties: b.penaltiesSuspended,
  };
}
