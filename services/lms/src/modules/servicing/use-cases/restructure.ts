import { loanRestructuredV1Schema } from '@lendstack/contracts';
import { parseIsoDate, replayAccount, type AccountState } from '@lendstack/loan-engine';
import type pg from 'pg';
import { appendAudit } from '../../audit/adapters/pg-audit-log.js';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { sealed, wireMoney, type LifecycleContext } from '../../lifecycle/domain/envelope.js';
import { toAccountProduct } from '../../products/domain/product.js';
import { enqueue, insertTransaction, lockLoan, productDefinition, scheduleOf, transactionsOf, type ServicedLoan } from '../adapters/servicing.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { termsToJson } from '../domain/prepayment.js';
import { previewInstallments, previewJson, previewRestructure, type RestructureAsk, type StoredPreview } from '../domain/restructure.js';
import { DEFAULT_ACCOUNT_PRODUCT, engineEvents, engineSchedule, type LoanTransaction } from '../domain/servicing.js';
import type { ServicingDeps } from './apply-money-event.js';
import { currentTerms, replaceSchedule } from './prepay.js';
import { replayLoan } from './replay-loan.js';

export type RestructureFailureCode =
  | 'loan-not-found'
  | 'loan-not-disbursed'
  | 'loan-closed'
  | 'loan-charged-off'
  | 'idempotency-key-reused'
  | 'restructure-effective-date'
  | 'restructure-not-supported'
  | 'restructure-non-accrual'
  | 'restructure-moratorium'
  | 'restructure-nothing-outstanding'
  | 'proposal-not-found'
  | 'proposal-decided'
  | 'checker-is-maker'
  | 'proposal-stale'
  | 'proposal-not-effective'
  | 'engine-refused';

export interface RestructureFailure {
  readonly code: RestructureFailureCode;
  readonly pointer: string;
  readonly detail: string;
}
export type RestructureOutcome<T> = { readonly ok: true; readonly value: T; readonly replayed?: boolean } | { readonly ok: false; readonly error: RestructureFailure };

/** One row of restructure_proposals. */
export interface RestructureProposal {
  readonly id: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly status: 'proposed' | 'approved' | 'rejected';
  readonly effectiveDate: string;
  readonly annualRatePercent: string;
  readonly installments: number;
  readonly moratoriumInstallments: number;
  readonly capitaliseArrears: boolean;
  readonly note: string | null;
  readonly preview: StoredPreview;
  readonly basisSeq: bigint;
  readonly proposedBy: string;
  readonly proposedAt: Date;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly decisionNote: string | null;
  readonly transactionId: string | null;
  readonly currency: string;
  readonly scale: number;
  readonly requestHash: string;
  readonly decisionIdempotencyKey: string | null;
  readonly decisionRequestHash: string | null;
}

export interface ProposeRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly actor: string;
  readonly ask: RestructureAsk;
  readonly note?: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly requestId: string;
}

export interface DecideRequest {
  readonly tenantId: string;
  readonly loanId: string;
  readonly proposalId: string;
  readonly actor: string;
  readonly decision: 'approve' | 'reject';
  readonly note?: string;
  readonly idempotencyKey?: string;
  readonly requestHash: string;
  readonly requestId: string;
}

const fail = (code: RestructureFailureCode, pointer: string, detail: string) => ({ ok: false as const, error: { code, pointer, detail } });

/**
 * An operator proposes a restructure: the loan is replayed in memory to the end of the effective date (no
 * further money events) and the new schedule computed (domain/restructure.ts); the proposal keeps it as the
 * preview the checker approves, with the loan's last transaction (any later one makes it stale). Nothing of
 * the loan changes. Audited. Failures, nothing written: loan-not-found, idempotency-key-reused,
 * loan-not-disbursed / loan-closed / loan-charged-off (/params/id), restructure-effective-date (before the
 * business date, not a due date, or not after an approved restructure), restructure-not-supported,
 * restructure-non-accrual (/capitaliseArrears), restructure-moratorium, restructure-nothing-outstanding, engine-refused.
 */
