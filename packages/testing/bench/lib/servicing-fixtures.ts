import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1, topics } from '@lendstack/contracts';
import { Kafka, logLevel } from 'kafkajs';
import type pg from 'pg';

type LoanTerms = Parameters<typeof sampleLoanApprovedV1>[0] extends infer O ? (O extends { loan?: infer L } ? L : never) : never;

/**
 * Books loans the way production does: a LoanApproved per loan on the (prefixed) loan-approved topic,
 * read by the LMS's own consumer and booking store. Returns the loan ids once all are booked.
 */
export async function publishApprovals(brokers: string[], topicPrefix: string, loans: { tenantId: string; loan: LoanTerms }[]): Promise<string[]> {
  const kafka = new Kafka({ clientId: 'servicing-bench', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  try {
    const events = loans.map((l) => sampleLoanApprovedV1({ tenantId: l.tenantId, loanId: `bench-${randomUUID()}`, loan: l.loan }));
    await producer.send({ topic: `${topicPrefix}${topics.loanApproved.name}`, acks: -1, messages: events.map((e) => ({ key: e.subject, value: JSON.stringify(e) })) });
    return events.map((e) => e.payload.loan.id);
  } finally {
    await producer.disconnect();
  }
}

// Columns the database fills itself (sequences, timestamps): left out of a copy.
const DEFAULTED = new Set(['seq', 'created_at', 'updated_at', 'applied_at']);
// A loan's rows, in foreign-key order, and the column that names the loan.
const LOAN_TABLES: [table: string, loanColumn: string][] = [
  ['loan_accounts', 'id'], ['installments', 'loan_id'], ['schedule_versions', 'loan_id'], ['loan_servicing', 'loan_id'],
  ['loan_transactions', 'loan_id'], ['delinquency_history', 'loan_id'], ['loan_balances', 'loan_id'], ['journal_entries', 'loan_id'], ['journal_lines', 'loan_id'],
];

/**
 * Copies one disbursed loan's rows (account, schedule, servicing snapshot and state, transactions,
 * delinquency history, sub-ledger balances, journal entries and lines) `count` times under new ids,
 * in chunks of `chunk` loans (one transaction each: lines are written with their entries, the
 * ledger's triggers check them). Every uuid becomes md5(old || new loan id), and every text or
 * JSON value has the template's loan id and uuids replaced the same way, so a copy is the same
 * loan in the same state — effect keys, snapshot and allocations naming its own transactions —
 * not a row that merely looks like one. Idempotency keys get the copy's id appended; collections_started_at is set: no workflow is started for
 * a copy. The template must have no reversal entries (a reversal marks its target on insert).
 */
export async function cloneLoan(pool: pg.Pool, templateId: string, prefix: string, count: number, chunk: number, log: (line: string) => void): Promise<string[]> {
  const client = await pool.connect();
  try {
    const reversals = await client.query('SELECT 1 FROM journal_entries WHERE loan_id = $1 AND (reverses IS NOT NULL OR reversed_by IS NOT NULL)', [templateId]);
    if ((reversals.rowCount ?? 0) > 0) throw new Error('cloneLoan: the template loan has reversed journal entries');
    const uuids = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM loan_transactions WHERE loan_id = $1 UNION SELECT id::text FROM journal_entries WHERE loan_id = $1
       UNION SELECT source_event_id::text FROM loan_accounts WHERE id = $1`, [templateId]);
    const columns = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY ordinal_position`,
      [LOAN_TABLES.map(([t]) => t)]);
    const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
    // Text: the template's loan id → the copy's id, each template uuid → its copy's uuid.
    const rewrite = (expr: string) => uuids.rows.reduce((e, u) => `replace(${e}, ${literal(u.id)}, md5(${literal(u.id)} || m.id)::uuid::text)`, `replace(${expr}, ${literal(templateId)}, m.id)`);
    const select = (table: string) => columns.rows.filter((c) => c.table_name === table && !DEFAULTED.has(c.column_name)).map((c) => {
      const col = `src.${c.column_name}`;
      if (table === 'loan_accounts' && c.column_name === 'collections_started_at') return 'now()';
      // Unique per tenant: the copy's own key (a retry of it would name the copy).
      if (c.column_name === 'idempotency_key') return `CASE WHEN ${col} IS NULL THEN NULL ELSE ${col} || ':' || m.id END`;
      if (c.data_type === 'uuid') return `CASE WHEN ${col} IS NULL THEN NULL ELSE md5(${col}::text || m.id)::uuid END`;
      if (c.data_type === 'text') return rewrite(col);
      if (c.data_type === 'jsonb') return `${rewrite(`${col}::text`)}::jsonb`;
      return col;
    });
    const names = (table: string) => columns.rows.filter((c) => c.table_name === table && !DEFAULTED.has(c.column_name)).map((c) => c.column_name);
    const ids: string[] = [];
    for (let from = 0; from < count; from += chunk) {
      const to = Math.min(count, from + chunk);
      const started = performance.now();
      await client.query('BEGIN');
      await client.query(`CREATE TEMP TABLE m ON COMMIT DROP AS SELECT $1 || lpad(g::text, 7, '0') AS id FROM generate_series($2::int, $3::int) g`, [prefix, from, to - 1]);
      for (const [table, loanColumn] of LOAN_TABLES) {
        await client.query(`INSERT INTO ${table} (${names(table).join(', ')}) SELECT ${select(table).join(', ')} FROM ${table} src CROSS JOIN m WHERE src.${loanColumn} = $1`, [templateId]);
      }
      const rows = await client.query<{ id: string }>('SELECT id FROM m ORDER BY id');
      await client.query('COMMIT');
      ids.push(...rows.rows.map((r) => r.id));
      if (to === count || (from / chunk) % 5 === 0) log(`  copies of ${templateId}: ${to}/${count} (${Math.round(performance.now() - started)} ms for the last ${to - from})`);
    }
    return ids;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
