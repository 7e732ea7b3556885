import { randomUUID } from 'node:crypto';
import {
  diffEffects,
  formatIsoDate,
  netBalances,
  parseIsoDate as d,
  replayAccount,
  type AccountProduct,
  type AccountResult,
  type Effect,
  type MoneyEvent,
  type ScheduledInstallment,
} from '@lendstack/loan-engine';
import { createLogger, createMetrics, signToken, type Role } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPgLedgerQueries } from '../src/modules/ledger/adapters/pg-ledger.queries.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { differingMonths, effectDigests } from '../src/modules/ledger/domain/ledger.js';
import { defaultChart, LedgerPostingError, type LedgerPosting } from '../src/modules/ledger/ports.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

// The general ledger over the REAL LMS database (an isolated one, migrated): the writer servicing
// calls, the database's own invariants, and the read API through app.inject.
let app: FastifyInstance;
let pool: pg.Pool;
let prisma: PrismaClient;
let secret: string;
const ledger = createPgLedger();
const tenant = `gl-${randomUUID().slice(0, 8)}`;
const otherTenant = `gl-${randomUUID().slice(0, 8)}`;

// 3,000.00 at 1 % a month over 3 months (the loan engine's own account fixture).
const EMI: readonly ScheduledInstallment[] = [
  { number: 1, dueDate: d('2027-02-01'), principalMinor: 99_007n, interestMinor: 3_000n, feesMinor: 0n },
  { number: 2, dueDate: d('2027-03-01'), principalMinor: 99_997n, interestMinor: 2_010n, feesMinor: 0n },
  { number: 3, dueDate: d('2027-04-01'), principalMinor: 100_996n, interestMinor: 1_010n, feesMinor: 0n },
];
const PRODUCT: AccountProduct = { strategy: 'penalties-fees-interest-principal', graceDays: 5, lateFee: { kind: 'flat', amountMinor: 2_500n }, penalAnnualPercent: '36.5' };
const disbursed: MoneyEvent = { kind: 'disbursement', id: 'd1', valueDate: d('2027-01-01'), amountMinor: 300_000n };
const paid = (id: string, date: string, amountMinor: bigint): MoneyEvent => ({ kind: 'repayment', id, valueDate: d(date), amountMinor });

function replay(events: MoneyEvent[], businessDate: string): AccountResult {
  const r = replayAccount({ schedule: EMI, product: PRODUCT, events, businessDate: d(businessDate) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}
const byDateKey = (effects: readonly Effect[]) => [...effects].sort((a, b) => a.date - b.date || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const posting = (loanId: string, change: Partial<LedgerPosting> = {}): LedgerPosting => ({
  tenantId: tenant, loanId, currency: 'INR', scale: 2, chart: defaultChart(), postedOn: '2027-02-20', reverse: [], post: [], ...change,
});
const accrual = (key: string, amount: bigint, date = '2027-01-02'): Effect => ({
  key, date: d(date), kind: 'interest-accrual',
  lines: [{ account: 'interest-receivable', side: 'debit', amountMinor: amount }, { account: 'interest-income', side: 'credit', amountMinor: amount }],
});

async function tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
const entryCount = async (loanId: string) => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM journal_entries WHERE loan_id = $1', [loanId])).rows[0]!.n);
/** Σ debit − Σ credit per logical account over ALL the loan's lines (originals and contra-entries). */
async function glNet(loanId: string): Promise<Record<string, bigint>> {
  const { rows } = await pool.query<{ a: string; n: string }>(
    `SELECT logical_account AS a, sum(CASE side WHEN 'debit' THEN amount_minor ELSE -amount_minor END)::text AS n FROM journal_lines WHERE loan_id = $1 GROUP BY 1`, [loanId]);
  return Object.fromEntries(rows.map((r) => [r.a, BigInt(r.n)]));
}
const nonZero = (net: Record<string, bigint>) => Object.fromEntries(Object.entries(net).filter(([, v]) => v !== 0n));
const auth = (roles: Role[], tenantId = tenant) => ({
  authorization: `Bearer ${signToken(secret, { subject: `${roles[0]}-user`, tenantId, roles }, 300, Math.floor(Date.now() / 1000))}`,
});
const get = (url: string, headers: Record<string, string> = auth(['operator'])) => app.inject({ method: 'GET', url, headers });
async function expectBalancedTrialBalance(asOf = '2099-12-31') {
  const res = await get(`/v1/ledger/trial-balance?asOf=${asOf}`);
  expect(res.statusCode).toBe(200);
  for (const g of res.json().currencies) expect(g.totals.debit).toEqual(g.totals.credit);
  return res.json();
}

beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl });
  secret = config.AUTH_TOKEN_SECRET;
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 10 });
  prisma = createPrisma(pool);
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: secret },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    ledger: { queries: createPgLedgerQueries(pool), authSecret: secret },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
  await pool?.end();
});

