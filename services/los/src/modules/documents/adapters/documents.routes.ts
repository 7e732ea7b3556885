/**
 * POST /v1/applications/{id}/documents (multipart/form-data: `kind` = identity | payslip | bank-statement |
 * other, and one `file`) and GET /v1/applications/{id}/documents.
 * The type is sniffed from the file's bytes (jpg, png, pdf; anything else 422, a rule no schema states; a
 * body that is not multipart 415; a declared part type that disagrees 422), the size is bounded (413 past `maxBytes`), the SHA-256 is stored, and the bytes go to the
 * blob store before the row is written. Idempotent: the same bytes for the same application are the same
 * document (200), and an Idempotency-Key replays its first answer (the same key with other bytes: 422).
 */
import { createHash } from 'node:crypto';
import multipart from '@fastify/multipart';
import { authenticate, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, parseOr400, schemaDoc } from '@lendstack/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { declaredContentType, sniffContentType } from '../domain/sniff.js';
import type { BlobStore, DocumentStore, StoredDocument } from '../ports.js';

export interface DocumentRoutesDeps {
  readonly store: DocumentStore;
  readonly blobs: BlobStore;
  readonly authSecret: string;
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
  readonly newId: () => string;
  readonly now: () => Date;
}

const paramsSchema = z.object({ id: z.uuid('application id must be a UUID') });
const kindSchema = z.enum(['identity', 'payslip', 'bank-statement', 'other'], 'kind must be identity, payslip, bank-statement or other');

export const documentView = (d: StoredDocument) => ({
  id: d.id, applicationId: d.applicationId, kind: d.kind, contentType: d.contentType, sha256: d.sha256, sizeBytes: d.sizeBytes, fileName: d.fileName, createdAt: d.createdAt.toISOString(),
});

const field = (pointer: string, detail: string) => ({ errors: [{ pointer, detail }] });

interface Upload { kind?: string; bytes?: Buffer; fileName?: string; declared?: string; fileAsField?: boolean }

async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  const upload: Upload = {};
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 4, fieldSize: 1024, parts: 6 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw new HttpProblem(400, 'validation-error', 'Request is not valid', `Unexpected file field ${part.fieldname}.`, field(`/${part.fieldname}`, 'the file goes in the field named file'));
        upload.bytes = await part.toBuffer();
        upload.fileName = part.filename.slice(0, 255) || undefined;
        upload.declared = part.mimetype;
      } else if (part.fieldname === 'kind') {
        upload.kind = String(part.value);
      } else if (part.fieldname === 'file') {
        // A part without a filename is a text field: its bytes were decoded as text, so it cannot be the document.
        upload.fileAsField = true;
      }
    }
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpProblem(413, 'document-too-large', 'Document too large', `A document may be at most ${maxBytes} bytes.`, field('/file', `larger than ${maxBytes} bytes`));
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') throw new HttpProblem(400, 'validation-error', 'Request is not valid', 'Send one file and the kind field.', field('/file', 'exactly one file'));
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_MULTIPART_MISSING_BOUNDARY') throw new HttpProblem(415, 'multipart-required', 'multipart/form-data required', 'Upload the document as multipart/form-data.', field('/header/content-type', 'multipart/form-data with a boundary'));
    // Anything else while reading the parts is the body itself (truncated, bad boundary, bad headers).
    throw new HttpProblem(400, 'multipart-malformed', 'Malformed multipart body', `The multipart body cannot be read: ${(error as Error).message.slice(0, 200)}`, field('/file', 'unreadable multipart body'));
  }
  return upload;
}

