import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ServicingDeps } from '../../servicing/use-cases/apply-money-event.js';
import { COLUMNS } from '../domain/repayment-row.js';
import { acceptRepaymentFile } from '../use-cases/accept-file.js';
import type { RepaymentFileRunner } from './repayment-file-runner.js';
import { fileById, pageRows, rowCounts, type RepaymentFile, type StoredRow } from './repayment-files.repository.js';
import type pg from 'pg';

export interface RepaymentFileRoutesDeps extends ServicingDeps {
  readonly authSecret: string;
  readonly runner: RepaymentFileRunner;
  /** The largest file accepted (bytes); default 20 MB. */
  readonly maxFileBytes?: number;
}

const params = z.object({ id: z.uuid() }).strict();
const rowsQuery = z.object({
  status: z.enum(['pending', 'posted', 'failed', 'duplicate']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d{1,9}$/, 'not a cursor from a previous page').optional(),
}).strict();
const ROLES = ['partner', 'operator'] as const;

const problems = {
  400: { description: 'Invalid header or query (problem+json naming it)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'Needs the partner or operator role' },
  404: { description: 'No such file for this tenant' },
};

/**
 * Bulk repayments: POST /v1/repayment-files (text/csv) → 202 and the file processed in the
 * background; GET …/{id} for its progress and GET …/{id}/rows for each row's outcome.
 */
export async function repaymentFileRoutes(app: FastifyInstance, deps: RepaymentFileRoutesDeps): Promise<void> {
  const bodyLimit = deps.maxFileBytes ?? 20 * 1024 * 1024;
  // Scoped to this plugin: only these routes take CSV. The bytes are hashed whole (idempotency and
  // duplicate files), then stream-parsed in chunks: the body is bounded by bodyLimit, the rows never
  // become one array.
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.post('/v1/repayment-files', {
    bodyLimit,
    schema: {
      tags: ['servicing'], summary: 'Upload a file of repayments (partner or operator)',
      description: `\`text/csv\`, UTF-8, header required: \`${COLUMNS.join(',')}\` (any order); amount in minor units. Rows are stored, then posted in the background through the single-repayment use case; poll the Location. \`Idempotency-Key\`: the same key and bytes return the same file, other bytes 422. The same bytes uploaded again under another key are refused (409 naming the earlier file).`,
      headers: idempotencyKeyHeaderDoc(),
      body: { content: { 'text/csv': { schema: { type: 'string', description: `UTF-8 CSV with the header ${COLUMNS.join(',')}` } } } },
      response: { 202: { description: '`{ id, status, progress }`' }, ...problems, 409: { description: 'The same file was uploaded before (`duplicateOf`)' }, 413: { description: 'Larger than the limit' }, 415: { description: 'Not text/csv' }, 422: { description: 'Header missing or not the seven columns, too many rows, or Idempotency-Key reused with other bytes' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, [...ROLES]);
    if (!Buffer.isBuffer(request.body)) throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'The body must be text/csv.', { errors: [{ pointer: '/header/content-type', detail: 'must be text/csv' }] });
    const key = idempotencyKeyOf(request.headers);
    const result = await acceptRepaymentFile(deps, { tenantId: principal.tenantId, actor: principal.subject, body: request.body, ...(key ? { idempotencyKey: key } : {}) });
    if (!result.ok) {
      const status = result.error === 'duplicate-file' ? 409 : 422;
      const pointer = result.error === 'idempotency-key-reused' ? '/header/idempotency-key' : '/body';
      throw new HttpProblem(status, result.error, 'Repayment file refused', result.detail, {
        errors: [{ pointer, detail: result.detail, ...(result.rowError ? { field: result.rowError.field, rule: result.rowError.rule } : {}) }],
        ...(result.earlier ? { duplicateOf: result.earlier.id } : {}),
      });
    }
    if (!result.replayed) deps.runner.start(result.file.id);
    else void reply.header('idempotent-replayed', 'true');
    void reply.header('location', `/v1/repayment-files/${result.file.id}`);
    return reply.status(202).send(await fileView(deps.pool, (await fileById(deps.pool, result.file.id))!));
  });

  app.get('/v1/repayment-files/:id', {
    schema: { tags: ['servicing'], summary: 'A repayment file and its progress', params: schemaDoc(params), response: { 200: { description: '`{ id, status, progress }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...ROLES]);
    const { id } = parseOr400(params, request.params, 'params');
    return fileView(deps.pool, await mustFind(deps.pool, id, principal.tenantId));
  });

  app.get('/v1/repayment-files/:id/rows', {
    schema: { tags: ['servicing'], summary: "A repayment file's rows and their outcomes, in file order", description: 'Filter by `status`; keyset paging: pass `nextCursor` as `cursor` (null on the last page).', params: schemaDoc(params), querystring: schemaDoc(rowsQuery), response: { 200: { description: '`{ items, nextCursor }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...ROLES]);
    const { id } = parseOr400(params, request.params, 'params');
    const q = parseOr400(rowsQuery, request.query, 'query');
    await mustFind(deps.pool, id, principal.tenantId);
    const rows = await pageRows(deps.pool, id, { ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { afterRow: Number(q.cursor) } : {}), limit: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    return { items: items.map(rowView), nextCursor: rows.length > q.limit ? String(items.at(-1)!.rowNumber) : null };
  });
}

async function mustFind(pool: pg.Pool, id: string, tenantId: string): Promise<RepaymentFile> {
  const file = await fileById(pool, id, tenantId);
  if (!file) throw new HttpProblem(404, 'not-found', 'File not found', `No repayment file ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such file' }] });
  return file;
}

async function fileView(pool: pg.Pool, f: RepaymentFile) {
  const c = await rowCounts(pool, f.id);
  return {
    id: f.id, status: f.status, sha256: f.sha256, byteSize: f.byteSize,
    progress: { rowsTotal: f.rowsTotal, rowsDone: f.rowsTotal - c.pending, posted: c.posted, failed: c.failed, duplicate: c.duplicate },
    uploadedBy: f.uploadedBy, createdAt: f.createdAt.toISOString(), completedAt: f.completedAt?.toISOString() ?? null,
  };
}

const rowView = (r: StoredRow) => ({ row: r.rowNumber, loanId: r.loanId, status: r.status, transactionId: r.transactionId, error: r.error, duplicateOf: r.duplicateOf });
