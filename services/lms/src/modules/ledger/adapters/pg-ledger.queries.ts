import type { LedgerAccount } from '@lendstack/loan-engine';
import type pg from 'pg';
import type { AccountType } from '../domain/ledger.js';
import { CONTROL_ACCOUNTS } from '../domain/reconciliation.js';
import type { JournalEntryRow, LedgerQueries, ReconciliationRows } from '../ports.js';

/** The ledger's reads, set-based, one tenant each. */
export function createPgLedgerQueries(pool: pg.Pool): LedgerQueries {
  return {
    async accountTurnovers(tenantId, asOf, currency) {
      const { rows } = await pool.query<{ currency: string; scale: number; code: string; name: string; type: AccountType; debit: string; credit: string }>(
        `SELECT t.currency, t.scale, t.account_code AS code, a.name, a.type, t.debit::text, t.credit::text
         FROM (
           SELECT currency, scale, account_code,
                  coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0) AS debit,
                  coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0) AS credit
           FROM journal_lines
           WHERE tenant_id = $1 AND value_date <= $2::date AND ($3::text IS NULL OR currency = $3)
           GROUP BY currency, scale, account_code
         ) t JOIN ledger_accounts a ON a.tenant_id = $1 AND a.code = t.account_code
         ORDER BY t.currency, t.scale, t.account_code COLLATE "C"`,
        [tenantId, asOf, currency ?? null],
      );
      return rows.map((r) => ({ currency: r.currency, scale: r.scale, code: r.code, name: r.name, type: r.type, debitMinor: BigInt(r.debit), creditMinor: BigInt(r.credit) }));
    },

    async journalEntries(tenantId, q) {
      // Only the filters given, so the planner picks the index that fits (tenant+seq, loan+value_date).
      const params: unknown[] = [tenantId];
      const where = ['e.tenant_id = $1'];
      const add = (sql: (n: string) => string, value: unknown) => {
        params.push(value);
        where.push(sql(`$${params.length}`));
      };
      if (q.loanId !== undefined) add((n) => `e.loan_id = ${n}`, q.loanId);
      if (q.from !== undefined) add((n) => `e.value_date >= ${n}::date`, q.from);
      if (q.to !== undefined) add((n) => `e.value_date <= ${n}::date`, q.to);
      if (q.account !== undefined) add((n) => `EXISTS (SELECT 1 FROM journal_lines x WHERE x.entry_id = e.id AND x.account_code = ${n})`, q.account);
      if (q.beforeSeq !== undefined) add((n) => `e.seq < ${n}::bigint`, q.beforeSeq.toString());
      params.push(q.limit + 1);
      const { rows } = await pool.query<{ id: string; seq: string; loan_id: string; effect_key: string; kind: string; value_date: string; posted_on: string; currency: string; scale: number; reverses: string | null; reversed_by: string | null }>(
        `SELECT e.id, e.seq::text, e.loan_id, e.effect_key, e.kind, e.value_date::text, e.posted_on::text, e.currency, e.scale, e.reverses, e.reversed_by
         FROM journal_entries e WHERE ${where.join(' AND ')} ORDER BY e.seq DESC LIMIT $${params.length}`,
        params,
      );
      if (rows.length === 0) return [];
      const lines = await pool.query<{ entry_id: string; line_no: number; account_code: string; logical_account: string; side: 'debit' | 'credit'; amount_minor: string }>(
        `SELECT entry_id, line_no, account_code, logical_account, side, amount_minor::text FROM journal_lines WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_id, line_no`,
        [rows.map((r) => r.id)],
      );
      const byEntry = new Map<string, JournalEntryRow['lines'][number][]>();
      for (const l of lines.rows) {
        const list = byEntry.get(l.entry_id) ?? [];
        list.push({ lineNo: l.line_no, accountCode: l.account_code, logicalAccount: l.logical_account, side: l.side, amountMinor: BigInt(l.amount_minor) });
        byEntry.set(l.entry_id, list);
      }
      return rows.map((r) => ({
        id: r.id,
        seq: BigInt(r.seq),
        loanId: r.loan_id,
        effectKey: r.effect_key,
        kind: r.kind,
        valueDate: r.value_date,
        postedOn: r.posted_on,
        currency: r.currency,
        scale: r.scale,
        reverses: r.reverses,
        reversedBy: r.reversed_by,
        lines: byEntry.get(r.id) ?? [],
      }));
    },

    reconcile: (tenantId, asOf, limit) => reconcile(pool, tenantId, asOf, limit),
  };
}