export async function documentRoutes(app: FastifyInstance, deps: DocumentRoutesDeps): Promise<void> {
  await app.register(multipart, { limits: { fileSize: deps.maxBytes, files: 1 } });

  app.post('/v1/applications/:id/documents', {
    schema: {
      headers: idempotencyKeyHeaderDoc(),
      tags: ['documents'],
      summary: 'Upload a document for an application (multipart: kind, file)',
      description: 'jpg, png or pdf, recognised by the bytes (not the declared type). Same bytes for the same application → the same document (200). Honours Idempotency-Key.',
      params: schemaDoc(paramsSchema),
      consumes: ['multipart/form-data'],
      // The parts, for the document only (the handler reads and checks them itself).
      'x-multipart-body': {
        type: 'object', required: ['kind', 'file'], additionalProperties: false,
        properties: {
          kind: { type: 'string', enum: kindSchema.options, description: 'What the document is' },
          file: { type: 'string', format: 'binary', minLength: 1, description: 'The file, sent as a file part (with a filename): its bytes must be a jpg, png or pdf (sniffed, whatever the part declares)' },
        },
      },
      response: {
        201: { description: 'Stored' }, 200: { description: 'The same bytes were stored before, or a replay of the Idempotency-Key' },
        400: { description: 'kind or file missing or invalid (`errors` names the field)' }, 401: { description: 'Missing or invalid bearer token' }, 403: { description: 'Caller is neither a partner nor an operator' }, 404: { description: 'No such application for this tenant' },
        413: { description: 'File larger than the limit' }, 415: { description: 'Not multipart/form-data' }, 422: { description: 'The bytes are not a jpg, png or pdf, the declared type disagrees with the bytes, or Idempotency-Key reused with other bytes (`errors` names the field)' },
      },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, ['partner', 'operator']);
    const { id: applicationId } = parseOr400(paramsSchema, request.params, 'params');
    const idempotencyKey = idempotencyKeyOf(request.headers);
    if (!(await deps.store.applicationExists(principal.tenantId, applicationId))) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${applicationId} for this tenant.`);
    if (!request.isMultipart()) throw new HttpProblem(415, 'multipart-required', 'multipart/form-data required', 'Upload the document as multipart/form-data with the fields kind and file.', field('/header/content-type', 'multipart/form-data'));
    const upload = await readUpload(request, deps.maxBytes);
    const parsedKind = kindSchema.safeParse(upload.kind);
    if (!parsedKind.success) throw new HttpProblem(400, 'validation-error', 'Request is not valid', 'The kind field is missing or unknown.', field('/kind', parsedKind.error.issues[0]?.message ?? 'invalid'));
    const kind = parsedKind.data;
    if (!upload.bytes && upload.fileAsField) throw new HttpProblem(422, 'file-part-required', 'The file must be a file part', 'Send the file as a multipart file part (Content-Disposition with a filename), not as a text field.', field('/file', 'a file part, with a filename'));
    if (!upload.bytes || upload.bytes.length === 0) throw new HttpProblem(400, 'validation-error', 'Request is not valid', 'The file is missing or empty.', field('/file', 'required, not empty'));
    const contentType = sniffContentType(upload.bytes);
    if (!contentType) throw new HttpProblem(422, 'unsupported-document-type', 'Unsupported document type', 'Only jpg, png and pdf documents are accepted; these bytes are none of them.', field('/file', 'not a jpg, png or pdf file'));
    const declared = declaredContentType(upload.declared);
    if (declared && declared !== contentType) throw new HttpProblem(422, 'content-type-mismatch', 'Declared type disagrees with the file', `The file was declared ${declared} but its bytes are ${contentType}.`, field('/file', `declared ${declared}, bytes are ${contentType}`));
    const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
    const blobKey = `${principal.tenantId.replace(/[^A-Za-z0-9._-]/g, '_')}/${sha256}`;
    if (!(await deps.blobs.exists(blobKey))) await deps.blobs.put(blobKey, upload.bytes);
    const result = await deps.store.insert({
      id: deps.newId(), tenantId: principal.tenantId, applicationId, kind, contentType, sha256, sizeBytes: upload.bytes.length, blobKey,
      fileName: upload.fileName ?? null, idempotencyKey: idempotencyKey ?? null, createdAt: deps.now(),
    });
    if (result.kind === 'key-reused') throw new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used for another document.', field('/header/idempotency-key', 'already used with other bytes'));
    void reply.header('location', `/v1/applications/${applicationId}/documents/${result.document.id}`);
    if (result.kind === 'existing') void reply.header('idempotent-replayed', 'true');
    return reply.status(result.kind === 'created' ? 201 : 200).send(documentView(result.document));
  });

  app.get('/v1/applications/:id/documents', {
    schema: { tags: ['documents'], summary: "List an application's documents, oldest first", params: schemaDoc(paramsSchema), response: { 200: { description: '`{ items }`' }, 400: { description: 'The application id is not a UUID' }, 401: { description: 'Missing or invalid bearer token' }, 404: { description: 'No such application for this tenant' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { id } = parseOr400(paramsSchema, request.params, 'params');
    if (!(await deps.store.applicationExists(principal.tenantId, id))) throw new HttpProblem(404, 'not-found', 'Application not found', `No application ${id} for this tenant.`);
    return { items: (await deps.store.list(principal.tenantId, id)).map(documentView) };
  });
}
