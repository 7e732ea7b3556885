import type pg from 'pg';

/**
 * The floor the pipeline is compared with: the same rows the LMS consumer wrote (inbox row, loan
 * account, installments of every loan the pipeline booked), written straight into Postgres the way
 * the consumer writes them (services/lms/src/modules/loans/adapters/prisma-loan.repository.ts):
 * one unnest() INSERT per table per chunk of 500 loans, one transaction per chunk, one connection.
 * It writes to copies of the tables in a scratch schema of the bench LMS database, with the same
 * indexes, checks and foreign key, so the pipeline's own rows stay as they are for the report.
 */
const SCHEMA = 'bench_baseline';
const CHUNK_LOANS = 500; // the consumer's maxChunk

interface Loaded {
  readonly accounts: Record<string, unknown[]>;
  readonly installments: Record<string, unknown[]>;
  readonly inbox: Record<string, unknown[]>;
  readonly installmentCount: number;
}

export interface BaselineResult {
  readonly loans: number;
  readonly installments: number;
  /** Wall time of each round in ms; the report uses the median. */
  readonly roundsMs: number[];
}

const accountColumns = ['id', 'tenant_id', 'application_id', 'borrower', 'product_code', 'principal_minor', 'currency', 'scale',
  'annual_rate_percent', 'term_periods', 'frequency', 'schedule_method', 'disbursement_date', 'approved_at', 'approved_by',
  'source_event_id', 'traceparent', 'collections_workflow_id'] as const;
const installmentColumns = ['loan_id', 'number', 'due_date', 'principal_minor', 'interest_minor', 'fees_minor', 'total_minor', 'balance_after_minor'] as const;

/** Reads the pipeline's rows for one tenant, as text columns ready to be sent back as arrays. */
async function load(pool: pg.Pool, tenantId: string): Promise<Loaded> {
  const columnar = (rows: Record<string, unknown>[], names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n])]));
  const accounts = await pool.query(
    `SELECT ${accountColumns.map((c) => `${c}::text AS ${c}`).join(', ')} FROM public.loan_accounts WHERE tenant_id = $1 ORDER BY created_at, id`,
    [tenantId],
  );
  const installments = await pool.query(
    `SELECT ${installmentColumns.map((c) => `i.${c}::text AS ${c}`).join(', ')}
     FROM public.installments i JOIN public.loan_accounts l ON l.id = i.loan_id WHERE l.tenant_id = $1 ORDER BY i.loan_id, i.number`,
    [tenantId],
  );
  const inbox = await pool.query(
    `SELECT b.event_id::text AS event_id, b.type, b.version FROM public.inbox b JOIN public.loan_accounts l ON l.source_event_id = b.event_id WHERE l.tenant_id = $1`,
    [tenantId],
  );
  return {
    accounts: columnar(accounts.rows, accountColumns),
    installments: columnar(installments.rows, installmentColumns),
    inbox: columnar(inbox.rows, ['event_id', 'type', 'version']),
    installmentCount: installments.rowCount ?? 0,
  };
}

async function createScratchTables(client: pg.PoolClient): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  for (const table of ['inbox', 'loan_accounts', 'installments']) {
    await client.query(`CREATE TABLE ${SCHEMA}.${table} (LIKE public.${table} INCLUDING ALL)`);
  }
  await client.query(`ALTER TABLE ${SCHEMA}.installments ADD FOREIGN KEY (loan_id) REFERENCES ${SCHEMA}.loan_accounts(id) ON DELETE RESTRICT ON UPDATE CASCADE`);
}

const slice = (cols: Record<string, unknown[]>, names: readonly string[], from: number, to: number) => names.map((n) => cols[n]!.slice(from, to));

