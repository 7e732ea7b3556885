import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { OPTIONAL_COLUMNS, REQUIRED_COLUMNS } from '../domain/csv-record.js';
import { acceptImport, MAX_RECORD_BYTES } from '../use-cases/accept-import.js';
import type { ImportRunner } from './import-runner.js';
import { importById, pageImportRows, progressOf, type ImportFormat, type LoanImport, type StoredImportRow } from './imports.repository.js';

export interface ImportRoutesDeps {
  readonly pool: pg.Pool;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly authSecret: string;
  readonly runner: ImportRunner;
  /** The largest upload accepted (bytes); default 1 GiB. */
  readonly maxUploadBytes?: number;
}

const params = z.object({ id: z.uuid() }).strict();
const rowsQuery = z.object({
  status: z.enum(['pending', 'imported', 'rejected', 'duplicate']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d{1,9}$/, 'not a cursor from a previous page').optional(),
}).strict();
const ROLES = ['operator', 'admin'] as const;
const FORMATS: Record<string, ImportFormat> = { 'application/x-ndjson': 'ndjson', 'text/csv': 'csv' };

const problems = {
  400: { description: 'Invalid header or query (problem+json naming it)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'Needs the operator or admin role' },
  404: { description: 'No such import for this tenant' },
};

const FORMAT_DOC = `JSON lines (\`application/x-ndjson\`): one loan per line, \`{ externalId, productCode, principal {amount,currency,scale}, annualRatePercent, termPeriods, frequency, scheduleMethod?, interestCalculation?, dayCount?, disbursementDate, firstDueDate?, fees?, borrower {reference, region?}, history? }\`, history events \`{kind: disbursement|repayment|reversal, id, valueDate, amount | targetId, channel?, reference?, reason?}\` (amounts in minor units as strings). CSV (\`text/csv\`, UTF-8, header required): columns ${REQUIRED_COLUMNS.join(', ')} and optionally ${OPTIONAL_COLUMNS.join(', ')}; \`history\` is \`kind:id:value_date:amount-or-target[:reference]\` events separated by \`;\`. No disbursement listed: the whole principal is disbursed on the disbursement date. A record is at most ${MAX_RECORD_BYTES} bytes.`;

/**
 * Migration import: POST /v1/imports (a book of existing loans with their history, streamed) → 202 and
 * the records booked in the background; GET …/{id} for its progress and GET …/{id}/rows for each record's outcome.
 */
export async function importRoutes(app: FastifyInstance, deps: ImportRoutesDeps): Promise<void> {
  // Scoped to this plugin: the body reaches the handler as the request stream, read once in chunks.
  for (const type of Object.keys(FORMATS)) app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));

  app.post('/v1/imports', {
    bodyLimit: deps.maxUploadBytes ?? 1024 ** 3,
    schema: {
      tags: ['imports'], summary: 'Import a book of existing loans with their history (operator or admin)',
      description: `${FORMAT_DOC} Every record is stored, then booked in batches in the background: each loan's history is replayed by the loan engine to the business date and posted to the ledger; a record that breaks a rule is rejected (record number, field, rule) and the others are booked. \`Idempotency-Key\` (required, the import key): the same key and bytes return the same import, other bytes 422. A loan whose \`externalId\` was imported before (by any import) is a duplicate, never booked twice. Poll the Location.`,
      headers: idempotencyKeyHeaderDoc({ required: true }),
      body: { content: { 'application/x-ndjson': { schema: { type: 'string', description: 'JSON lines, one loan record per line' } }, 'text/csv': { schema: { type: 'string', description: `UTF-8 CSV with a header naming ${REQUIRED_COLUMNS.join(',')}` } } } },
      response: {
        202: { description: '`{ id, status, format, sha256, byteSize, progress { rowsTotal, rowsDone, imported, rejected, duplicate, rowsPerSecond }, createdAt, startedAt, completedAt }`' },
        ...problems, 413: { description: 'Larger than the limit, or a record longer than the limit' }, 415: { description: 'Neither application/x-ndjson nor text/csv' },
        422: { description: 'CSV header missing a required column or naming an unknown one, an unclosed quote, too many records, or Idempotency-Key reused with other bytes' },
      },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, [...ROLES]);
    const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format = FORMATS[type];
    if (!format) throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'The body must be application/x-ndjson or text/csv.', { errors: [{ pointer: '/header/content-type', detail: 'must be application/x-ndjson or text/csv' }] });
    const key = idempotencyKeyOf(request.headers, { required: true })!;
    const result = await acceptImport({ pool: deps.pool, newId: deps.newId, ...(deps.maxUploadBytes ? { maxBytes: deps.maxUploadBytes } : {}) },
      { tenantId: principal.tenantId, actor: principal.subject, idempotencyKey: key, format, body: request.body instanceof Readable ? request.body : Readable.from([]) });
    if (!result.ok) {
      const status = result.error === 'too-large' ? 413 : 422;
      const pointer = result.error === 'idempotency-key-reused' ? '/header/idempotency-key' : '/body';
      throw new HttpProblem(status, result.error, 'Import refused', result.detail, {
        errors: [{ pointer, detail: result.detail, ...(result.recordError ? { field: result.recordError.field, rule: result.recordError.rule } : {}) }],
      });
    }
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    if (result.import.status !== 'completed') deps.runner.start(result.import.id);
    void reply.header('location', `/v1/imports/${result.import.id}`);
    return reply.status(202).send(importView(result.import, deps.now()));
  });

  app.get('/v1/imports/:id', {
    schema: { tags: ['imports'], summary: 'An import and its progress', params: schemaDoc(params), response: { 200: { description: '`{ id, status, format, sha256, byteSize, progress, createdAt, startedAt, completedAt }`' }, ...problems } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...ROLES]);
    const { id } = parseOr400(params, request.params, 'params');
    return importView(await mustFind(deps.pool, id, principal.tenantId), deps.now());
  });

  app.get('/v1/imports/:id/rows', {
    schema: {
      tags: ['imports'], summary: "An import's records and their outcomes, in file order",
      description: 'Filter by `status`; each row: `{ record, externalId, status, loanId, error { field, rule, detail }, duplicateOf }` (`record` = the line number; `field` a JSON pointer into the record, or the CSV column). Keyset paging: pass `nextCursor` as `cursor` (null on the last page).',
      params: schemaDoc(params), querystring: schemaDoc(rowsQuery), response: { 200: { description: '`{ items, nextCursor }`' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, [...ROLES]);
    const { id } = parseOr400(params, request.params, 'params');
    const q = parseOr400(rowsQuery, request.query, 'query');
    await mustFind(deps.pool, id, principal.tenantId);
    const rows = await pageImportRows(deps.pool, id, { ...(q.status ? { status: q.status } : {}), ...(q.cursor ? { afterRecord: Number(q.cursor) } : {}), limit: q.limit + 1 });
    const items = rows.slice(0, q.limit);
    return { items: items.map(rowView), nextCursor: rows.length > q.limit ? String(items.at(-1)!.recordNumber) : null };
  });
}

async function mustFind(pool: pg.Pool, id: string, tenantId: string): Promise<LoanImport> {
  const found = await importById(pool, id, tenantId);
  if (!found) throw new HttpProblem(404, 'not-found', 'Import not found', `No import ${id} for this tenant.`, { errors: [{ pointer: '/params/id', detail: 'no such import' }] });
  return found;
}

export function importView(i: LoanImport, now: Date) {
  return {
    id: i.id, status: i.status, format: i.format, sha256: i.sha256, byteSize: i.byteSize, progress: progressOf(i, now),
    createdBy: i.createdBy, createdAt: i.createdAt.toISOString(), startedAt: i.startedAt?.toISOString() ?? null, completedAt: i.completedAt?.toISOString() ?? null,
  };
}

const rowView = (r: StoredImportRow) => ({ record: r.recordNumber, externalId: r.externalId, status: r.status, loanId: r.loanId, error: r.error, duplicateOf: r.duplicateOf });
