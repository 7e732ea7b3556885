// Set-based writes of a batch of imported loans (one INSERT … SELECT FROM unnest per table), on the
// caller's client and transaction: the account as a booking writes it, its schedule, its servicing row,
// its history as loan transactions, and the external id it came with.
import type { LoanTermsV1 } from '@lendstack/contracts';
import type { AccountResult } from '@lendstack/loan-engine';
import type pg from 'pg';
import type { Chart } from '../../ledger/ports.js';
import type { ScheduledInstallment } from '../../loans/domain/loan-account.js';
import { derivedUuid, type ImportedTransaction, type ImportRecord } from '../domain/import-record.js';
import type { LoanImport } from './imports.repository.js';

export interface BookedImport {
  readonly loanId: string;
  readonly recordNumber: number;
  readonly record: ImportRecord;
  readonly terms: LoanTermsV1;
  readonly installments: readonly ScheduledInstallment[];
  readonly transactions: readonly ImportedTransaction[];
  readonly productVersion: number | null;
  /** The product version's chart of accounts (undefined: the default chart). */
  readonly chart: Chart | undefined;
  readonly result: AccountResult;
  readonly collectionsWorkflowId: string;
}

export async function insertImportedLoans(client: pg.PoolClient, imp: LoanImport, booked: readonly BookedImport[]): Promise<void> {
  const col = <T>(pick: (b: BookedImport) => T) => booked.map(pick);
  const actor = `import:${imp.id}`;
  // The servicing state the replay left is written afterwards (saveStates); the account's status is the replay's already.
  await client.query(
    `INSERT INTO loan_accounts (id, tenant_id, application_id, borrower, product_code, principal_minor, currency, scale, annual_rate_percent, term_periods, frequency,
       schedule_method, disbursement_date, status, approved_at, approved_by, source_event_id, collections_workflow_id, terms, product_version)
     SELECT u.id, $1, u.app, u.borrower, u.product, u.principal, u.currency, u.scale, u.rate, u.term, u.frequency, u.method, u.disbursed, u.status, now(), $2,
       md5('import:' || u.id)::uuid, u.workflow, u.terms, u.version
     FROM unnest($3::text[], $4::text[], $5::jsonb[], $6::text[], $7::bigint[], $8::text[], $9::int[], $10::text[], $11::int[], $12::text[], $13::text[], $14::date[], $15::text[], $16::text[], $17::jsonb[], $18::int[])
       AS u(id, app, borrower, product, principal, currency, scale, rate, term, frequency, method, disbursed, status, workflow, terms, version)`,
    [imp.tenantId, actor, col((b) => b.loanId), col((b) => `import:${b.record.externalId}`),
      col((b) => JSON.stringify({ reference: b.record.borrower.reference, ...(b.record.borrower.region ? { address: { region: b.record.borrower.region } } : {}) })),
      col((b) => b.record.productCode), col((b) => b.record.principal.amount), col((b) => b.record.principal.currency), col((b) => b.record.principal.scale),
      col((b) => b.record.annualRatePercent), col((b) => b.record.termPeriods), col((b) => b.record.frequency), col((b) => b.record.scheduleMethod),
      col((b) => b.record.disbursementDate), col((b) => b.result.state.status), col((b) => b.collectionsWorkflowId), col((b) => JSON.stringify(b.terms)), col((b) => b.productVersion)],
  );
  await client.query(
    `INSERT INTO loan_servicing (loan_id, tenant_id, product_code, product_version, status)
     SELECT id, tenant_id, product_code, product_version, status FROM loan_accounts WHERE id = ANY($1::text[])`, [col((b) => b.loanId)]);
  const inst = booked.flatMap((b) => b.installments.map((i) => ({ loanId: b.loanId, ...i })));
  const ic = <T>(pick: (r: (typeof inst)[number]) => T) => inst.map(pick);
  await client.query(
    `INSERT INTO installments (loan_id, number, due_date, principal_minor, interest_minor, fees_minor, total_minor, balance_after_minor, status)
     SELECT *, 'scheduled' FROM unnest($1::text[], $2::int[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])`,
    [ic((r) => r.loanId), ic((r) => r.number), ic((r) => r.dueDate), ic((r) => r.principalMinor.toString()), ic((r) => r.interestMinor.toString()),
      ic((r) => r.feesMinor.toString()), ic((r) => r.totalMinor.toString()), ic((r) => r.balanceAfterMinor.toString())],
  );
  const txs = booked.flatMap((b) => b.transactions.map((t) => ({ b, t })));
  const tc = <T>(pick: (r: (typeof txs)[number]) => T) => txs.map(pick);
  // In the file's order (seq follows ordinality): a loan's events read back as they were listed; a reversal's target is in the same statement.
  await client.query(
    `INSERT INTO loan_transactions (id, tenant_id, loan_id, kind, value_date, amount_minor, currency, scale, channel, reference, target_id, reason, status, request_hash, created_by)
     SELECT u.id, $1, u.loan, u.kind, u.d, u.amount, u.currency, u.scale, u.channel, u.reference, u.target, u.reason,
       CASE WHEN u.kind = 'disbursement' THEN 'confirmed' ELSE 'posted' END, u.hash, $2
     FROM unnest($3::uuid[], $4::text[], $5::text[], $6::date[], $7::bigint[], $8::text[], $9::int[], $10::text[], $11::text[], $12::uuid[], $13::text[], $14::text[])
       WITH ORDINALITY AS u(id, loan, kind, d, amount, currency, scale, channel, reference, target, reason, hash, n)
     ORDER BY u.n`,
    [imp.tenantId, actor, tc((x) => x.t.id), tc((x) => x.b.loanId), tc((x) => x.t.kind), tc((x) => x.t.valueDate), tc((x) => x.t.amountMinor?.toString() ?? null),
      tc((x) => x.b.record.principal.currency), tc((x) => x.b.record.principal.scale), tc((x) => x.t.channel), tc((x) => x.t.reference), tc((x) => x.t.targetId),
      tc((x) => x.t.reason), tc((x) => derivedUuid(`import:${imp.id}:${x.b.recordNumber}:${x.t.eventId}`))],
  );
  await client.query(
    `INSERT INTO imported_loans (tenant_id, external_id, loan_id, import_id, record_number) SELECT $1, u.ext, u.loan, $2, u.n FROM unnest($3::text[], $4::text[], $5::int[]) AS u(ext, loan, n)`,
    [imp.tenantId, imp.id, col((b) => b.record.externalId), col((b) => b.loanId), col((b) => b.recordNumber)],
  );
}
