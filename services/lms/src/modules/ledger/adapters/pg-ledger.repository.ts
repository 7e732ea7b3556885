import { randomUUID } from 'node:crypto';
import { formatIsoDate, parseIsoDate, type Effect, type EffectKind, type LedgerAccount, type PostingLine } from '@lendstack/loan-engine';
import type pg from 'pg';
import { ACCOUNT_TYPES, contraLines, defaultChart, effectDigest, type Chart, LedgerPostingError, REVERSAL_PREFIX, sameEffect, validatePostings } from '../domain/ledger.js';
import { onCommit } from '../../../platform/pg-transaction.js';
import type { LedgerPosting, LedgerReader, LedgerWriter } from '../ports.js';

type Queryable = pg.PoolClient | pg.Pool;

/** A stored original entry (not a reversal), as the engine's Effect plus its id and whether it is reversed. */
interface StoredEntry {
  readonly id: string;
  readonly loanId: string;
  readonly reversed: boolean;
  readonly effect: Effect;
  /** GL code of each line (a contra-entry posts to the same codes, whatever the chart is now). */
  readonly codes: readonly string[];
}

interface EntryRow {
  id: string;
  posting: LedgerPosting;
  key: string;
  kind: string;
  valueDate: string;
  reverses: string | null;
  /** effectDigest of an original entry; null for a contra-entry. */
  digest: bigint | null;
  lines: readonly PostingLine[];
  codes: readonly string[];
}

/**
 * The general ledger on Postgres. A batch is at most five statements whatever its size: account
 * upsert, one read of the entries already stored under the batch's keys, reversal entries, new
 * entries, and all their lines (INSERT … SELECT FROM unnest). The database re-checks what the
 * writer decided (balance at commit, one live entry per key, one reversal per entry, immutability).
 */