describe('the writer', () => {
  it('computes in SQL the same month digests the servicing code computes from effects, and they move with a change', async () => {
    const loanId = `L-${randomUUID()}`;
    const before = replay([disbursed, paid('r1', '2027-02-01', 102_007n)], '2027-03-20');
    await tx((c) => ledger.post(c, posting(loanId, { post: before.effects })));
    const from = '2027-01-15';
    const live = await ledger.liveDigests(pool, loanId, from);
    expect(live).toEqual(effectDigests(before.effects.filter((e) => e.date >= d(from))));
    expect([...live.keys()].sort()).toEqual(['2027-01', '2027-02', '2027-03']);
    // A backdated payment changes some months; exactly those differ, and reading just them and
    // posting their difference brings every digest back in line.
    const after = replay([disbursed, paid('r1', '2027-02-01', 102_007n), paid('r2', '2027-03-01', 50_000n)], '2027-03-20');
    const next = after.effects.filter((e) => e.date >= d(from));
    const months = differingMonths(live, effectDigests(next));
    expect(months).toEqual(['2027-03']);
    const diff = diffEffects(await ledger.liveEffects(pool, loanId, from, months), next.filter((e) => months.includes(formatIsoDate(e.date).slice(0, 7))));
    await tx((c) => ledger.post(c, posting(loanId, diff)));
    expect(await ledger.liveDigests(pool, loanId, from)).toEqual(effectDigests(next));
    expect(await ledger.liveEffects(pool, loanId)).toEqual(byDateKey(after.effects));
  });

  it('posts balanced entries that liveEffects gives back exactly, and is idempotent', async () => {
    const loanId = `L-${randomUUID()}`;
    const r = replay([disbursed, paid('r1', '2027-02-01', 102_007n)], '2027-02-20');
    expect(await tx((c) => ledger.post(c, posting(loanId, { post: r.effects })))).toEqual({ posted: r.effects.length, reversed: 0 });
    expect(await ledger.liveEffects(pool, loanId)).toEqual(byDateKey(r.effects));
    expect(await ledger.liveEffects(pool, loanId, '2027-02-01')).toEqual(byDateKey(r.effects.filter((e) => e.date >= d('2027-02-01'))));
    expect(nonZero(await glNet(loanId))).toEqual(nonZero(netBalances(r.effects)));
    // The same posting again (a retried transaction) writes nothing.
    expect(await tx((c) => ledger.post(c, posting(loanId, { post: r.effects })))).toEqual({ posted: 0, reversed: 0 });
    expect(await entryCount(loanId)).toBe(r.effects.length);
    const accounts = await pool.query('SELECT code, type, normal_side FROM ledger_accounts WHERE tenant_id = $1 AND code IN ($2, $3) ORDER BY code', [tenant, '1100', '4100']);
    expect(accounts.rows).toEqual([{ code: '1100', type: 'asset', normal_side: 'debit' }, { code: '4100', type: 'income', normal_side: 'credit' }]);
    await expectBalancedTrialBalance();
  });

  it('refuses a batch with an unbalanced effect and writes nothing of it', async () => {
    const loanId = `L-${randomUUID()}`;
    const unbalanced: Effect = { ...accrual('accrual:2027-01-03', 97n), lines: [{ account: 'interest-receivable', side: 'debit', amountMinor: 97n }, { account: 'interest-income', side: 'credit', amountMinor: 96n }] };
    const error = await tx((c) => ledger.post(c, posting(loanId, { post: [accrual('accrual:2027-01-02', 96n), unbalanced] }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LedgerPostingError);
    expect(error).toMatchObject({ code: 'unbalanced-effect', effectKey: 'accrual:2027-01-03' });
    const single: Effect = { ...accrual('accrual:2027-01-04', 97n), lines: [{ account: 'interest-receivable', side: 'debit', amountMinor: 97n }] };
    await expect(tx((c) => ledger.post(c, posting(loanId, { post: [single] })))).rejects.toMatchObject({ code: 'unbalanced-effect' });
    expect(await entryCount(loanId)).toBe(0);
  });

  // An entry and a line written around the writer (the database's own checks are what is tested).
  const rawEntry = async (c: pg.PoolClient, loanId: string, key: string) => {
    const id = randomUUID();
    await c.query(`INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale) VALUES ($1, $2, $3, $4, 'interest-accrual', '2027-01-05', '2027-01-05', 'INR', 2)`, [id, tenant, loanId, key]);
    return id;
  };
  const rawLine = (c: pg.PoolClient, loanId: string, id: string, no: number, side: string, amount: number, date = '2027-01-05', account = '1110') =>
    c.query(`INSERT INTO journal_lines VALUES ($1, $2, $3, $4, $6, 'INR', 2, $8, 'interest-receivable', $5, $7)`, [id, no, tenant, loanId, side, date, amount, account]);

  it('the database itself refuses an unbalanced entry, one without lines, and lines added later', async () => {
    const loanId = `L-${randomUUID()}`;
    await tx((c) => ledger.post(c, posting(loanId, { post: [accrual('accrual:2027-01-02', 96n)] })));
    const entry = (c: pg.PoolClient, key: string) => rawEntry(c, loanId, key);
    const line = (c: pg.PoolClient, id: string, no: number, side: string, amount: number, date?: string) => rawLine(c, loanId, id, no, side, amount, date);
    await expect(tx(async (c) => { await entry(c, 'accrual:2027-01-05'); })).rejects.toThrow(/not balanced/);
    await expect(tx(async (c) => { const id = await entry(c, 'accrual:2027-01-05'); await line(c, id, 1, 'debit', 5); await line(c, id, 2, 'credit', 4); })).rejects.toThrow(/not balanced/);
    await expect(tx(async (c) => { const id = await entry(c, 'accrual:2027-01-05'); await line(c, id, 1, 'debit', 5, '2027-01-06'); })).rejects.toThrow(/copy its tenant/);
    const [existing] = (await pool.query<{ id: string }>('SELECT id FROM journal_entries WHERE loan_id = $1', [loanId])).rows;
    await expect(tx(async (c) => { await line(c, existing!.id, 3, 'debit', 5, '2027-01-02'); await line(c, existing!.id, 4, 'credit', 5, '2027-01-02'); })).rejects.toThrow(/in its transaction/);
    await expect(tx((c) => c.query(`INSERT INTO journal_lines VALUES ($1, 3, $2, $3, '2027-01-02', 'INR', 2, '1110', 'interest-receivable', 'debit', 0)`, [existing!.id, tenant, loanId]))).rejects.toThrow(/journal_lines_amount_check/);
    expect(await entryCount(loanId)).toBe(1);
  });

  it('the database checks every line\'s entry and account per statement, every entry of a transaction at commit, and keeps its accounts', async () => {
    const loanId = `L-${randomUUID()}`;
    await tx((c) => ledger.post(c, posting(loanId, { post: [accrual('accrual:2027-01-02', 96n)] })));
    const balanced = async (c: pg.PoolClient, key: string, amount = 5) => {
      const id = await rawEntry(c, loanId, key);
      await rawLine(c, loanId, id, 1, 'debit', amount);
      await rawLine(c, loanId, id, 2, 'credit', amount);
      return id;
    };
    // A line naming no entry, or an account its tenant does not have (what the foreign keys refused).
    await expect(tx((c) => rawLine(c, loanId, randomUUID(), 1, 'debit', 5))).rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/names no journal entry/) });
    await expect(tx(async (c) => { const id = await rawEntry(c, loanId, 'accrual:2027-01-05'); await rawLine(c, loanId, id, 1, 'debit', 5, '2027-01-05', '9999-none'); }))
      .rejects.toMatchObject({ code: '23503', message: expect.stringMatching(/9999-none is not a ledger account/) });
    // Many entries in one transaction, written in separate statements, one of them unbalanced: that one is named.
    let unbalanced = '';
    const error = await tx(async (c) => {
      for (let i = 0; i < 5; i += 1) await balanced(c, `accrual:2027-01-0${5 + i}`);
      unbalanced = await rawEntry(c, loanId, 'accrual:2027-01-10');
      await rawLine(c, loanId, unbalanced, 1, 'debit', 5);
      await rawLine(c, loanId, unbalanced, 2, 'credit', 4);
      await balanced(c, 'accrual:2027-01-11');
    }).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: '23514', message: `journal entry ${unbalanced} (accrual:2027-01-10) is not balanced: debits 5, credits 4, 2 line(s)` });
    expect(await entryCount(loanId)).toBe(1);
    // Entries of a savepoint rolled back are gone and not checked; the rest commit, and nothing stays noted.
    await tx(async (c) => {
      await balanced(c, 'accrual:2027-01-05');
      await c.query('SAVEPOINT s');
      await rawEntry(c, loanId, 'accrual:2027-01-06');
      await c.query('ROLLBACK TO SAVEPOINT s');
    });
    expect(await entryCount(loanId)).toBe(2);
    expect((await pool.query('SELECT count(*)::int AS n FROM journal_unchecked')).rows[0].n).toBe(0);
    // Checked immediately when asked: an entry without its lines yet is refused at the end of its own statement.
    await expect(tx(async (c) => { await c.query('SET CONSTRAINTS ALL IMMEDIATE'); await balanced(c, 'accrual:2027-01-06'); })).rejects.toThrow(/not balanced: debits 0, credits 0, 0 line/);
    // Accounts are kept: not deleted, not re-keyed, not truncated; renaming one is allowed.
    await expect(pool.query(`DELETE FROM ledger_accounts WHERE tenant_id = $1 AND code = '1110'`, [tenant])).rejects.toThrow(/never deleted or re-keyed: DELETE/);
    await expect(pool.query(`UPDATE ledger_accounts SET code = '1110-x' WHERE tenant_id = $1 AND code = '1110'`, [tenant])).rejects.toThrow(/never deleted or re-keyed: UPDATE/);
    await expect(pool.query('TRUNCATE ledger_accounts')).rejects.toThrow(/append-only: TRUNCATE/);
    await tx(async (c) => { await c.query(`UPDATE ledger_accounts SET name = name WHERE tenant_id = $1 AND code = '1110'`, [tenant]); });
    expect(await entryCount(loanId)).toBe(2);
  });

  it('posts a changed effect only after its reversal, and reverses an entry once', async () => {
    const loanId = `L-${randomUUID()}`;
    const v1 = accrual('accrual:2027-01-02', 96n);
    const v2 = accrual('accrual:2027-01-02', 97n);
    await tx((c) => ledger.post(c, posting(loanId, { post: [v1] })));
    await expect(tx((c) => ledger.post(c, posting(loanId, { post: [v2] })))).rejects.toMatchObject({ code: 'live-effect-differs' });
    await expect(tx((c) => ledger.post(c, posting(loanId, { reverse: [v2], post: [v2] })))).rejects.toMatchObject({ code: 'reversal-target-not-live' });
    expect(await tx((c) => ledger.post(c, posting(loanId, { postedOn: '2027-02-21', reverse: [v1], post: [v2] })))).toEqual({ posted: 1, reversed: 1 });
    expect(await tx((c) => ledger.post(c, posting(loanId, { postedOn: '2027-02-21', reverse: [v1], post: [v2] })))).toEqual({ posted: 0, reversed: 0 });
    expect(await ledger.liveEffects(pool, loanId)).toEqual([v2]);
    const { rows } = await pool.query(
      `SELECT effect_key, value_date::text, posted_on::text, reverses IS NOT NULL AS is_reversal, reversed_by IS NOT NULL AS is_reversed FROM journal_entries WHERE loan_id = $1 ORDER BY seq`, [loanId]);
    expect(rows).toEqual([
      { effect_key: 'accrual:2027-01-02', value_date: '2027-01-02', posted_on: '2027-02-20', is_reversal: false, is_reversed: true },
      { effect_key: 'reversal:accrual:2027-01-02', value_date: '2027-01-02', posted_on: '2027-02-21', is_reversal: true, is_reversed: false },
      { effect_key: 'accrual:2027-01-02', value_date: '2027-01-02', posted_on: '2027-02-21', is_reversal: false, is_reversed: false },
    ]);
    expect(nonZero(await glNet(loanId))).toEqual(nonZero(netBalances([v2])));
    // A second contra-entry of the same entry, written around the writer, is refused by the database.
    const [first] = (await pool.query<{ id: string }>('SELECT id FROM journal_entries WHERE loan_id = $1 ORDER BY seq LIMIT 1', [loanId])).rows;
    await expect(pool.query(
      `INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale, reverses) VALUES ($1, $2, $3, 'reversal:accrual:2027-01-02', 'interest-accrual', '2027-01-02', '2027-02-22', 'INR', 2, $4)`,
      [randomUUID(), tenant, loanId, first!.id])).rejects.toThrow(/journal_entries_reverses_key/);
    // So is a second live entry under one key.
    await expect(pool.query(
      `INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale) VALUES ($1, $2, $3, 'accrual:2027-01-02', 'interest-accrual', '2027-01-02', '2027-02-22', 'INR', 2)`,
      [randomUUID(), tenant, loanId])).rejects.toThrow(/journal_entries_live_key/);
  });

  it('posts inside a savepoint of the caller\'s transaction', async () => {
    const loanId = `L-${randomUUID()}`;
    await tx(async (c) => {
      await c.query('SAVEPOINT ledger');
      await ledger.post(c, posting(loanId, { post: [accrual('accrual:2027-01-02', 96n)] }));
      await c.query('RELEASE SAVEPOINT ledger');
    });
    expect(await entryCount(loanId)).toBe(1);
  });

  it('entries and lines are immutable: no UPDATE, DELETE or TRUNCATE', async () => {
    const loanId = `L-${randomUUID()}`;
    await tx((c) => ledger.post(c, posting(loanId, { post: [accrual('accrual:2027-01-02', 96n)] })));
    for (const sql of [
      'UPDATE journal_lines SET amount_minor = amount_minor + 1 WHERE loan_id = $1',
      'UPDATE journal_entries SET posted_on = posted_on + 1 WHERE loan_id = $1',
      'DELETE FROM journal_lines WHERE loan_id = $1',
      'DELETE FROM journal_entries WHERE loan_id = $1',
    ]) await expect(pool.query(sql, [loanId])).rejects.toThrow(/append-only/);
    // Marking an entry reversed by hand (without a reversal) is refused too.
    await expect(pool.query('UPDATE journal_entries SET reversed_by = id WHERE loan_id = $1', [loanId])).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE journal_lines, journal_entries')).rejects.toThrow(/append-only/);
    expect(await entryCount(loanId)).toBe(1);
  });

  it('posts a 1,000-loan end-of-day batch in five statements', async () => {
    const loans = Array.from({ length: 1000 }, (_, i) => `B-${i}-${randomUUID()}`);
    const client = await pool.connect();
    let statements = 0;
    const counting = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'query') return (...args: Parameters<pg.PoolClient['query']>) => { statements += 1; return (target.query as (...a: unknown[]) => unknown)(...args); };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    try {
      await client.query('BEGIN');
      const result = await ledger.postBatch(counting, loans.map((loanId, i) => posting(loanId, { post: [accrual('accrual:2027-01-02', BigInt(90 + (i % 7)))] })));
      await client.query('COMMIT');
      expect(result).toEqual({ posted: 1000, reversed: 0 });
    } finally {
      client.release();
    }
    expect(statements).toBeLessThanOrEqual(5);
    const { rows } = await pool.query<{ entries: string; lines: string }>(
      `SELECT count(DISTINCT e.id)::text AS entries, count(*)::text AS lines FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.loan_id = ANY($1)`, [loans]);
    expect(rows[0]).toEqual({ entries: '1000', lines: '2000' });
  });

  it('posts end of day\'s quiet accruals set-based: the entries, lines, codes and digests postBatch writes for the same effects; a second one is refused; 0 posts nothing', async () => {
    const t = `gl-${randomUUID().slice(0, 8)}`;
    const amounts = [91n, 92n, 0n, 91n];
    const pairs = amounts.map((amount) => ({ amount, viaBatch: `QB-${randomUUID()}`, viaAccruals: `QA-${randomUUID()}` }));
    // A chart of the tenant's own (codes other than the default's), as a product may carry.
    const chart = Object.fromEntries(Object.entries(defaultChart()).map(([account, gl]) => [account, { ...gl, code: `Q${gl.code}` }])) as LedgerPosting['chart'];
    await tx((c) => ledger.postBatch(c, pairs.filter((p) => p.amount > 0n).map((p) => posting(p.viaBatch, { tenantId: t, chart, postedOn: '2027-01-02', post: [accrual('accrual:2027-01-02', p.amount)] }))));
    const posted = await tx((c) => ledger.postDailyAccruals(c, { tenantId: t, day: '2027-01-02', rows: pairs.map((p) => ({ loanId: p.viaAccruals, currency: 'INR', scale: 2, chart, amountMinor: p.amount })) }));
    expect(posted).toBe(3);
    const book = async (loanId: string) => (await pool.query(
      `SELECT e.effect_key, e.kind, e.value_date::text, e.posted_on::text, e.currency, e.scale, e.digest::text, e.reverses,
              json_agg(json_build_array(l.line_no, l.account_code, l.logical_account, l.side, l.amount_minor::text, l.value_date::text, l.tenant_id) ORDER BY l.line_no) AS lines
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id WHERE e.loan_id = $1 GROUP BY e.id`, [loanId])).rows;
    for (const p of pairs) {
      const viaAccruals = await book(p.viaAccruals);
      expect(viaAccruals).toEqual(await book(p.viaBatch));
      expect(viaAccruals).toHaveLength(p.amount > 0n ? 1 : 0);
    }
    const accounts = await pool.query<{ code: string }>('SELECT code FROM ledger_accounts WHERE tenant_id = $1 ORDER BY code', [t]);
    expect(accounts.rows.map((r) => r.code)).toEqual([chart['interest-income'].code, chart['interest-receivable'].code].sort());
    // The caller's promise is that each accrual is new: one already posted is refused by the database and nothing is written.
    const again = [{ loanId: pairs[0]!.viaAccruals, currency: 'INR', scale: 2, chart, amountMinor: 91n }, { loanId: `QN-${randomUUID()}`, currency: 'INR', scale: 2, chart, amountMinor: 5n }];
    await expect(tx((c) => ledger.postDailyAccruals(c, { tenantId: t, day: '2027-01-02', rows: again }))).rejects.toThrow(/duplicate key/);
    expect(await entryCount(again[1]!.loanId)).toBe(0);
    expect(await entryCount(pairs[0]!.viaAccruals)).toBe(1);
  });
});

