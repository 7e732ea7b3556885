/**
 * What a collector records on a loan (a call outcome, a promise to pay, a field visit, a hardship hold, a
 * dispute), stored first and then sent to the loan's collections workflow as a `collectorAction` signal named by
 * the action id. Idempotent per (tenant, Idempotency-Key). A signal Temporal did not take (it is down) stays
 * unsignalled in the table and the waker sends it on its next round, so no recorded action is lost.
 */
import { positiveMoneySchema, type Money } from '@lendstack/contracts';
import { loanDateString } from '@lendstack/loan-engine';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type pg from 'pg';
import { z } from 'zod';
import { collectionsWorkflowId } from '../../loans/domain/loan-account.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { requestHash } from '../../servicing/domain/servicing.js';
import { addDays } from '../domain/collection-plan.js';
import type { CollectorSignal } from '../domain/collector.js';
import { collectorActionSignal } from '../workflows/collections.workflow.js';

const notes = z.string().min(1).max(500).optional();

export const CALL_OUTCOMES = ['no-answer', 'left-message', 'spoke-with-borrower', 'wrong-number', 'refused-to-pay', 'callback-requested'] as const;
export const VISIT_OUTCOMES = ['met-borrower', 'not-at-address', 'premises-locked', 'refused-to-pay'] as const;
/** The longest promise and hold a collector may record, in days after the business date. */
export const MAX_PROMISE_DAYS = 90;
export const MAX_HOLD_DAYS = 180;

export const collectorActionBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('call-outcome'), outcome: z.enum(CALL_OUTCOMES), notes }).strict(),
  z.object({ kind: z.literal('promise-to-pay'), payBy: loanDateString, amount: positiveMoneySchema, notes }).strict(),
  z.object({ kind: z.literal('field-visit'), outcome: z.enum(VISIT_OUTCOMES), notes }).strict(),
  z.object({ kind: z.literal('hardship-hold'), until: loanDateString, reason: z.string().min(1).max(500) }).strict(),
  z.object({ kind: z.literal('hold-lifted'), notes }).strict(),
  z.object({ kind: z.literal('dispute-opened'), reason: z.string().min(1).max(500) }).strict(),
  z.object({ kind: z.literal('dispute-resolved'), notes }).strict(),
]);
export type CollectorActionBody = z.infer<typeof collectorActionBody>;

export interface CollectorActionView {
  readonly id: string;
  readonly loanId: string;
  readonly kind: CollectorActionBody['kind'];
  readonly details: Record<string, unknown>;
  readonly businessDate: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
  /** Promise to pay: null while open, then kept or broken. */
  readonly status: string | null;
  readonly signalled: boolean;
}

export type RecordActionOutcome =
  | { readonly ok: true; readonly action: CollectorActionView; readonly replayed: boolean }
  | { readonly ok: false; readonly status: 404 | 409 | 422; readonly code: string; readonly detail: string; readonly pointer: string };

interface ActionRow { id: string; loan_id: string; kind: CollectorActionBody['kind']; details: Record<string, unknown>; business_date: string; recorded_by: string; recorded_at: Date; status: string | null; signalled_at: Date | null; request_hash: string }

const COLUMNS = `id, loan_id, kind, details, to_char(business_date, 'YYYY-MM-DD') AS business_date, recorded_by, recorded_at, status, signalled_at, request_hash`;

const view = (r: ActionRow): CollectorActionView => ({
  id: r.id, loanId: r.loan_id, kind: r.kind, details: r.details, businessDate: r.business_date, recordedBy: r.recorded_by, recordedAt: r.recorded_at.toISOString(), status: r.status, signalled: r.signalled_at !== null,
});

/** The workflow signal of a stored action. */
export function signalOf(r: { id: string; kind: CollectorActionBody['kind']; details: Record<string, unknown>; business_date: string }): CollectorSignal {
  const d = r.details;
  switch (r.kind) {
    case 'promise-to-pay':
      return { kind: 'promise-to-pay', actionId: r.id, madeOn: r.business_date, payBy: String(d['payBy']), amount: d['amount'] as Money };
    case 'hardship-hold':
      return { kind: 'hardship-hold', actionId: r.id, until: String(d['until']), reason: String(d['reason']) };
    case 'hold-lifted':
      return { kind: 'hold-lifted', actionId: r.id };
    case 'dispute-opened':
      return { kind: 'dispute-opened', actionId: r.id, openedOn: r.business_date, reason: String(d['reason']) };
    case 'dispute-resolved':
      return { kind: 'dispute-resolved', actionId: r.id };
    case 'call-outcome':
    case 'field-visit':
      return { kind: 'contact-recorded', actionId: r.id, outcome: `${r.kind}:${String(d['outcome'])}` };
  }
}

export interface CollectorActionDeps {
  readonly pool: pg.Pool;
  readonly temporal: () => Client | undefined;
  readonly newId: () => string;
  readonly now: () => Date;
}