export async function proposeRestructure(deps: ServicingDeps, r: ProposeRequest): Promise<RestructureOutcome<RestructureProposal>> {
  return inTransaction(deps.pool, async (client): Promise<RestructureOutcome<RestructureProposal>> => {
    const loan = await lockLoan(client, r.tenantId, r.loanId);
    if (!loan) return fail('loan-not-found', '/params/id', `No loan ${r.loanId} for this tenant.`);
    if (r.idempotencyKey) {
      const prior = (await client.query<ProposalRow>(`${SELECT} WHERE p.tenant_id = $1 AND p.idempotency_key = $2`, [r.tenantId, r.idempotencyKey])).rows[0];
      if (prior && prior.request_hash !== r.requestHash) return fail('idempotency-key-reused', '/header/idempotency-key', 'already used with another request');
      if (prior) return { ok: true, value: toProposal(prior), replayed: true };
    }
    const computed = await compute(deps, client, loan, r.ask);
    if (!computed.ok) return computed;
    const id = deps.newId();
    const now = deps.now();
    await client.query(
      `INSERT INTO restructure_proposals (id, tenant_id, loan_id, status, effective_date, annual_rate_percent, installments, moratorium_installments, capitalise_arrears, note, preview, basis_seq, proposed_by, proposed_at, idempotency_key, request_hash)
       VALUES ($1, $2, $3, 'proposed', $4::date, $5, $6, $7, $8, $9, $10::jsonb, $11::bigint, $12, $13, $14, $15)`,
      [id, loan.tenantId, loan.id, r.ask.effectiveDate, r.ask.annualRatePercent, r.ask.installments, r.ask.moratoriumInstallments, r.ask.capitaliseArrears, r.note ?? null,
        JSON.stringify(computed.value.preview), computed.value.basisSeq.toString(), r.actor, now, r.idempotencyKey ?? null, r.requestHash]);
    const proposal = (await client.query<ProposalRow>(`${SELECT} WHERE p.id = $1`, [id])).rows[0]!;
    await appendAudit(client, {
      tenantId: loan.tenantId, id: deps.newId(), at: now, actor: r.actor, action: 'restructure.proposed', subject: `restructure-proposal/${id}`, requestId: r.requestId,
      before: null, after: { loanId: loan.id, ...r.ask, note: r.note ?? null, principal: computed.value.preview.principal, capitalised: computed.value.preview.capitalised },
    });
    return { ok: true, value: toProposal(proposal) };
  });
}

/**
 * A second person decides a proposal. Reject: the proposal is closed, nothing else changes. Approve, in ONE
 * transaction, on the effective date (the business date; earlier: proposal-not-effective): the proposal must still
 * be the loan's position (no transaction since, the effective date not past, the same preview recomputed), then a `restructure` transaction is stored (value date = the effective
 * date; the engine capitalises at the end of that day), the schedule in force is kept as a version and the
 * installments after the effective date replaced by the preview's, its terms kept for later prepayments, the
 * loan flagged restructured, the loan replayed from the effective date (ledger: the capitalised interest,
 * fees and penalties to loan-portfolio) and LoanRestructured put on the outbox. Both audited.
 * Failures, nothing written: loan-not-found, proposal-not-found (/params/proposalId), idempotency-key-reused,
 * proposal-decided, checker-is-maker, proposal-not-effective, proposal-stale, the propose failures the loan now meets, engine-refused.
 */