/** One chunk exactly as the consumer's transaction: inbox, accounts, installments. */
async function writeChunk(client: pg.PoolClient, data: Loaded, from: number, to: number, instFrom: number, instTo: number): Promise<void> {
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO inbox (event_id, type, version) SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[])
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    slice(data.inbox, ['event_id', 'type', 'version'], from, to),
  );
  await client.query(
    `INSERT INTO loan_accounts (id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale,
       annual_rate_percent, term_periods, frequency, schedule_method, disbursement_date, status, approved_at, approved_by,
       source_event_id, traceparent, collections_workflow_id)
     SELECT id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent,
       term_periods, frequency, schedule_method, disbursement_date, 'pending-disbursement', approved_at, approved_by,
       source_event_id, traceparent, collections_workflow_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::text[], $6::bigint[], $7::text[], $8::int[], $9::text[],
       $10::int[], $11::text[], $12::text[], $13::date[], $14::timestamptz[], $15::text[], $16::uuid[], $17::text[], $18::text[])
       AS t(id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent,
       term_periods, frequency, schedule_method, disbursement_date, approved_at, approved_by, source_event_id, traceparent,
       collections_workflow_id)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    slice(data.accounts, accountColumns, from, to),
  );
  await client.query(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT *, 'scheduled' FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    slice(data.installments, installmentColumns, instFrom, instTo),
  );
  await client.query('COMMIT');
}

/** Writes the tenant's rows `rounds` times into emptied scratch tables and times each round. */
export async function measureDirectInsert(pool: pg.Pool, tenantId: string, rounds: number, log: (line: string) => void): Promise<BaselineResult> {
  const data = await load(pool, tenantId);
  const loanIds = data.accounts.id as string[];
  alignInbox(data);
  // Accounts are in booking order; put each loan's installments in the same order so a chunk of
  // loans is a contiguous run of installments.
  const perLoan = reorderInstallments(data, loanIds);
  const client = await pool.connect();
  const roundsMs: number[] = [];
  try {
    await client.query(`SET search_path TO ${SCHEMA}`);
    await createScratchTables(client);
    for (let round = 1; round <= rounds; round += 1) {
      await client.query('TRUNCATE installments, loan_accounts, inbox');
      await client.query('CHECKPOINT').catch(() => undefined); // needs superuser; skipped otherwise
      const started = performance.now();
      let inst = 0;
      for (let from = 0; from < loanIds.length; from += CHUNK_LOANS) {
        const to = Math.min(loanIds.length, from + CHUNK_LOANS);
        let count = 0;
        for (let i = from; i < to; i += 1) count += perLoan[i]!;
        await writeChunk(client, data, from, to, inst, inst + count);
        inst += count;
      }
      roundsMs.push(performance.now() - started);
      log(`  baseline round ${round}/${rounds}: ${loanIds.length} loans + ${data.installmentCount} installments in ${roundsMs.at(-1)!.toFixed(0)} ms`);
    }
    await client.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  } finally {
    await client.query('RESET search_path').catch(() => undefined);
    client.release();
  }
  return { loans: loanIds.length, installments: data.installmentCount, roundsMs };
}

function alignInbox(data: Loaded): void {
  const byEvent = new Map((data.inbox.event_id as string[]).map((id, i) => [id, i]));
  const order = (data.accounts.source_event_id as string[]).map((id) => {
    const i = byEvent.get(id);
    if (i === undefined) throw new Error(`baseline: no inbox row for event ${id}`);
    return i;
  });
  for (const key of Object.keys(data.inbox)) data.inbox[key] = order.map((i) => data.inbox[key]![i]);
}

function reorderInstallments(data: Loaded, loanIds: string[]): number[] {
  const rowsOf = new Map<string, number[]>();
  (data.installments.loan_id as string[]).forEach((id, i) => {
    const list = rowsOf.get(id) ?? [];
    list.push(i);
    rowsOf.set(id, list);
  });
  const order = loanIds.flatMap((id) => rowsOf.get(id) ?? []);
  for (const key of Object.keys(data.installments)) data.installments[key] = order.map((i) => data.installments[key]![i]);
  return loanIds.map((id) => rowsOf.get(id)?.length ?? 0);
}