export async function recordCollectorAction(deps: CollectorActionDeps, input: { tenantId: string; loanId: string; actor: string; idempotencyKey: string; body: CollectorActionBody }): Promise<RecordActionOutcome> {
  const hash = requestHash(['collector-action', input.loanId, input.body]);
  const stored = await inTransaction<RecordActionOutcome>(deps.pool, async (client) => {
    const existing = (await client.query<ActionRow>(`SELECT ${COLUMNS} FROM collections_actions WHERE tenant_id = $1 AND idempotency_key = $2`, [input.tenantId, input.idempotencyKey])).rows[0];
    if (existing) {
      if (existing.request_hash !== hash || existing.loan_id !== input.loanId) return { ok: false, status: 422, code: 'idempotency-key-reused', detail: 'This Idempotency-Key was used for another request.', pointer: '/header/idempotency-key' };
      return { ok: true, action: view(existing), replayed: true };
    }
    const loan = (await client.query<{ currency: string; scale: number; status: string | null; business_date: string | null }>(
      `SELECT l.currency, l.scale, s.status, to_char(b.business_date, 'YYYY-MM-DD') AS business_date
       FROM loan_accounts l LEFT JOIN loan_servicing s ON s.loan_id = l.id LEFT JOIN business_dates b ON b.tenant_id = l.tenant_id
       WHERE l.id = $1 AND l.tenant_id = $2 FOR SHARE OF l`, [input.loanId, input.tenantId])).rows[0];
    if (!loan) return { ok: false, status: 404, code: 'not-found', detail: `No loan ${input.loanId} for this tenant.`, pointer: '/params/id' };
    if (loan.status === 'closed' || loan.status === 'charged-off') {
      return { ok: false, status: 409, code: 'loan-not-in-collection', detail: `The loan is ${loan.status}: its collector has stopped and takes no actions.`, pointer: '/params/id' };
    }
    const today = loan.business_date ?? deps.now().toISOString().slice(0, 10);
    const refused = validate(input.body, today, loan);
    if (refused) return refused;
    const row = (await client.query<ActionRow>(
      `INSERT INTO collections_actions (id, tenant_id, loan_id, kind, details, business_date, recorded_by, recorded_at, idempotency_key, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [deps.newId(), input.tenantId, input.loanId, input.body.kind, JSON.stringify(input.body), today, input.actor, deps.now(), input.idempotencyKey, hash],
    )).rows[0]!;
    await client.query('UPDATE collections_cases SET last_action_at = $3, updated_at = now() WHERE tenant_id = $1 AND loan_id = $2', [input.tenantId, input.loanId, deps.now()]);
    return { ok: true, action: view(row), replayed: false };
  });
  if (!stored.ok || stored.action.signalled) return stored;
  const signalled = await sendSignal(deps, { id: stored.action.id, loan_id: stored.action.loanId, kind: stored.action.kind, details: stored.action.details, business_date: stored.action.businessDate });
  return { ...stored, action: { ...stored.action, signalled } };
}

function validate(body: CollectorActionBody, today: string, loan: { currency: string; scale: number }): RecordActionOutcome | undefined {
  const refuse = (detail: string, pointer: string): RecordActionOutcome => ({ ok: false, status: 422, code: 'collector-action-refused', detail, pointer });
  if (body.kind === 'promise-to-pay') {
    if (body.amount.currency !== loan.currency || body.amount.scale !== loan.scale) return refuse(`the loan is in ${loan.currency} with scale ${loan.scale}`, '/amount/currency');
    if (body.payBy < today) return refuse(`payBy is before the business date ${today}`, '/payBy');
    if (body.payBy > addDays(today, MAX_PROMISE_DAYS)) return refuse(`a promise runs at most ${MAX_PROMISE_DAYS} days after the business date ${today}`, '/payBy');
  }
  if (body.kind === 'hardship-hold') {
    if (body.until < today) return refuse(`until is before the business date ${today}`, '/until');
    if (body.until > addDays(today, MAX_HOLD_DAYS)) return refuse(`a hardship hold runs at most ${MAX_HOLD_DAYS} days after the business date ${today}`, '/until');
  }
  return undefined;
}

/** Signals one stored action to its loan's workflow; true when Temporal took it (or the workflow has ended). */
async function sendSignal(deps: Pick<CollectorActionDeps, 'pool' | 'temporal'>, row: { id: string; loan_id: string; kind: CollectorActionBody['kind']; details: Record<string, unknown>; business_date: string }): Promise<boolean> {
  const temporal = deps.temporal();
  if (!temporal) return false;
  try {
    await temporal.workflow.getHandle(collectionsWorkflowId(row.loan_id)).signal(collectorActionSignal, signalOf(row));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) return false;
  }
  await deps.pool.query('UPDATE collections_actions SET signalled_at = now() WHERE id = $1', [row.id]);
  return true;
}

/**
 * Sends the actions Temporal did not take when they were recorded, oldest first, of the tenants whose id starts with
 * `tenantPrefix` (all: null), as the waker. Returns how many it sent.
 */
export async function resendPendingActions(deps: Pick<CollectorActionDeps, 'pool' | 'temporal'>, limit = 200, tenantPrefix: string | null = null): Promise<number> {
  const rows = await deps.pool.query<ActionRow>(
    `SELECT ${COLUMNS} FROM collections_actions WHERE signalled_at IS NULL AND ($2::text IS NULL OR left(tenant_id, length($2)) = $2) ORDER BY recorded_at, id LIMIT $1`,
    [limit, tenantPrefix]);
  let sent = 0;
  for (const row of rows.rows) if (await sendSignal(deps, row)) sent += 1;
  return sent;
}

export async function actionsOfLoan(db: pg.Pool, tenantId: string, loanId: string, limit: number): Promise<CollectorActionView[]> {
  const rows = await db.query<ActionRow>(`SELECT ${COLUMNS} FROM collections_actions WHERE tenant_id = $1 AND loan_id = $2 ORDER BY recorded_at DESC, id DESC LIMIT $3`, [tenantId, loanId, limit]);
  return rows.rows.map(view);
}