export async function decideRestructure(deps: ServicingDeps, r: DecideRequest): Promise<RestructureOutcome<RestructureProposal>> {
  const outcome = await inTransaction(deps.pool, async (client): Promise<RestructureOutcome<RestructureProposal>> => {
    const loan = await lockLoan(client, r.tenantId, r.loanId);
    if (!loan) return fail('loan-not-found', '/params/id', `No loan ${r.loanId} for this tenant.`);
    const row = (await client.query<ProposalRow>(`${SELECT} WHERE p.id = $1 AND p.tenant_id = $2 AND p.loan_id = $3 FOR UPDATE OF p`, [r.proposalId, r.tenantId, r.loanId])).rows[0];
    if (!row) return fail('proposal-not-found', '/params/proposalId', `No restructure proposal ${r.proposalId} on this loan.`);
    const p = toProposal(row);
    if (r.idempotencyKey && p.decisionIdempotencyKey === r.idempotencyKey) {
      if (p.decisionRequestHash !== r.requestHash) return fail('idempotency-key-reused', '/header/idempotency-key', 'already used with another request');
      return { ok: true, value: p, replayed: true };
    }
    if (p.status !== 'proposed') return fail('proposal-decided', '/params/proposalId', `The proposal was already ${p.status} by ${p.decidedBy}.`);
    if (p.proposedBy === r.actor) return fail('checker-is-maker', '/params/proposalId', `${p.proposedBy} proposed this restructure; a second person (approver or admin) must ${r.decision} it.`);
    const now = deps.now();
    let transactionId: string | null = null;
    if (r.decision === 'approve') {
      const applied = await apply(deps, client, loan, p, r);
      if (!applied.ok) return applied;
      transactionId = applied.value;
    }
    await client.query(
      `UPDATE restructure_proposals SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5, decision_idempotency_key = $6, decision_request_hash = $7, transaction_id = $8 WHERE id = $1`,
      [p.id, r.decision === 'approve' ? 'approved' : 'rejected', r.actor, now, r.note ?? null, r.idempotencyKey ?? null, r.requestHash, transactionId]);
    const saved = toProposal((await client.query<ProposalRow>(`${SELECT} WHERE p.id = $1`, [p.id])).rows[0]!);
    await appendAudit(client, {
      tenantId: loan.tenantId, id: deps.newId(), at: now, actor: r.actor, action: r.decision === 'approve' ? 'restructure.approved' : 'restructure.rejected', subject: `restructure-proposal/${p.id}`,
      requestId: r.requestId, before: { status: 'proposed', proposedBy: p.proposedBy }, after: { status: saved.status, loanId: loan.id, note: r.note ?? null, transactionId },
    });
    return { ok: true, value: saved };
  });
  if (outcome.ok && !outcome.replayed && outcome.value.status === 'approved') deps.onOutbox();
  return outcome;
}