describe('a loan replayed after backdated activity', () => {
  it('posts diffEffects of each replay: live effects equal the replay, the GL equals netBalances, the trial balance balances', async () => {
    const loanId = `L-${randomUUID()}`;
    const steps: { events: MoneyEvent[]; businessDate: string }[] = [
      { events: [disbursed, paid('r1', '2027-02-01', 102_007n)], businessDate: '2027-02-20' },
      // A backdated prepayment held as excess until the due date changes r1's allocation and adds excess-applied.
      { events: [disbursed, paid('r0', '2027-01-15', 50_000n), paid('r1', '2027-02-01', 102_007n)], businessDate: '2027-02-20' },
      // r1 is reversed: as if it never happened (late fee, penal interest from the grace end).
      { events: [disbursed, paid('r0', '2027-01-15', 50_000n), paid('r1', '2027-02-01', 102_007n), { kind: 'reversal', id: 'x1', targetId: 'r1', valueDate: d('2027-02-10') }], businessDate: '2027-02-20' },
      // End of day moves on.
      { events: [disbursed, paid('r0', '2027-01-15', 50_000n), paid('r1', '2027-02-01', 102_007n), { kind: 'reversal', id: 'x1', targetId: 'r1', valueDate: d('2027-02-10') }], businessDate: '2027-03-05' },
    ];
    let reversedTotal = 0;
    for (const step of steps) {
      const r = replay(step.events, step.businessDate);
      const diff = await tx(async (c) => {
        const live = await ledger.liveEffects(c, loanId);
        const change = diffEffects(live, r.effects);
        await ledger.post(c, posting(loanId, { postedOn: step.businessDate, reverse: change.reverse, post: change.post }));
        return change;
      });
      reversedTotal += diff.reverse.length;
      expect(await ledger.liveEffects(pool, loanId)).toEqual(byDateKey(r.effects));
      expect(nonZero(await glNet(loanId))).toEqual(nonZero(netBalances(r.effects)));
      await expectBalancedTrialBalance();
      await expectBalancedTrialBalance('2027-02-05');
    }
    expect(reversedTotal).toBeGreaterThan(0);
  });
});