export function createPgLedger(newId: () => string = randomUUID): LedgerWriter & LedgerReader & { defaultChart(): Chart } {
  const known = new Set<string>();
  const writer: LedgerWriter & LedgerReader & { defaultChart(): Chart } = {
    defaultChart,
    post: (client, posting) => writer.postBatch(client, [posting]),

    async postBatch(client, postings) {
      const invalid = validatePostings(postings);
      if (invalid) throw invalid;
      if (postings.every((p) => p.post.length === 0 && p.reverse.length === 0)) return { posted: 0, reversed: 0 };
      await upsertAccounts(client, postings, known);
      const stored = await storedEntries(client, postings);
      const { reversals, entries } = plan(postings, stored, newId);
      await insertEntries(client, reversals);
      await insertEntries(client, entries);
      await insertLines(client, [...reversals, ...entries]);
      return { posted: entries.length, reversed: reversals.length };
    },

    async postDailyAccruals(client, batch) {
      const rows = batch.rows.filter((r) => r.amountMinor > 0n);
      if (rows.length === 0) return 0;
      const key = `accrual:${batch.day}`;
      const date = parseIsoDate(batch.day);
      const effectOf = (amountMinor: bigint): Effect => ({ key, date, kind: 'interest-accrual', lines: [{ account: 'interest-receivable', side: 'debit', amountMinor }, { account: 'interest-income', side: 'credit', amountMinor }] });
      // The accounts of each pair of codes in the batch (one sample posting per pair), then the digests, one per amount.
      const charts = new Map(rows.map((r) => [`${r.chart['interest-receivable'].code}\u0000${r.chart['interest-income'].code}`, r]));
      await upsertAccounts(client, [...charts.values()].map((r) => ({ tenantId: batch.tenantId, loanId: r.loanId, currency: r.currency, scale: r.scale, chart: r.chart, postedOn: batch.day, reverse: [], post: [effectOf(1n)] })), known);
      const digests = new Map<bigint, string>();
      const digestOf = (amount: bigint) => {
        let d = digests.get(amount);
        if (d === undefined) digests.set(amount, (d = effectDigest(effectOf(amount)).toString()));
        return d;
      };
      const result = await client.query(
        `WITH t AS (
           SELECT * FROM unnest($2::text[], $3::text[], $4::int[], $5::bigint[], $6::bigint[], $7::text[], $8::text[]) AS t(loan_id, currency, scale, amount, digest, debit_code, credit_code)
         ),
         e AS (
           INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale, reverses, digest)
           SELECT gen_random_uuid(), $1, t.loan_id, $9, 'interest-accrual', $10::date, $10::date, t.currency, t.scale, NULL, t.digest FROM t
           RETURNING id, loan_id
         )
         INSERT INTO journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
         SELECT e.id, n.no, $1, t.loan_id, $10::date, t.currency, t.scale, CASE n.no WHEN 1 THEN t.debit_code ELSE t.credit_code END,
                CASE n.no WHEN 1 THEN 'interest-receivable' ELSE 'interest-income' END, CASE n.no WHEN 1 THEN 'debit' ELSE 'credit' END, t.amount
         FROM e JOIN t USING (loan_id) CROSS JOIN (VALUES (1), (2)) AS n(no)`,
        [batch.tenantId, rows.map((r) => r.loanId), rows.map((r) => r.currency), rows.map((r) => r.scale), rows.map((r) => r.amountMinor.toString()), rows.map((r) => digestOf(r.amountMinor)),
          rows.map((r) => r.chart['interest-receivable'].code), rows.map((r) => r.chart['interest-income'].code), key, batch.day],
      );
      if (result.rowCount !== rows.length * 2) throw new Error(`daily accruals: ${result.rowCount} lines for ${rows.length} loans`);
      return rows.length;
    },

    async liveEffects(client, loanId, fromDate, months) {
      // With months, one (loan_id, value_date) index range per month, [its first day, the next month's).
      const inMonths = months
        ? `JOIN unnest($3::date[]) AS m(first_day) ON e.value_date >= m.first_day AND e.value_date < (m.first_day + interval '1 month')::date`
        : '';
      const { rows } = await client.query<LineRow>(
        `SELECT e.id, e.loan_id, e.effect_key, e.kind, e.value_date::text AS value_date, false AS reversed, l.account_code, l.logical_account, l.side, l.amount_minor::text AS amount_minor
         FROM journal_entries e ${inMonths} JOIN journal_lines l ON l.entry_id = e.id
         WHERE e.loan_id = $1 AND e.reverses IS NULL AND e.reversed_by IS NULL AND ($2::date IS NULL OR e.value_date >= $2::date)
         ORDER BY e.value_date, e.effect_key COLLATE "C", l.line_no`,
        months ? [loanId, fromDate ?? null, [...new Set(months)].map((m) => `${m}-01`)] : [loanId, fromDate ?? null],
      );
      return groupLines(rows).map((s) => s.effect);
    },

    // The month sums effectDigests computes, from the stored digests only (an index-only read, no
    // lines). A month holding an entry posted before digests were stored never matches: it is compared in full.
    async liveDigests(client, loanId, fromDate) {
      const { rows } = await client.query<{ month: string; digest: string; unknown: number }>(
        `SELECT to_char(value_date, 'YYYY-MM') AS month, sum(digest)::text AS digest, count(*) FILTER (WHERE digest IS NULL)::int AS unknown
         FROM journal_entries
         WHERE loan_id = $1 AND value_date >= $2::date AND reverses IS NULL AND reversed_by IS NULL
         GROUP BY 1`,
        [loanId, fromDate],
      );
      return new Map(rows.map((r) => [r.month, r.unknown > 0 ? 'unknown' : r.digest]));
    },
  };
  return writer;
}

/**
 * Every GL account the batch's lines post to, created from the chart if new (sorted: no deadlock between
 * batches). `known` holds the accounts this process saw committed (the caller's transaction, run by
 * servicing's inTransaction, committed after upserting them): they are not sent again. Accounts are never
 * deleted (journal lines reference them, ON DELETE RESTRICT).
 */
