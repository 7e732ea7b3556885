/**
 * Keyset orders across a power of ten. The readers return `seq` as text under its own name, and Postgres
 * resolves a bare `ORDER BY seq` to that output column: '10' sorted before '9', so a loan's transactions, the
 * service request list and the audit log came out of order (and pages skipped rows) once their sequence
 * numbers straddled a power of ten. Each case here makes them straddle one, on the real database.
 */
import { randomUUID } from 'node:crypto';
import { verifyAuditChain } from '@lendstack/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgAuditLogReader, LMS_AUDIT_TABLES, pageAuditLog } from '../src/modules/audit/adapters/pg-audit-log.js';
import { openServiceRequest, pageServiceRequests } from '../src/modules/service-requests/adapters/pg-service-requests.repository.js';
import { transactionsOf } from '../src/modules/servicing/adapters/servicing.repository.js';
import { inr, newTenant, startHarness, type Harness } from './servicing-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, tenant: string, roles: Parameters<Harness['auth']>[0], payload?: object) =>
  h.app.inject({ method, url, headers: h.auth(roles, tenant), ...(payload ? { payload } : {}) });
const digits = (seq: string) => seq.length;

/**
 * Moves the table's sequence up to just below the next power of ten (never down), then writes two rows with
 * `write`; other test files write to the same table meanwhile, so it tries the next power until the two rows'
 * numbers really have different lengths.
 */
async function straddle(sequenceOf: string, write: () => Promise<string>): Promise<[string, string]> {
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const last = (await h.pool.query<{ v: string }>(`SELECT last_value::text AS v FROM ${sequenceOf}`)).rows[0]!.v;
    const target = 10n ** BigInt(last.length + attempt) - 2n;
    await h.pool.query(`SELECT setval('${sequenceOf}', greatest((SELECT last_value FROM ${sequenceOf}), $1::bigint))`, [target.toString()]);
    const pair: [string, string] = [await write(), await write()];
    if (digits(pair[0]) < digits(pair[1])) return pair;
  }
  throw new Error(`could not make ${sequenceOf} straddle a power of ten`);
}

/** Every row of a newest-first reader that reads `limit + 1` rows, page after page by the last row's seq. */
async function everyPage<R extends { seq: string }>(limit: number, read: (page: { limit: number; beforeSeq?: bigint }) => Promise<R[]>): Promise<R[]> {
  const seen: R[] = [];
  for (let before: bigint | undefined; ;) {
    const rows = await read({ limit, ...(before === undefined ? {} : { beforeSeq: before }) });
    seen.push(...rows.slice(0, limit));
    if (rows.length <= limit) return seen;
    before = BigInt(rows[limit - 1]!.seq);
  }
}

describe('keyset orders across a power of ten', () => {
  it("a loan's transactions: replayed in seq order, listed newest first page by page with none skipped", async () => {
    const tenant = newTenant('seq');
    const loanId = await h.book(tenant);
    expect((await call('PUT', '/v1/business-date', tenant, ['admin'], { date: '2026-01-05' })).statusCode).toBe(200);
    expect((await call('POST', `/v1/loans/${loanId}/disbursements`, tenant, ['operator'], { amount: inr('10000000'), valueDate: '2026-01-05' })).statusCode).toBe(202);
    const seqOf = async (id: string) => (await h.pool.query<{ s: string }>('SELECT seq::text AS s FROM loan_transactions WHERE id = $1', [id])).rows[0]!.s;
    const ids: string[] = [];
    const [low, high] = await straddle(`loan_transactions_seq_seq`, async () => {
      const res = await call('POST', `/v1/loans/${loanId}/repayments`, tenant, ['partner'], { amount: inr('100000'), valueDate: '2026-01-05', channel: 'upi', reference: `r-${randomUUID().slice(0, 8)}` });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
      return seqOf(res.json().id);
    });
    expect(BigInt(low)).toBeLessThan(BigInt(high));

    const client = await h.pool.connect();
    try {
      const all = await transactionsOf(client, loanId);
      const seqs = all.map((t) => t.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(all.map((t) => t.id).slice(-ids.length)).toEqual(ids);
    } finally {
      client.release();
    }

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/v1/loans/${loanId}/transactions?limit=1${cursor ? `&cursor=${cursor}` : ''}`, tenant, ['operator']);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((t: { id: string }) => t.id));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen.slice(0, ids.length)).toEqual([...ids].reverse());
    expect(seen).toHaveLength(ids.length + 1);
  });

  it('service requests: listed newest first page by page with none skipped', async () => {
    const tenant = newTenant('seq');
    const loanId = await h.book(tenant);
    const actor = { tenantId: tenant, subject: 'operator-user', requestId: 'keyset', now: new Date(), newId: randomUUID };
    const opened: string[] = [];
    await straddle('service_requests_seq_seq', async () => {
      const r = await openServiceRequest(h.pool, actor, { loanId, type: 'other', summary: `query ${opened.length}`, requestHash: randomUUID() });
      if (!r.ok) throw new Error(r.detail);
      opened.push(r.value.id);
      return r.value.seq;
    });
    const seen = await everyPage(1, (page) => pageServiceRequests(h.pool, tenant, page));
    expect(seen.map((r) => r.id)).toEqual([...opened].reverse());
  });

  it("the audit log: a tenant's chain of more than nine entries lists newest first and verifies", async () => {
    const tenant = newTenant('seq');
    const loanId = await h.book(tenant);
    const actor = { tenantId: tenant, subject: 'operator-user', requestId: 'keyset', now: new Date(), newId: randomUUID };
    // Each request opened is one audit entry: seq 1 … 12 in the tenant's chain.
    for (let i = 0; i < 12; i += 1) expect((await openServiceRequest(h.pool, actor, { loanId, type: 'other', summary: `query ${i}`, requestHash: randomUUID() })).ok).toBe(true);
    const seen = await everyPage(5, (page) => pageAuditLog(h.pool, tenant, page));
    expect(seen.map((r) => r.seq)).toEqual(['12', '11', '10', '9', '8', '7', '6', '5', '4', '3', '2', '1']);
    const summary = await verifyAuditChain(createPgAuditLogReader(h.pool), { tables: LMS_AUDIT_TABLES, pageSize: 4, tenantId: tenant });
    expect(summary).toMatchObject({ tenants: 1, entries: 12n, broken: 0 });
  });
});