describe('GET /v1/ledger/trial-balance', () => {
  it('groups by currency, filters by currency and value date, and nets each account', async () => {
    const t = `gl-${randomUUID().slice(0, 8)}`;
    await tx((c) => ledger.postBatch(c, [
      posting(`L-${randomUUID()}`, { tenantId: t, post: [accrual('accrual:2027-01-02', 96n), accrual('accrual:2027-01-03', 97n, '2027-01-03')] }),
      posting(`L-${randomUUID()}`, { tenantId: t, currency: 'USD', post: [accrual('accrual:2027-01-02', 500n)] }),
    ]));
    const headers = auth(['admin'], t);
    const all = (await get('/v1/ledger/trial-balance?asOf=2027-01-31', headers)).json();
    expect(all.currencies.map((g: any) => g.currency)).toEqual(['INR', 'USD']);
    const inr = all.currencies[0];
    expect(inr.accounts).toEqual([
      { code: '1110', name: 'Interest receivable', type: 'asset', debit: { amount: '193', currency: 'INR', scale: 2 }, credit: { amount: '0', currency: 'INR', scale: 2 } },
      { code: '4100', name: 'Interest income', type: 'income', debit: { amount: '0', currency: 'INR', scale: 2 }, credit: { amount: '193', currency: 'INR', scale: 2 } },
    ]);
    expect(inr.totals).toEqual({ debit: { amount: '193', currency: 'INR', scale: 2 }, credit: { amount: '193', currency: 'INR', scale: 2 } });
    const usd = (await get('/v1/ledger/trial-balance?asOf=2027-01-31&currency=USD', headers)).json();
    expect(usd).toMatchObject({ asOf: '2027-01-31', currency: 'USD', totals: { debit: { amount: '500', currency: 'USD', scale: 2 } } });
    const early = (await get('/v1/ledger/trial-balance?asOf=2027-01-02&currency=INR', headers)).json();
    expect(early.totals.debit.amount).toBe('96');
    const none = (await get('/v1/ledger/trial-balance?asOf=2027-01-01&currency=JPY', headers)).json();
    expect(none).toEqual({ asOf: '2027-01-01', currency: 'JPY', accounts: [], totals: { debit: { amount: '0', currency: 'JPY', scale: 0 }, credit: { amount: '0', currency: 'JPY', scale: 0 } } });
  });

  it('names the field of a bad query (400) and needs a staff role (401/403); a tenant sees only its own books', async () => {
    const bad = await get('/v1/ledger/trial-balance?asOf=2027-02-30&currency=inr');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: any) => e.pointer).sort()).toEqual(['/query/asOf', '/query/currency']);
    expect((await get('/v1/ledger/trial-balance?asOf=2027-01-01&x=1')).json().errors).toEqual([{ pointer: '/query/x', detail: 'unknown property x' }]);
    expect((await get('/v1/ledger/trial-balance?asOf=2027-01-31', {})).statusCode).toBe(401);
    expect((await get('/v1/ledger/trial-balance?asOf=2027-01-31', auth(['partner']))).statusCode).toBe(403);
    for (const url of ['/v1/ledger/journal-entries', '/v1/ledger/reconciliation?asOf=2027-01-31']) {
      expect((await get(url, {})).statusCode).toBe(401);
      expect((await get(url, auth(['partner']))).statusCode).toBe(403);
    }
    expect((await get('/v1/ledger/trial-balance?asOf=2027-01-31', auth(['approver']))).statusCode).toBe(200);
    const other = auth(['operator'], otherTenant);
    expect((await get('/v1/ledger/trial-balance?asOf=2099-12-31', other)).json()).toEqual({ asOf: '2099-12-31', currencies: [] });
    expect((await get('/v1/ledger/journal-entries', other)).json()).toEqual({ items: [], nextCursor: null });
    expect((await get('/v1/ledger/reconciliation?asOf=2099-12-31', other)).json()).toMatchObject({ loansCompared: 0, differenceCount: 0, differences: [] });
  });
});