const UNPIVOT = CONTROL_ACCOUNTS.map((c) => `('${c.account}', b.${c.column})`).join(', ');

/**
 * Per loan and control account: the sub-ledger figure (loan_balances when its as_of = asOf, else
 * sign × the net of the loan's LIVE entries to asOf) against the GL (sign × the net of ALL its lines
 * to asOf: originals and contra-entries, which share the value date of what they reverse). One
 * statement; the comparison is materialised once and read for the differences, the count and the totals.
 */
async function reconcile(pool: pg.Pool, tenantId: string, asOf: string, limit: number): Promise<ReconciliationRows> {
  const { rows } = await pool.query<{ part: string; loan_id: string | null; account: LedgerAccount; currency: string; scale: number; source: 'loan-balances' | 'journal' | null; sub: string; gl: string; n: string }>(
    `WITH controls AS (SELECT * FROM unnest($3::text[], $4::int[]) AS c(account, sign)),
     gl AS MATERIALIZED (
       SELECT l.loan_id, l.logical_account AS account, min(l.currency) AS currency, min(l.scale) AS scale,
              sum(c.sign * CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) AS net_all,
              sum(c.sign * CASE WHEN e.reverses IS NULL AND e.reversed_by IS NULL THEN CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END ELSE 0 END) AS net_live
       FROM journal_lines l JOIN controls c ON c.account = l.logical_account JOIN journal_entries e ON e.id = l.entry_id
       WHERE l.tenant_id = $1 AND l.value_date <= $2::date
       GROUP BY l.loan_id, l.logical_account
     ),
     sub AS (
       SELECT b.loan_id, v.account, b.currency, b.scale, v.amount
       FROM loan_balances b CROSS JOIN LATERAL (VALUES ${UNPIVOT}) AS v(account, amount)
       WHERE b.tenant_id = $1 AND b.as_of = $2::date AND v.amount IS NOT NULL
     ),
     cmp AS MATERIALIZED (
       SELECT coalesce(s.loan_id, g.loan_id) AS loan_id, coalesce(s.account, g.account) AS account,
              coalesce(g.currency, s.currency) AS currency, coalesce(g.scale, s.scale) AS scale,
              CASE WHEN s.loan_id IS NOT NULL THEN 'loan-balances' ELSE 'journal' END AS source,
              CASE WHEN s.loan_id IS NOT NULL THEN s.amount ELSE g.net_live END AS sub,
              coalesce(g.net_all, 0) AS gl
       FROM sub s FULL JOIN gl g ON g.loan_id = s.loan_id AND g.account = s.account
     )
     (SELECT 'diff' AS part, loan_id, account, currency, scale, source, sub::text, gl::text, '0' AS n
      FROM cmp WHERE sub <> gl ORDER BY abs(sub - gl) DESC, loan_id, account LIMIT $5)
     UNION ALL
     (SELECT 'total', NULL, account, currency, min(scale), NULL, sum(sub)::text, sum(gl)::text, count(*)::text FROM cmp GROUP BY account, currency)
     UNION ALL
     (SELECT 'count', NULL, NULL, NULL, NULL, NULL, '0', '0', count(*) FILTER (WHERE sub <> gl)::text || ':' || count(DISTINCT loan_id)::text || ':' || count(DISTINCT loan_id) FILTER (WHERE source = 'loan-balances')::text FROM cmp)`,
    [tenantId, asOf, CONTROL_ACCOUNTS.map((c) => c.account), CONTROL_ACCOUNTS.map((c) => c.sign), limit],
  );
  const [differenceCount, loansCompared, loansFromBalances] = rows.find((r) => r.part === 'count')!.n.split(':').map(Number) as [number, number, number];
  const order = new Map(CONTROL_ACCOUNTS.map((c, i) => [c.account, i]));
  return {
    loansCompared,
    loansFromBalances,
    differenceCount,
    differences: rows.filter((r) => r.part === 'diff').map((r) => ({ loanId: r.loan_id!, account: r.account, currency: r.currency, scale: r.scale, source: r.source!, subLedgerMinor: BigInt(r.sub), generalLedgerMinor: BigInt(r.gl) })),
    controlAccounts: rows
      .filter((r) => r.part === 'total')
      .map((r) => ({ account: r.account, currency: r.currency, scale: r.scale, subLedgerMinor: BigInt(r.sub), generalLedgerMinor: BigInt(r.gl) }))
      .sort((a, b) => (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : order.get(a.account)! - order.get(b.account)!)),
  };
}