/** The approval's writes (see decideRestructure): the restructure transaction's id, or why the proposal is stale. */
async function apply(deps: ServicingDeps, client: pg.PoolClient, loan: ServicedLoan, p: RestructureProposal, r: DecideRequest): Promise<RestructureOutcome<string>> {
  const ask: RestructureAsk = { annualRatePercent: p.annualRatePercent, installments: p.installments, moratoriumInstallments: p.moratoriumInstallments, capitaliseArrears: p.capitaliseArrears, effectiveDate: p.effectiveDate };
  const computed = await compute(deps, client, loan, ask);
  if (!computed.ok) return computed.error.code === 'restructure-effective-date' ? fail('proposal-stale', '/params/proposalId', computed.error.detail) : computed;
  const c = computed.value;
  // Approved on its effective date, never ahead of it: no transaction is ever dated after the business date
  // (end of day advances loans without reading their transactions), and none can arrive between approval and it.
  if (c.businessDate !== p.effectiveDate) return fail('proposal-not-effective', '/params/proposalId', `approve it on its effective date ${p.effectiveDate} (the business date is ${c.businessDate})`);
  if (c.basisSeq !== p.basisSeq) return fail('proposal-stale', '/params/proposalId', 'The loan has had a transaction since the proposal was made: propose again on its position now.');
  if (canonical(c.preview) !== canonical(p.preview)) return fail('proposal-stale', '/params/proposalId', 'The loan changed since the proposal was made (its schedule, product or position): propose again.');
  const tx = await insertTransaction(client, {
    id: deps.newId(), tenantId: loan.tenantId, loanId: loan.id, kind: 'restructure', valueDate: p.effectiveDate, amountMinor: BigInt(c.preview.principal), currency: loan.currency, scale: loan.scale,
    reason: p.capitaliseArrears ? 'capitalise' : 'keep-arrears', status: 'posted', requestHash: r.requestHash, createdBy: r.actor,
  });
  const rows = previewInstallments(c.preview);
  const version = await replaceSchedule(client, loan, c.schedule, c.preview.keptInstallments, rows, `restructure ${p.id} effective ${p.effectiveDate}`);
  await client.query(`INSERT INTO schedule_terms (loan_id, terms) VALUES ($1, $2::jsonb) ON CONFLICT (loan_id) DO UPDATE SET terms = EXCLUDED.terms, updated_at = now()`, [loan.id, JSON.stringify(c.preview.terms)]);
  await client.query('UPDATE loan_accounts SET restructured_on = $2::date WHERE id = $1', [loan.id, p.effectiveDate]);
  const replayed = await replayLoan(deps, client, {
    loan, businessDate: c.businessDate, transactions: [...c.transactions, tx], affectedFrom: p.effectiveDate, correlationId: r.requestId, notice: { kind: 'repayment-received', transaction: tx },
  });
  if (!replayed.ok) return fail('engine-refused', replayed.error.pointer, replayed.error.detail);
  const ctx: LifecycleContext = { tenantId: loan.tenantId, loanId: loan.id, currency: loan.currency, scale: loan.scale, correlationId: r.requestId, causationId: tx.id, occurredAt: deps.now().toISOString() };
  const m = (v: string) => wireMoney(ctx, BigInt(v));
  const first = c.preview.installments[0]!;
  const key = `restructure:${p.id}`;
  const event = sealed(loanRestructuredV1Schema, 'LoanRestructured', ctx, key, {
    loanId: loan.id, proposalId: p.id, transactionId: tx.id, effectiveDate: p.effectiveDate, annualRatePercent: p.annualRatePercent, installments: p.installments,
    moratoriumInstallments: p.moratoriumInstallments, capitaliseArrears: p.capitaliseArrears,
    capitalised: { interest: m(c.preview.capitalised.interest), fees: m(c.preview.capitalised.fees), penalties: m(c.preview.capitalised.penalties), principalRescheduled: m(c.preview.capitalised.principal) },
    principal: m(c.preview.principal), scheduleVersion: version,
    nextInstallment: { installmentNumber: first.number, dueDate: first.dueDate, total: m(first.total) },
    maturityDate: c.preview.installments.at(-1)!.dueDate, proposedBy: p.proposedBy, approvedBy: r.actor, businessDate: c.businessDate,
  });
  await enqueue(client, [{ id: event.id, key: loan.id, value: event }]);
  return { ok: true, value: tx.id };
}

/** JSON with object keys sorted (jsonb keeps its own key order): equal previews give equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

interface Computed {
  readonly preview: StoredPreview;
  readonly basisSeq: bigint;
  readonly businessDate: string;
  readonly transactions: LoanTransaction[];
  readonly schedule: NonNullable<Awaited<ReturnType<typeof scheduleOf>> extends Map<string, infer V> ? V : never>;
}

/** The loan's position at the end of the effective date and the preview built on it (the same for propose and approve). */
async function compute(deps: ServicingDeps, client: pg.PoolClient, loan: ServicedLoan, ask: RestructureAsk): Promise<RestructureOutcome<Computed>> {
  if (loan.status === 'pending-disbursement') return fail('loan-not-disbursed', '/params/id', 'The loan has not been disbursed yet.');
  if (loan.status === 'closed') return fail('loan-closed', '/params/id', 'The loan is closed.');
  if (loan.status === 'charged-off') return fail('loan-charged-off', '/params/id', 'The loan is charged off.');
  const businessDate = loan.businessDate ?? (await businessDateOf(client, loan.tenantId, deps.today));
  if (ask.effectiveDate < businessDate) return fail('restructure-effective-date', '/effectiveDate', `must be on or after the business date ${businessDate}`);
  const transactions = await transactionsOf(client, loan.id, { allocations: false });
  const later = transactions.find((t) => t.valueDate >= ask.effectiveDate && t.kind === 'restructure');
  if (later) return fail('restructure-effective-date', '/effectiveDate', `must be after ${later.valueDate}, the effective date of the loan's last restructure`);
  const schedule = (await scheduleOf(client, [loan.id])).get(loan.id) ?? [];
  const terms = await currentTerms(client, loan);
  if (!terms) return fail('restructure-not-supported', '/params/id', 'the loan was booked without its terms: its schedule cannot be re-amortised');
  const definition = await productDefinition(client, loan.tenantId, loan.productCode, loan.productVersion);
  const run = replayAccount({ schedule: engineSchedule(schedule), product: definition ? toAccountProduct(definition) : DEFAULT_ACCOUNT_PRODUCT, events: engineEvents(transactions), businessDate: parseIsoDate(ask.effectiveDate) });
  if (!run.ok) return fail('engine-refused', '/', `${run.error.code}: ${run.error.message}`);
  const state: AccountState = run.value.state;
  const preview = previewRestructure(ask, terms, schedule.map((i) => i.dueDate), state);
  if (!preview.ok) return fail(preview.error.code, preview.error.pointer, preview.error.detail);
  const basisSeq = transactions.reduce((m, t) => (t.seq > m ? t.seq : m), 0n);
  return { ok: true, value: { preview: previewJson(preview.value, termsToJson(preview.value.terms)), basisSeq, businessDate, transactions, schedule } };
}