describe('GET /v1/ledger/journal-entries', () => {
  it('pages newest first without gaps or repeats, and filters by loan, account and value date', async () => {
    const t = `gl-${randomUUID().slice(0, 8)}`;
    const loanId = `L-${randomUUID()}`;
    const r = replay([disbursed, paid('r1', '2027-02-01', 102_007n)], '2027-02-03');
    await tx((c) => ledger.postBatch(c, [posting(loanId, { tenantId: t, post: r.effects }), posting(`L-${randomUUID()}`, { tenantId: t, post: [accrual('accrual:2027-01-02', 5n)] })]));
    const headers = auth(['operator'], t);
    const seen: any[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/ledger/journal-entries?loanId=${loanId}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, headers);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(r.effects.length);
    expect(new Set(seen.map((e) => e.id)).size).toBe(r.effects.length);
    expect(seen[0].effectKey).toBe(r.effects.at(-1)!.key);
    const repayment = seen.find((e) => e.effectKey === 'repayment:r1');
    expect(repayment).toMatchObject({ loanId, kind: 'repayment', valueDate: '2027-02-01', postedOn: '2027-02-20', reverses: null, reversedBy: null });
    expect(repayment.lines[0]).toEqual({ lineNo: 1, account: '1210', logicalAccount: 'collection-clearing', side: 'debit', amount: { amount: '102007', currency: 'INR', scale: 2 } });
    const portfolio = (await get(`/v1/ledger/journal-entries?account=1100&limit=100`, headers)).json().items;
    expect(portfolio.map((e: any) => e.effectKey).sort()).toEqual(['disbursement:d1', 'repayment:r1']);
    const january = (await get(`/v1/ledger/journal-entries?loanId=${loanId}&from=2027-01-10&to=2027-01-12`, headers)).json().items;
    expect(january.map((e: any) => e.effectKey)).toEqual(['accrual:2027-01-12', 'accrual:2027-01-11', 'accrual:2027-01-10']);
    const reversed = await get(`/v1/ledger/journal-entries?from=2027-01-12&to=2027-01-10`, headers);
    expect([reversed.statusCode, reversed.json().errors]).toEqual([422, [{ pointer: '/query/to', detail: 'must not be before from' }]]);
    expect((await get(`/v1/ledger/journal-entries?cursor=nope`, headers)).json().errors[0].pointer).toBe('/query/cursor');
  });
});