async function upsertAccounts(client: pg.PoolClient, postings: readonly LedgerPosting[], known: Set<string>): Promise<void> {
  const accounts = new Map<string, { tenant: string; code: string; name: string; account: LedgerAccount }>();
  for (const p of postings) {
    for (const e of [...p.reverse, ...p.post]) {
      for (const l of e.lines) {
        const gl = p.chart[l.account];
        const key = `${p.tenantId}\u0000${gl.code}`;
        if (!known.has(key)) accounts.set(key, { tenant: p.tenantId, code: gl.code, name: gl.name, account: l.account });
      }
    }
  }
  if (accounts.size === 0) return;
  const sorted = [...accounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  await client.query(
    `INSERT INTO ledger_accounts (tenant_id, code, name, type, normal_side)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (tenant_id, code) DO NOTHING`,
    [sorted.map((a) => a.tenant), sorted.map((a) => a.code), sorted.map((a) => a.name), sorted.map((a) => ACCOUNT_TYPES[a.account].type), sorted.map((a) => ACCOUNT_TYPES[a.account].normalSide)],
  );
  // Once the caller's transaction commits, every one of them exists (inserted now or found there).
  onCommit(client, () => {
    for (const key of accounts.keys()) known.add(key);
  });
}

interface LineRow {
  id: string;
  loan_id: string;
  effect_key: string;
  kind: string;
  value_date: string;
  reversed: boolean;
  account_code: string;
  logical_account: string;
  side: 'debit' | 'credit';
  amount_minor: string;
}

/** Rows ordered by entry then line_no → one StoredEntry per entry. */
function groupLines(rows: readonly LineRow[]): StoredEntry[] {
  const out: { id: string; loanId: string; reversed: boolean; codes: string[]; effect: { key: string; date: number; kind: EffectKind; lines: PostingLine[] } }[] = [];
  for (const r of rows) {
    let last = out[out.length - 1];
    if (!last || last.id !== r.id) {
      last = { id: r.id, loanId: r.loan_id, reversed: r.reversed, codes: [], effect: { key: r.effect_key, date: parseIsoDate(r.value_date), kind: r.kind as EffectKind, lines: [] } };
      out.push(last);
    }
    last.codes.push(r.account_code);
    last.effect.lines.push({ account: r.logical_account as LedgerAccount, side: r.side, amountMinor: BigInt(r.amount_minor) });
  }
  return out;
}

/** The original entries (live or reversed) stored under any (loan, key) of the batch. */
async function storedEntries(client: Queryable, postings: readonly LedgerPosting[]): Promise<Map<string, StoredEntry[]>> {
  const tenants: string[] = [];
  const loans: string[] = [];
  const keys: string[] = [];
  for (const p of postings) {
    for (const e of [...p.reverse, ...p.post]) {
      tenants.push(p.tenantId);
      loans.push(p.loanId);
      keys.push(e.key);
    }
  }
  const { rows } = await client.query<LineRow>(
    `SELECT e.id, e.loan_id, e.effect_key, e.kind, e.value_date::text AS value_date, e.reversed_by IS NOT NULL AS reversed, l.account_code, l.logical_account, l.side, l.amount_minor::text AS amount_minor
     FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[]) AS k(tenant_id, loan_id, effect_key)) k
     JOIN journal_entries e ON e.loan_id = k.loan_id AND e.effect_key = k.effect_key AND e.tenant_id = k.tenant_id AND e.reverses IS NULL
     JOIN journal_lines l ON l.entry_id = e.id
     ORDER BY e.seq, l.line_no`,
    [tenants, loans, keys],
  );
  const byKey = new Map<string, StoredEntry[]>();
  for (const s of groupLines(rows)) {
    const k = `${s.loanId}\u0000${s.effect.key}`;
    byKey.set(k, [...(byKey.get(k) ?? []), s]);
  }
  return byKey;
}

/** Decides, per effect, what to write: a contra-entry, a new entry, nothing (already done) or a refusal. */
function plan(postings: readonly LedgerPosting[], stored: Map<string, StoredEntry[]>, newId: () => string): { reversals: EntryRow[]; entries: EntryRow[] } {
  const reversals: EntryRow[] = [];
  const entries: EntryRow[] = [];
  for (const p of postings) {
    const reversedNow = new Set<string>();
    for (const e of p.reverse) {
      const versions = stored.get(`${p.loanId}\u0000${e.key}`) ?? [];
      const live = versions.find((s) => !s.reversed);
      if (live && sameEffect(live.effect, e)) {
        reversedNow.add(e.key);
        reversals.push({ id: newId(), posting: p, key: REVERSAL_PREFIX + e.key, kind: live.effect.kind, valueDate: formatIsoDate(live.effect.date), reverses: live.id, digest: null, lines: contraLines(live.effect.lines), codes: live.codes });
      } else if (!versions.some((s) => s.reversed && sameEffect(s.effect, e))) {
        throw new LedgerPostingError('reversal-target-not-live', `effect ${e.key} of loan ${p.loanId} is not live with these lines, nor reversed before`, p.loanId, e.key);
      }
    }
    for (const e of p.post) {
      const live = (stored.get(`${p.loanId}\u0000${e.key}`) ?? []).find((s) => !s.reversed);
      if (live && !reversedNow.has(e.key)) {
        if (sameEffect(live.effect, e)) continue;
        throw new LedgerPostingError('live-effect-differs', `effect ${e.key} of loan ${p.loanId} is live with other lines: reverse it first`, p.loanId, e.key);
      }
      entries.push({ id: newId(), posting: p, key: e.key, kind: e.kind, valueDate: formatIsoDate(e.date), reverses: null, digest: effectDigest(e), lines: e.lines, codes: e.lines.map((l) => p.chart[l.account].code) });
    }
  }
  return { reversals, entries };
}

async function insertEntries(client: Queryable, rows: readonly EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale, reverses, digest)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[], $8::text[], $9::int[], $10::uuid[], $11::bigint[])`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.posting.tenantId),
      rows.map((r) => r.posting.loanId),
      rows.map((r) => r.key),
      rows.map((r) => r.kind),
      rows.map((r) => r.valueDate),
      rows.map((r) => r.posting.postedOn),
      rows.map((r) => r.posting.currency),
      rows.map((r) => r.posting.scale),
      rows.map((r) => r.reverses),
      rows.map((r) => r.digest?.toString() ?? null),
    ],
  );
}

async function insertLines(client: Queryable, rows: readonly EntryRow[]): Promise<void> {
  const cols: { entry: string[]; no: number[]; tenant: string[]; loan: string[]; date: string[]; currency: string[]; scale: number[]; code: string[]; account: string[]; side: string[]; amount: string[] } =
    { entry: [], no: [], tenant: [], loan: [], date: [], currency: [], scale: [], code: [], account: [], side: [], amount: [] };
  for (const r of rows) {
    r.lines.forEach((l, i) => {
      cols.entry.push(r.id);
      cols.no.push(i + 1);
      cols.tenant.push(r.posting.tenantId);
      cols.loan.push(r.posting.loanId);
      cols.date.push(r.valueDate);
      cols.currency.push(r.posting.currency);
      cols.scale.push(r.posting.scale);
      cols.code.push(r.codes[i]!);
      cols.account.push(l.account);
      cols.side.push(l.side);
      cols.amount.push(l.amountMinor.toString());
    });
  }
  if (cols.entry.length === 0) return;
  await client.query(
    `INSERT INTO journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::date[], $6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::bigint[])`,
    [cols.entry, cols.no, cols.tenant, cols.loan, cols.date, cols.currency, cols.scale, cols.code, cols.account, cols.side, cols.amount],
  );
}