const SELECT = `SELECT p.id, p.tenant_id, p.loan_id, p.status, to_char(p.effective_date, 'YYYY-MM-DD') AS effective_date, p.annual_rate_percent, p.installments, p.moratorium_installments,
  p.capitalise_arrears, p.note, p.preview, p.basis_seq::text AS basis_seq, p.proposed_by, p.proposed_at, p.decided_by, p.decided_at, p.decision_note, p.transaction_id::text AS transaction_id,
  p.request_hash, p.decision_idempotency_key, p.decision_request_hash, a.currency, a.scale
  FROM restructure_proposals p JOIN loan_accounts a ON a.id = p.loan_id`;

interface ProposalRow {
  id: string; tenant_id: string; loan_id: string; status: RestructureProposal['status']; effective_date: string; annual_rate_percent: string; installments: number; moratorium_installments: number;
  capitalise_arrears: boolean; note: string | null; preview: StoredPreview; basis_seq: string; proposed_by: string; proposed_at: Date; decided_by: string | null; decided_at: Date | null;
  decision_note: string | null; transaction_id: string | null; request_hash: string; decision_idempotency_key: string | null; decision_request_hash: string | null; currency: string; scale: number;
}

const toProposal = (r: ProposalRow): RestructureProposal => ({
  id: r.id, tenantId: r.tenant_id, loanId: r.loan_id, status: r.status, effectiveDate: r.effective_date, annualRatePercent: r.annual_rate_percent, installments: r.installments,
  moratoriumInstallments: r.moratorium_installments, capitaliseArrears: r.capitalise_arrears, note: r.note, preview: r.preview, basisSeq: BigInt(r.basis_seq), proposedBy: r.proposed_by,
  proposedAt: r.proposed_at, decidedBy: r.decided_by, decidedAt: r.decided_at, decisionNote: r.decision_note, transactionId: r.transaction_id, currency: r.currency, scale: r.scale,
  requestHash: r.request_hash, decisionIdempotencyKey: r.decision_idempotency_key, decisionRequestHash: r.decision_request_hash,
});

/** One proposal of a tenant's loan (GET). */
export async function proposalById(pool: pg.Pool, tenantId: string, loanId: string, id: string): Promise<RestructureProposal | undefined> {
  const row = (await pool.query<ProposalRow>(`${SELECT} WHERE p.id = $1 AND p.tenant_id = $2 AND p.loan_id = $3`, [id, tenantId, loanId])).rows[0];
  return row ? toProposal(row) : undefined;
}

/** The checkers' queue: the tenant's open proposals, oldest first, keyset paged by (proposed_at, id); at most limit + 1 rows. */
export async function openProposals(pool: pg.Pool, tenantId: string, q: { limit: number; after?: { at: string; id: string } }): Promise<RestructureProposal[]> {
  const rows = await pool.query<ProposalRow>(
    `${SELECT} WHERE p.tenant_id = $1 AND p.status = 'proposed' AND ($2::timestamptz IS NULL OR (p.proposed_at, p.id) > ($2::timestamptz, $3::uuid)) ORDER BY p.proposed_at, p.id LIMIT $4`,
    [tenantId, q.after?.at ?? null, q.after?.id ?? null, q.limit + 1]);
  return rows.rows.map(toProposal);
}