describe('GET /v1/ledger/reconciliation', () => {
  it('reports no difference when loan_balances matches the GL, and lists a planted one', async () => {
    const t = `gl-${randomUUID().slice(0, 8)}`;
    const headers = auth(['operator'], t);
    const loans = [`L-${randomUUID()}`, `L-${randomUUID()}`];
    const r = replay([disbursed, paid('r1', '2027-02-01', 80_000n)], '2027-02-20');
    await tx(async (c) => {
      await ledger.postBatch(c, loans.map((loanId) => posting(loanId, { tenantId: t, post: r.effects })));
      const b = r.state.balances;
      for (const loanId of loans) {
        await c.query(
          `INSERT INTO loan_balances (loan_id, tenant_id, as_of, principal_outstanding, interest_receivable, fees_receivable, penalties_receivable, excess, memo_interest, memo_penalties, principal_written_off, recovered)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [loanId, t, formatIsoDate(r.state.asOf!), b.principalOutstanding, b.interestAccrued, b.feesDue, b.penaltiesDue - b.penaltiesSuspended, b.excess, b.interestSuspended, b.penaltiesSuspended, b.principalWrittenOff, b.recovered],
        );
      }
    });
    expect(r.state.balances.penaltiesDue).toBeGreaterThan(0n); // a late loan: penalties and interest receivable are non-zero
    const clean = (await get('/v1/ledger/reconciliation?asOf=2027-02-20', headers)).json();
    expect(clean).toMatchObject({ asOf: '2027-02-20', loansCompared: 2, loansFromBalances: 2, differenceCount: 0, differences: [] });
    expect(clean.controlAccounts.find((c: any) => c.account === 'loan-portfolio')).toEqual({
      account: 'loan-portfolio',
      subLedger: { amount: String(2n * r.state.balances.principalOutstanding), currency: 'INR', scale: 2 },
      generalLedger: { amount: String(2n * r.state.balances.principalOutstanding), currency: 'INR', scale: 2 },
    });
    // An earlier date recomputes the sub-ledger from the live entries: no difference either.
    expect((await get('/v1/ledger/reconciliation?asOf=2027-01-20', headers)).json()).toMatchObject({ loansCompared: 2, loansFromBalances: 0, differenceCount: 0 });

    await pool.query('UPDATE loan_balances SET principal_outstanding = principal_outstanding + 7, penalties_receivable = 0 WHERE loan_id = $1', [loans[1]]);
    const broken = (await get('/v1/ledger/reconciliation?asOf=2027-02-20&limit=1', headers)).json();
    expect(broken.differenceCount).toBe(2);
    expect(broken.differences).toEqual([{
      loanId: loans[1], account: 'penalties-receivable', source: 'loan-balances',
      subLedger: { amount: '0', currency: 'INR', scale: 2 },
      generalLedger: { amount: String(r.state.balances.penaltiesDue), currency: 'INR', scale: 2 },
      difference: { amount: String(-r.state.balances.penaltiesDue), currency: 'INR', scale: 2 },
    }]);
    const all = (await get('/v1/ledger/reconciliation?asOf=2027-02-20', headers)).json();
    expect(all.differences.map((x: any) => [x.loanId, x.account, x.difference.amount])).toContainEqual([loans[1], 'loan-portfolio', '7']);
  });
});
