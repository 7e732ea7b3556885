import type pg from 'pg';

/**
 * A realistic book for the end-of-day bench, generated set-based:
 *
 * 1. **Templates**, booked through the LMS's own migration import (POST /v1/imports: the engine computes
 *    each schedule and replays each history to the business date, posting every ledger entry): a few per
 *    seeded product (PL-12, SME-TL, BNPL-4, PAYDAY-30), disbursed on 30 consecutive days so their due
 *    dates spread over the month, each paying every installment fallen due on its due date ("current"),
 *    plus delinquent ones — the last one, two or three installments unpaid, and loans whose first unpaid
 *    installment makes them cross a classification on the day measured (DPD 30 → SMA-1, 90 → non-accrual,
 *    91 → NPA; PAYDAY-30 non-accrual at 30) or already NPA.
 * 2. **Copies** by `INSERT … SELECT … FROM generate_series` per table: copy g takes the template whose
 *    weight range holds hashint4(g) mod 1,000,000 (so every loan-id range has the same mix), every uuid
 *    becomes md5(uuid || copy id)::uuid, the template's loan id and transaction ids in text and JSON are
 *    replaced the same way (one `replace` per id, in SQL). A copy's ledger is its template's folded into
 *    one balanced `opening-balance` entry (per account, the net of the template's lines), so the copy's
 *    ledger balances and ties to its loan_balances without copying ~100 daily accrual entries per loan.
 */

export interface TemplateSpec {
  readonly externalId: string;
  readonly productCode: 'PL-12' | 'SME-TL' | 'BNPL-4' | 'PAYDAY-30';
  readonly record: Record<string, unknown>;
  /** Installments fallen due by the business date left unpaid, counted from the last ('all': none paid). */
  readonly unpaid: number | 'all';
  /** Share of the book, in parts per million. */
  readonly ppm: number;
  readonly kind: 'current' | 'arrears';
}

