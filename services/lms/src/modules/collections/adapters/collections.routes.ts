import { randomUUID } from 'node:crypto';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { appendAudit } from '../../audit/adapters/pg-audit-log.js';
import { collectionsWorkflowId } from '../../loans/domain/loan-account.js';
import { collectionScheduleSchema } from '../domain/collection-plan.js';
import { actionsOfLoan, collectorActionBody, recordCollectorAction, type CollectorActionDeps } from '../use-cases/collector-actions.js';
import { collectionsStateQuery } from '../workflows/collections.workflow.js';
import { saveSchedule, scheduleOf } from './collector.repository.js';

export interface CollectionsRoutesDeps extends CollectorActionDeps {
  readonly authSecret: string;
  /** The Temporal UI base URL, for the workflow link a loan's collections view carries. */
  readonly temporalUiUrl?: string;
  readonly namespace?: string;
}

const loanParams = z.object({ id: z.string().min(1).max(64) }).strict();
const productParams = z.object({ code: z.string().min(1).max(64) }).strict();
const probabilityParam = z.string().regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, 'a probability from 0 to 1, at most four places');
const queueQuery = z.object({
  queue: z.string().min(1).max(32).optional(),
  sort: z.enum(['priority', 'early-warning']).default('priority').describe('priority: priority, then DPD at escalation, then loan id; early-warning: the latest NPA early-warning probability, riskiest first, unscored last, then loan id'),
  minProbability: probabilityParam.optional().describe('Only cases whose latest early-warning probability is at least this (unscored cases are left out)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
}).strict();
const cursorSchema = z.union([
  z.object({ priority: z.number().int(), dpd: z.number().int(), loanId: z.string().min(1).max(64) }).strict(),
  // The probability as the column holds it (four places), '-1' for an unscored case.
  z.object({ sort: z.literal('early-warning'), p: z.string().regex(/^(-1|[01]\.\d{4})$/), loanId: z.string().min(1).max(64) }).strict(),
]);
type Cursor = z.infer<typeof cursorSchema>;

const problems = {
  400: { description: 'Invalid request (problem+json naming the field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the role' },
  404: { description: 'No such loan (or product) for this tenant' },
};

/** The collector's work: the queue, a loan's collections view and actions, and each product's contact schedule. */
export async function collectionsRoutes(app: FastifyInstance, deps: CollectionsRoutesDeps): Promise<void> {
  app.get('/v1/collections/queue', {
    schema: {
      tags: ['collections'], summary: 'Loans needing a human, highest priority first (operator)',
      description: 'Open collection cases, opened by each loan\'s collections workflow when DPD reaches a queue threshold of the product\'s schedule (default: early at 30, late at 60, recovery at 90), ordered by priority, then DPD at escalation, then loan id (`sort=priority`), or by the loan\'s latest NPA early-warning probability, riskiest first, unscored last, then loan id (`sort=early-warning`). Each case carries the loan\'s latest NPA early-warning score (`earlyWarning`: probability of 90+ DPD within 90 days, four places, whether it is over the model threshold, its business date and model; null before the first end-of-day score) and its latest `npaRisk` flag (raised by the collector on an early warning: business date, probability, model; null when none). Filter by `queue` and `minProbability`; keyset-paged (`nextCursor`, valid for the same sort). A case closes when the loan is current again, closed or charged off.',
      querystring: schemaDoc(queueQuery), response: { 200: { description: '`{ items, nextCursor }`' }, ...problems, 422: { description: 'A cursor not from a previous page of the same sort' } },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const query = parseOr400(queueQuery, request.query, 'query');
    const after = query.cursor ? decodeCursor(query.cursor, query.sort) : null;
    const byRisk = query.sort === 'early-warning';
    const keyset = byRisk
      ? `($5::numeric IS NULL OR COALESCE(c.early_warning_probability, -1) < $5::numeric OR (COALESCE(c.early_warning_probability, -1) = $5::numeric AND c.loan_id > $6))`
      : `($5::int IS NULL OR c.priority < $5 OR (c.priority = $5 AND (c.dpd < $6::int OR (c.dpd = $6::int AND c.loan_id > $7))))`;
    const order = byRisk ? 'COALESCE(c.early_warning_probability, -1) DESC, c.loan_id' : 'c.priority DESC, c.dpd DESC, c.loan_id';
    const keysetParams = byRisk
      ? [after && 'p' in after ? after.p : null, after?.loanId ?? null]
      : [after && 'priority' in after ? after.priority : null, after && 'dpd' in after ? after.dpd : null, after?.loanId ?? null];
    const params = [principal.tenantId, query.queue ?? null, query.limit + 1, query.minProbability ?? null, ...keysetParams];
    const rows = await deps.pool.query<QueueRow>(
      `SELECT c.loan_id, c.queue, c.priority, c.dpd, to_char(c.opened_on, 'YYYY-MM-DD') AS opened_on, to_char(c.escalated_on, 'YYYY-MM-DD') AS escalated_on, c.last_action_at,
              to_char(COALESCE(c.early_warning_probability, -1), 'FM0.0000') AS sort_p,
              s.dpd AS current_dpd, s.us_bucket, s.rbi_class, s.state->'balances'->>'totalDueNow' AS total_due, l.currency, l.scale,
              (SELECT a.details FROM collections_actions a WHERE a.tenant_id = c.tenant_id AND a.loan_id = c.loan_id AND a.kind = 'promise-to-pay' AND a.status IS NULL
               ORDER BY a.recorded_at DESC LIMIT 1) AS open_promise,
              (SELECT json_build_object('probability', to_char(e.probability, 'FM0.0000'), 'flagged', e.flagged, 'asOf', to_char(e.as_of, 'YYYY-MM-DD'), 'model', e.model_version)
                 FROM early_warning_scores e WHERE e.loan_id = c.loan_id ORDER BY e.as_of DESC LIMIT 1) AS early_warning,
              (SELECT json_build_object('businessDate', to_char(f.business_date, 'YYYY-MM-DD'), 'probability', to_char(f.probability, 'FM0.0000'), 'model', f.model, 'raisedAt', f.raised_at)
                 FROM collections_flags f WHERE f.loan_id = c.loan_id AND f.flag = 'npa-risk' ORDER BY f.business_date DESC LIMIT 1) AS npa_risk
       FROM collections_cases c JOIN loan_accounts l ON l.id = c.loan_id LEFT JOIN loan_servicing s ON s.loan_id = c.loan_id
       WHERE c.tenant_id = $1 AND c.status = 'open' AND ($2::text IS NULL OR c.queue = $2)
         AND ($4::numeric IS NULL OR c.early_warning_probability >= $4::numeric)
         AND ${keyset}
       ORDER BY ${order} LIMIT $3`,
      params,
    );
    const items = rows.rows.slice(0, query.limit).map((r) => ({
      loanId: r.loan_id, queue: r.queue, priority: r.priority, dpdAtEscalation: r.dpd, openedOn: r.opened_on, escalatedOn: r.escalated_on,
      lastActionAt: r.last_action_at?.toISOString() ?? null,
      delinquency: { dpd: r.current_dpd ?? r.dpd, bucket: r.us_bucket, rbiClass: r.rbi_class },
      totalDueNow: { amount: r.total_due ?? '0', currency: r.currency, scale: r.scale },
      openPromise: r.open_promise ?? null,
      earlyWarning: r.early_warning ?? null,
      npaRisk: r.npa_risk ?? null,
    }));
    const last = rows.rows.length > query.limit ? rows.rows[query.limit - 1] : undefined;
    const cursor: Cursor | null = !last ? null : byRisk ? { sort: 'early-warning', p: last.sort_p === '-1.0000' ? '-1' : last.sort_p, loanId: last.loan_id } : { priority: last.priority, dpd: last.dpd, loanId: last.loan_id };
    return { items, nextCursor: cursor ? encodeCursor(cursor) : null };
  });

  app.post('/v1/loans/:id/collections/actions', {
    schema: {
      headers: idempotencyKeyHeaderDoc({ required: true }),
      tags: ['collections'], summary: 'Record a collector action and tell the loan\'s collector (operator)',
      description: 'One of `call-outcome`, `promise-to-pay` (reminders pause until `payBy`; a promise not met then is broken: flagged, and contacts resume), `field-visit`, `hardship-hold` (everything pauses until `until`), `hold-lifted`, `dispute-opened` (the collector stops until resolved), `dispute-resolved`. Stored, then sent to the loan\'s collections workflow as a signal (resent later if Temporal is unavailable: `signalled` false). Requires `Idempotency-Key`. 409 for a closed or charged-off loan.',
      params: schemaDoc(loanParams), body: schemaDoc(collectorActionBody),
      response: { 201: { description: 'The action recorded' }, 200: { description: 'The action recorded earlier under this Idempotency-Key' }, 409: { description: 'The loan is closed or charged off' }, 422: { description: 'A date out of range, another currency, or the Idempotency-Key reused with another body' }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const body = parseOr400(collectorActionBody, request.body, 'body');
    const result = await recordCollectorAction(deps, { tenantId: principal.tenantId, loanId: id, actor: principal.subject, idempotencyKey: key, body });
    if (!result.ok) throw new HttpProblem(result.status, result.code, result.status === 404 ? 'Loan not found' : 'Action refused', result.detail, { errors: [{ pointer: result.pointer, detail: result.detail }] });
    return reply.status(result.replayed ? 200 : 201).send(result.action);
  });

  app.get('/v1/loans/:id/collections', {
    schema: {
      tags: ['collections'], summary: "A loan's collection timeline and its collector's state (operator)",
      description: 'Contacts (sent and blocked, with the rule), auto-debit presentments and their results, collector actions, flags and the queue case, newest first (the latest 50 of each), with what the collections workflow knows (null when Temporal is unavailable) and a link to it in the Temporal UI.',
      params: schemaDoc(loanParams), response: { 200: { description: '`{ loanId, case, schedule, nextWakeOn, workflow, timeline }`' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { id } = parseOr400(loanParams, request.params, 'params');
    const loan = (await deps.pool.query<{ product_code: string | null }>('SELECT product_code FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [id, principal.tenantId])).rows[0];
    if (!loan) throw notFound(id);
    return collectionsView(deps, principal.tenantId, id, loan.product_code);
  });

  app.get('/v1/collections/schedules/:code', {
    schema: { tags: ['collections'], summary: "A product's collection schedule (operator)", description: 'Pre-due reminders, whether the auto-debit is presented on the due date, follow-ups while unpaid and the escalation queues by DPD. A product with none stored uses the default (`stored: false`).', params: schemaDoc(productParams), response: { 200: { description: '`{ productCode, stored, schedule }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'operator');
    const { code } = parseOr400(productParams, request.params, 'params');
    await productMustExist(deps.pool, principal.tenantId, code);
    const stored = (await deps.pool.query('SELECT 1 FROM collection_schedules WHERE tenant_id = $1 AND product_code = $2', [principal.tenantId, code])).rowCount === 1;
    return { productCode: code, stored, schedule: await scheduleOf(deps.pool, principal.tenantId, code) };
  });

  app.put('/v1/collections/schedules/:code', {
    schema: { tags: ['collections'], summary: "Set a product's collection schedule (admin)", description: 'Data, not code: every loan of the product follows it from its next pass. Offsets must be unique per channel and escalation thresholds must rise. Setting the same schedule again changes nothing.', params: schemaDoc(productParams), body: schemaDoc(collectionScheduleSchema), response: { 200: { description: '`{ productCode, stored: true, schedule }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const { code } = parseOr400(productParams, request.params, 'params');
    const schedule = parseOr400(collectionScheduleSchema, request.body, 'body');
    await productMustExist(deps.pool, principal.tenantId, code);
    // The change and its audit entry commit together (appendAudit last: it holds the tenant's chain head to commit).
    const client = await deps.pool.connect();
    try {
      await client.query('BEGIN');
      const before = (await client.query<{ schedule: unknown }>('SELECT schedule FROM collection_schedules WHERE tenant_id = $1 AND product_code = $2 FOR UPDATE', [principal.tenantId, code])).rows[0]?.schedule ?? null;
      await saveSchedule(client, { tenantId: principal.tenantId, productCode: code, schedule, updatedBy: principal.subject });
      await appendAudit(client, { tenantId: principal.tenantId, id: randomUUID(), at: deps.now(), actor: principal.subject, action: 'collections-schedule.set', subject: `product/${code}`, requestId: request.id, before, after: schedule });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return { productCode: code, stored: true, schedule };
  });
}

type TimelineEntry = { at: string; kind: string } & Record<string, unknown>;

async function collectionsView(deps: CollectionsRoutesDeps, tenantId: string, loanId: string, productCode: string | null) {
  const pool = deps.pool;
  const [caseRow, wake, contacts, presentments, flags, actions, schedule] = await Promise.all([
    pool.query(`SELECT queue, priority, dpd, status, to_char(opened_on, 'YYYY-MM-DD') AS "openedOn", to_char(escalated_on, 'YYYY-MM-DD') AS "escalatedOn", to_char(closed_on, 'YYYY-MM-DD') AS "closedOn", close_reason AS "closeReason" FROM collections_cases WHERE tenant_id = $1 AND loan_id = $2`, [tenantId, loanId]),
    pool.query<{ wake_on: string }>(`SELECT to_char(wake_on, 'YYYY-MM-DD') AS wake_on FROM collections_wakeups WHERE loan_id = $1`, [loanId]),
    pool.query<{ attempted_at: Date; purpose: string; slot: string; channel: string; outcome: string; rule: string | null; template_key: string | null }>(
      'SELECT attempted_at, purpose, slot, channel, outcome, rule, template_key FROM contact_attempts WHERE tenant_id = $1 AND loan_id = $2 ORDER BY attempted_at DESC, id DESC LIMIT 50', [tenantId, loanId]),
    pool.query<{ id: string; installment_number: number; attempt: number; status: string; return_code: string | null; amount_minor: string; currency: string; scale: number; effective_date: string; updated_at: Date }>(
      `SELECT id, installment_number, attempt, status, return_code, amount_minor::text, currency, scale, to_char(effective_date, 'YYYY-MM-DD') AS effective_date, updated_at
       FROM autodebit_presentments WHERE tenant_id = $1 AND loan_id = $2 ORDER BY effective_date DESC, attempt DESC LIMIT 50`, [tenantId, loanId]),
    pool.query<{ flag: string; detail: string; business_date: string; raised_at: Date; dpd: number; probability: string | null; model: string | null }>(`SELECT flag, detail, to_char(business_date, 'YYYY-MM-DD') AS business_date, raised_at, dpd, to_char(probability, 'FM0.0000') AS probability, model FROM collections_flags WHERE tenant_id = $1 AND loan_id = $2 ORDER BY raised_at DESC LIMIT 50`, [tenantId, loanId]),
    actionsOfLoan(pool, tenantId, loanId, 50),
    productCode ? scheduleOf(pool, tenantId, productCode) : Promise.resolve(null),
  ]);
  const timeline: TimelineEntry[] = [
    ...contacts.rows.map((c) => ({ at: c.attempted_at.toISOString(), kind: 'contact', purpose: c.purpose, slot: c.slot, channel: c.channel, templateKey: c.template_key, outcome: c.outcome, rule: c.rule })),
    ...presentments.rows.map((p) => ({ at: p.updated_at.toISOString(), kind: 'presentment', presentmentId: p.id, installmentNumber: p.installment_number, attempt: p.attempt, effectiveDate: p.effective_date, status: p.status, returnCode: p.return_code, amount: { amount: p.amount_minor, currency: p.currency, scale: p.scale } })),
    ...flags.rows.map((f) => ({ at: f.raised_at.toISOString(), kind: 'flag', flag: f.flag, businessDate: f.business_date, dpd: f.dpd, detail: f.detail, ...(f.probability ? { probability: f.probability, model: f.model } : {}) })),
    ...actions.map((a) => ({ at: a.recordedAt, kind: 'action', action: a.kind, businessDate: a.businessDate, recordedBy: a.recordedBy, details: a.details, status: a.status })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const workflowId = collectionsWorkflowId(loanId);
  let workflow: unknown = null;
  const temporal = deps.temporal();
  if (temporal) {
    try {
      workflow = await temporal.workflow.getHandle(workflowId).query(collectionsStateQuery);
    } catch {
      workflow = null;
    }
  }
  return {
    loanId,
    case: caseRow.rows[0] ?? null,
    schedule,
    nextWakeOn: wake.rows[0]?.wake_on ?? null,
    workflow: { workflowId, state: workflow, ...(deps.temporalUiUrl ? { url: `${deps.temporalUiUrl}/namespaces/${deps.namespace ?? 'default'}/workflows/${workflowId}` } : {}) },
    timeline,
  };
}

const notFound = (loanId: string) => new HttpProblem(404, 'not-found', 'Loan not found', `No loan ${loanId} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such loan' }] });

async function productMustExist(pool: pg.Pool, tenantId: string, code: string): Promise<void> {
  if ((await pool.query('SELECT 1 FROM products WHERE tenant_id = $1 AND code = $2', [tenantId, code])).rowCount === 0) {
    throw new HttpProblem(404, 'not-found', 'Product not found', `No product ${code} for this tenant.`, { errors: [{ pointer: '/params/code', detail: 'no such product' }] });
  }
}

interface QueueRow {
  loan_id: string; queue: string; priority: number; dpd: number; opened_on: string; escalated_on: string; last_action_at: Date | null; sort_p: string;
  current_dpd: number | null; us_bucket: string | null; rbi_class: string | null; total_due: string | null; currency: string; scale: number;
  open_promise: unknown; early_warning: unknown; npa_risk: unknown;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/** A cursor of a previous page of the same sort (a priority cursor has no `sort`: the form from before sorting by risk). */
function decodeCursor(cursor: string, sort: 'priority' | 'early-warning'): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success || ('sort' in result.data ? result.data.sort : 'priority') !== sort) throw new HttpProblem(422, 'unknown-cursor', 'Cursor not recognised', 'cursor is not one from a previous page', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor from a previous page of this sort' }] });
  return result.data;
}