const DAY = 86_400_000;
const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const addMonths = (iso: string, months: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

const PRODUCTS = {
  'PL-12': { share: 0.45, principal: { amount: '10000000', currency: 'INR', scale: 2 }, annualRatePercent: '14', termPeriods: 12, frequency: 'monthly', scheduleMethod: 'equal-installment', age: 95 },
  'SME-TL': { share: 0.25, principal: { amount: '100000000', currency: 'INR', scale: 2 }, annualRatePercent: '13', termPeriods: 12, frequency: 'monthly', scheduleMethod: 'equal-principal', interestCalculation: 'daily', dayCount: 'actual/365', age: 65 },
  'BNPL-4': { share: 0.2, principal: { amount: '50000', currency: 'USD', scale: 2 }, annualRatePercent: '0', termPeriods: 4, frequency: 'biweekly', scheduleMethod: 'zero-interest-split', age: 1 },
  'PAYDAY-30': { share: 0.1, principal: { amount: '50000', currency: 'USD', scale: 2 }, annualRatePercent: '0', termPeriods: 1, frequency: 'monthly', scheduleMethod: 'bullet', dayCount: 'actual/365', age: 1 },
} as const;

/** Loans in arrears: this share of each product's copies (the rest current, evenly over the 30 disbursement days). */
export const ARREARS_SHARE = 0.075;

/**
 * The templates for measuring day `day` (the business date being `day` − 1). Current loans of a product are
 * disbursed `age` … `age` + 29 days before the day; for the monthly products that puts one due date on every
 * day of the month, so about one loan in 30 falls due on the day.
 */
export function templateSpecs(day: string): TemplateSpec[] {
  const specs: TemplateSpec[] = [];
  for (const [code, p] of Object.entries(PRODUCTS) as [TemplateSpec['productCode'], (typeof PRODUCTS)[keyof typeof PRODUCTS]][]) {
    const { share, age, ...terms } = p;
    const record = (id: string, disbursementDate: string, firstDueDate?: string) => ({
      externalId: id, productCode: code, ...terms, disbursementDate, ...(firstDueDate ? { firstDueDate } : {}), borrower: { reference: `borrower-${id}` },
    });
    const current = 30;
    // PAYDAY-30 current loans: disbursed on the 30 days from a month before the day (the first due on the day, the others later).
    const disbursedOn = (j: number) => (code === 'PAYDAY-30' ? addDays(addMonths(day, -1), j) : addDays(day, -age - j));
    for (let j = 0; j < current; j += 1) {
      const id = `${code}-current-${String(j).padStart(2, '0')}`;
      specs.push({ externalId: id, productCode: code, record: record(id, disbursedOn(j)), unpaid: 0, ppm: 0, kind: 'current' });
    }
    const arrears: { id: string; disbursed: string; firstDue?: string; unpaid: number | 'all' }[] = [];
    if (code === 'PAYDAY-30') {
      // Due a month after disbursement, unpaid: DPD 5, 20 and 29 the day before (non-accrual at 30, this product's rule, on the day).
      for (const dpd of [5, 20, 29]) arrears.push({ id: `${code}-dpd${dpd + 1}`, disbursed: addMonths(addDays(day, -1 - dpd), -1), unpaid: 'all' });
    } else if (code === 'BNPL-4') {
      for (const j of [15, 22, 29]) arrears.push({ id: `${code}-miss1-${j}`, disbursed: addDays(day, -age - j), unpaid: 1 });
      arrears.push({ id: `${code}-miss2-40`, disbursed: addDays(day, -40), unpaid: 2 });
    } else {
      for (const j of [2, 12, 22]) arrears.push({ id: `${code}-miss1-${j}`, disbursed: addDays(day, -age - j), unpaid: 1 });
      for (const j of [5, 17]) arrears.push({ id: `${code}-miss2-${j}`, disbursed: addDays(day, -age - j), unpaid: 2 });
      // Nothing paid since a first due date 31, 90, 91 and 105 days before the day: SMA-1, non-accrual, NPA on the day; NPA already.
      for (const dpd of [31, 90, 91, 105]) {
        const firstDue = addDays(day, -dpd);
        arrears.push({ id: `${code}-dpd${dpd}`, disbursed: addMonths(firstDue, -1), firstDue, unpaid: 'all' });
      }
    }
    const productPpm = share * 1_000_000;
    const arrearsPpm = Math.floor((productPpm * ARREARS_SHARE) / arrears.length);
    const currentPpm = Math.floor((productPpm - arrearsPpm * arrears.length) / current);
    for (const s of specs.filter((x) => x.productCode === code)) (s as { ppm: number }).ppm = currentPpm;
    for (const a of arrears) specs.push({ externalId: a.id, productCode: code, record: record(a.id, a.disbursed, a.firstDue), unpaid: a.unpaid, ppm: arrearsPpm, kind: 'arrears' });
  }
  // The rounding remainder to the first template, so the weights cover exactly 1,000,000.
  const sum = specs.reduce((n, s) => n + s.ppm, 0);
  (specs[0] as { ppm: number }).ppm += 1_000_000 - sum;
  return specs;
}

/**
 * The template's import record with its history: a repayment of each installment fallen due by the business
 * date on its due date (its scheduled total), but the last `unpaid` (or all of them).
 */
export function withHistory(spec: TemplateSpec, installments: readonly { dueDate: string; totalMinor: string }[], businessDate: string): Record<string, unknown> {
  const due = installments.filter((i) => i.dueDate <= businessDate);
  const paid = spec.unpaid === 'all' ? [] : due.slice(0, Math.max(0, due.length - spec.unpaid));
  return { ...spec.record, history: paid.map((i, n) => ({ kind: 'repayment', id: `${spec.externalId}-pay-${n + 1}`, valueDate: i.dueDate, amount: i.totalMinor, channel: 'upi' })) };
}

// Columns the database fills itself (sequences, timestamps): left out of a copy.
const DEFAULTED = new Set(['seq', 'created_at', 'updated_at', 'applied_at']);
/** A loan's rows the copies take, in foreign-key order, and the column that names the loan (journal: folded, below). */
const LOAN_TABLES: [table: string, loanColumn: string][] = [
  ['loan_accounts', 'id'], ['installments', 'loan_id'], ['schedule_versions', 'loan_id'], ['schedule_terms', 'loan_id'], ['loan_transactions', 'loan_id'],
  ['loan_servicing', 'loan_id'], ['delinquency_history', 'loan_id'], ['loan_balances', 'loan_id'],
];

/**
 * `count` copies of the templates (loan ids `prefix` + 7 digits), in chunks of `chunk` loans over `workers`
 * connections (one transaction each: a copy's opening entry and its lines are written together, the
 * ledger's triggers check them). Returns how many copies each template got.
 */
export async function copyBook(pool: pg.Pool, templates: readonly { loanId: string; ppm: number }[], prefix: string, count: number, chunk: number, workers: number, log: (line: string) => void): Promise<Map<string, number>> {
  const client = await pool.connect();
  try {
    const columns = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY ordinal_position`,
      [LOAN_TABLES.map(([t]) => t)]);
    await client.query('DROP TABLE IF EXISTS bench_eod_templates');
    let lo = 0;
    const ranges = templates.map((t) => { const r = { loanId: t.loanId, lo, hi: lo + t.ppm }; lo += t.ppm; return r; });
    if (lo !== 1_000_000) throw new Error(`copyBook: the templates' weights add up to ${lo} ppm, not 1,000,000`);
    await client.query(`CREATE TABLE bench_eod_templates AS SELECT * FROM unnest($1::text[], $2::int[], $3::int[]) AS t(loan_id, lo, hi)`, [ranges.map((r) => r.loanId), ranges.map((r) => r.lo), ranges.map((r) => r.hi)]);
    // The copies keep the templates' JSON as it is (snapshot, state, allocations, terms, schedule versions): it names
    // neither the loan nor its transactions (imported loans' ids live in the columns). Checked, not assumed.
    const named = await client.query<{ loan_id: string }>(
      `SELECT t.loan_id FROM bench_eod_templates t
       WHERE EXISTS (SELECT 1 FROM loan_servicing s WHERE s.loan_id = t.loan_id AND (strpos(s.snapshot::text, t.loan_id) > 0 OR strpos(s.state::text, t.loan_id) > 0
                       OR EXISTS (SELECT 1 FROM loan_transactions x WHERE x.loan_id = t.loan_id AND (strpos(s.snapshot::text, x.id::text) > 0 OR strpos(s.state::text, x.id::text) > 0))))
          OR EXISTS (SELECT 1 FROM loan_transactions x, loan_transactions y WHERE x.loan_id = t.loan_id AND y.loan_id = t.loan_id AND strpos(coalesce(x.allocation::text, ''), y.id::text) > 0)`);
    if (named.rows.length > 0) throw new Error(`copyBook: template ${named.rows[0]!.loan_id} names its own ids in its JSON; a copy would name the template's`);
    // The template's ledger folded: a line per account with the net of the template's lines (zero nets left out).
    await client.query('DROP TABLE IF EXISTS bench_eod_opening');
    await client.query(
      `CREATE TABLE bench_eod_opening AS
       SELECT e.loan_id AS src, a.disbursement_date, row_number() OVER (PARTITION BY e.loan_id ORDER BY l.account_code, l.logical_account)::int AS line_no,
              l.account_code, l.logical_account, e.tenant_id, e.currency, e.scale,
              sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) AS net
       FROM journal_entries e JOIN journal_lines l ON l.entry_id = e.id JOIN loan_accounts a ON a.id = e.loan_id
       WHERE e.loan_id IN (SELECT loan_id FROM bench_eod_templates) GROUP BY e.loan_id, a.disbursement_date, l.account_code, l.logical_account, e.tenant_id, e.currency, e.scale
       HAVING sum(CASE l.side WHEN 'debit' THEN l.amount_minor ELSE -l.amount_minor END) <> 0`);
    await client.query('CREATE INDEX ON bench_eod_templates (lo)');
    const cols = (table: string) => columns.rows.filter((c) => c.table_name === table && !DEFAULTED.has(c.column_name));
    const select = (table: string, loanColumn: string) => cols(table).map((c) => {
      const col = `src.${c.column_name}`;
      if (c.column_name === loanColumn) return 'm.id';
      if (table === 'loan_accounts' && c.column_name === 'collections_started_at') return 'now()'; // no collections workflow for a copy
      if (c.column_name === 'idempotency_key') return `CASE WHEN ${col} IS NULL THEN NULL ELSE ${col} || ':' || m.id END`;
      if (c.data_type === 'uuid') return `CASE WHEN ${col} IS NULL THEN NULL ELSE md5(${col}::text || m.id)::uuid END`;
      if (c.data_type === 'text') return `replace(${col}, m.src, m.id)`;
      return col;
    });
    const counts = new Map<string, number>();
    const spent = new Map<string, number>();
    const copyChunk = async (c: pg.PoolClient, from: number, to: number) => {
      const timed = async (what: string, sql: string, params: unknown[] = []) => {
        const t = performance.now();
        await c.query(sql, params);
        spent.set(what, (spent.get(what) ?? 0) + performance.now() - t);
      };
      const started = performance.now();
      await c.query('BEGIN');
      try {
        await timed('copy ids',
          `CREATE TEMP TABLE m ON COMMIT DROP AS
           SELECT $1 || lpad(g::text, 7, '0') AS id,
                  (SELECT t.loan_id FROM bench_eod_templates t WHERE t.lo <= (hashint4(g)::bigint + 2147483648) % 1000000 ORDER BY t.lo DESC LIMIT 1) AS src
           FROM generate_series($2::int, $3::int) g`, [prefix, from, to - 1]);
        await c.query('CREATE INDEX ON m (src)');
        await c.query('ANALYZE m');
        for (const [table, loanColumn] of LOAN_TABLES) {
          await timed(table, `INSERT INTO ${table} (${cols(table).map((x) => x.column_name).join(', ')}) SELECT ${select(table, loanColumn).join(', ')} FROM m JOIN ${table} src ON src.${loanColumn} = m.src`);
        }
        // The copy's ledger: one opening-balance entry with its template's folded lines.
        await timed('journal (folded)',
          `INSERT INTO journal_entries (id, tenant_id, loan_id, effect_key, kind, value_date, posted_on, currency, scale)
           SELECT md5('opening-balance:' || m.id)::uuid, n.tenant_id, m.id, 'opening-balance', 'opening-balance', n.disbursement_date, n.disbursement_date, n.currency, n.scale
           FROM m JOIN bench_eod_opening n ON n.src = m.src AND n.line_no = 1`);
        await timed('journal (folded)',
          `INSERT INTO journal_lines (entry_id, line_no, tenant_id, loan_id, value_date, currency, scale, account_code, logical_account, side, amount_minor)
           SELECT md5('opening-balance:' || m.id)::uuid, n.line_no, n.tenant_id, m.id, n.disbursement_date, n.currency, n.scale,
                  n.account_code, n.logical_account, CASE WHEN n.net > 0 THEN 'debit' ELSE 'credit' END, abs(n.net)
           FROM m JOIN bench_eod_opening n ON n.src = m.src`);
        const got = await c.query<{ src: string; n: number }>('SELECT src, count(*)::int AS n FROM m GROUP BY src');
        await timed('commit (the ledger checks)', 'COMMIT');
        for (const r of got.rows) counts.set(r.src, (counts.get(r.src) ?? 0) + r.n);
      } catch (error) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return performance.now() - started;
    };
    // Bulk load as pg_restore does: the foreign keys of the tables written are dropped for the copy and added
    // back after it (which checks every row at once, instead of one lookup per row); the servicing
    // version-touch triggers are off (they bump the version of loans whose rows change; a copy's servicing row
    // is written after its schedule and transactions); and the ledger's checks (each entry balanced with
    // at least two lines — noted per statement, checked at commit —, each line copying its entry's tenant, loan,
    // date and currency; reversals marked) are off for the copy and made once over all the copies' entries after it, set-based (checkLedger).
    const tables = [...LOAN_TABLES.map(([t]) => t), 'journal_entries', 'journal_lines'];
    const fks = (await client.query<{ tbl: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1) ORDER BY conrelid::regclass::text, conname`, [tables])).rows;
    const touches = (await client.query<{ tbl: string; name: string }>(
      `SELECT t.tgrelid::regclass::text AS tbl, t.tgname AS name FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
       WHERE p.proname = ANY('{servicing_version_touch,journal_note_unchecked,journal_check_lines,journal_mark_reversed}') AND NOT t.tgisinternal AND t.tgrelid::regclass::text = ANY($1)`, [tables])).rows;
    // Likewise their secondary indexes (not the primary keys, nor an index behind a constraint): built again after the copy, a
    // unique one checking uniqueness over every row then.
    const indexes = (await client.query<{ name: string; def: string }>(
      `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
       WHERE i.indrelid::regclass::text = ANY($1) AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, [tables])).rows;
    for (const fk of fks) await client.query(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT ${fk.name}`);
    for (const ix of indexes) await client.query(`DROP INDEX ${ix.name}`);
    for (const t of touches) await client.query(`ALTER TABLE ${t.tbl} DISABLE TRIGGER ${t.name}`);
    try {
    const chunks: [number, number][] = [];
    for (let from = 0; from < count; from += chunk) chunks.push([from, Math.min(count, from + chunk)]);
    let next = 0;
    let done = 0;
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, chunks.length)) }, async () => {
      const c = await pool.connect();
      try {
        for (let i = next++; i < chunks.length; i = next++) {
          const [from, to] = chunks[i]!;
          const ms = await copyChunk(c, from, to);
          done += to - from;
          if (done === count || i % 5 === 0) log(`  copies: ${done}/${count} (${Math.round(ms)} ms for a chunk of ${to - from})`);
        }
      } finally {
        c.release();
      }
    }));
      const checking = performance.now();
      await checkLedger(client, prefix);
      spent.set('ledger checked (set-based)', performance.now() - checking);
    } finally {
      const restoring = performance.now();
      for (const t of touches) await client.query(`ALTER TABLE ${t.tbl} ENABLE TRIGGER ${t.name}`);
      // Built `workers` at a time, each on a connection of its own with room to sort.
      let nextIndex = 0;
      await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, indexes.length)) }, async () => {
        const c = await pool.connect();
        try {
          await c.query(`SET maintenance_work_mem = '256MB'`);
          for (let i = nextIndex++; i < indexes.length; i = nextIndex++) await c.query(indexes[i]!.def);
          await c.query('RESET maintenance_work_mem');
        } finally {
          c.release();
        }
      }));
      spent.set('indexes built again', performance.now() - restoring);
      const fkStarted = performance.now();
      for (const fk of fks) await client.query(`ALTER TABLE ${fk.tbl} ADD CONSTRAINT ${fk.name} ${fk.def}`);
      spent.set('foreign keys added back (every row checked)', performance.now() - fkStarted);
    }
    await client.query('DROP TABLE bench_eod_templates');
    await client.query('DROP TABLE bench_eod_opening');
    log(`  copy time by table: ${[...spent].map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`);
    return counts;
  } finally {
    client.release();
  }
}

/**
 * What the ledger's triggers check row by row (journal_check_balanced, journal_check_lines), once over every
 * copy's entries (loan ids `prefix`…): at least two lines, debits equal to credits, each line carrying its
 * entry's tenant, loan, value date, currency and scale, and no reversal among them.
 */
async function checkLedger(client: pg.PoolClient, prefix: string): Promise<void> {
  const bad = await client.query<{ id: string; loan_id: string }>(
    `SELECT e.id::text, e.loan_id FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id
     WHERE e.loan_id LIKE $1 || '%'
     GROUP BY e.id, e.loan_id, e.reverses, e.reversed_by
     HAVING count(l.*) < 2 OR e.reverses IS NOT NULL OR e.reversed_by IS NOT NULL
        OR coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0) <> coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0)
        OR bool_or((e.tenant_id, e.loan_id, e.value_date, e.currency, e.scale) IS DISTINCT FROM (l.tenant_id, l.loan_id, l.value_date, l.currency, l.scale))
     LIMIT 1`, [prefix]);
  if (bad.rows.length > 0) throw new Error(`copyBook: the copy's journal entry ${bad.rows[0]!.id} (loan ${bad.rows[0]!.loan_id}) does not keep the ledger's rules`);
  // And each line names an entry and an account of its tenant (what the service's line check does per statement).
  const stray = await client.query<{ loan_id: string }>(
    `SELECT l.loan_id FROM journal_lines l
     WHERE l.loan_id LIKE $1 || '%'
       AND (NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.id = l.entry_id) OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.tenant_id = l.tenant_id AND a.code = l.account_code))
     LIMIT 1`, [prefix]);
  if (stray.rows.length > 0) throw new Error(`copyBook: a journal line of the copy ${stray.rows[0]!.loan_id} names no entry or no ledger account`);
}
