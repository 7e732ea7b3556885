/** POST/GET /v1/applications/{id}/documents over the real Postgres and a filesystem blob store. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpServer, createLogger, createMetrics, signToken } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createFsBlobStore, createPgDocumentStore, documentRoutes } from '../src/modules/documents/index.js';
import { insertApplication, multipartBody, payslipLines, renderDocument } from './support/vendor-checks.js';

const config = loadConfig({});
const blobs = createFsBlobStore(mkdtempSync(join(tmpdir(), 'lendstack-doc-blobs-')));
const tenantId = `docs-${randomUUID().slice(0, 8)}`;
let pool: pg.Pool;
let app: FastifyInstance;
let applicationId: string;

const token = (tenant = tenantId, roles: ('partner' | 'operator')[] = ['partner']) => `Bearer ${signToken(config.AUTH_TOKEN_SECRET, { subject: 'partner-docs', tenantId: tenant, roles }, 300, Math.floor(Date.now() / 1000))}`;
const multipart = multipartBody;
async function upload(parts: Parameters<typeof multipart>[0], headers: Record<string, string> = {}, id = applicationId) {
  const { payload, contentType } = await multipart(parts);
  return app.inject({ method: 'POST', url: `/v1/applications/${id}/documents`, headers: { authorization: token(), 'content-type': contentType, ...headers }, payload });
}
const list = async () => (await app.inject({ method: 'GET', url: `/v1/applications/${applicationId}/documents`, headers: { authorization: token() } })).json().items as any[];
const png = renderDocument(payslipLines());
const pointer = (res: { json(): any }) => res.json().errors?.[0]?.pointer;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: (await infrastructure()).losDatabaseUrl, max: 5 });
  app = await createHttpServer({ logger: createLogger({ service: 'los-docs-test', level: 'silent' }), metrics: createMetrics('los-docs-test'), serviceName: 'los-docs-test', title: 't', description: 't', version: '1' });
  await app.register(documentRoutes, { store: createPgDocumentStore(pool), blobs, authSecret: config.AUTH_TOKEN_SECRET, maxBytes: 10 * 1024 * 1024, newId: randomUUID, now: () => new Date() });
  await app.ready();
  applicationId = await insertApplication(pool, tenantId);
});
afterAll(async () => {
  await app?.close();
  await pool?.end();
});

describe('POST /v1/applications/{id}/documents', () => {
  it('stores a png: 201, SHA-256 of the bytes, the bytes in the blob store, listed', async () => {
    const res = await upload({ kind: 'payslip', file: { bytes: png, name: 'payslip-oct.png', type: 'image/png' } });
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json();
    const sha256 = createHash('sha256').update(png).digest('hex');
    expect(doc).toMatchObject({ applicationId, kind: 'payslip', contentType: 'image/png', sha256, sizeBytes: png.length, fileName: 'payslip-oct.png' });
    expect(res.headers.location).toBe(`/v1/applications/${applicationId}/documents/${doc.id}`);
    const { rows } = await pool.query('SELECT blob_key FROM application_documents WHERE id = $1', [doc.id]);
    expect((await blobs.get(rows[0].blob_key))?.equals(png)).toBe(true);
    expect((await list()).map((d) => d.id)).toContain(doc.id);
  });

  it('returns the same document for the same bytes again, and honours Idempotency-Key', async () => {
    const first = await upload({ kind: 'payslip', file: { bytes: png, name: 'again.png' } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBe('true');
    const jpeg = renderDocument(['Employee Name: Priya Sharma'], 'jpeg');
    const keyed = await upload({ kind: 'identity', file: { bytes: jpeg, name: 'id.jpg', type: 'image/jpeg' } }, { 'idempotency-key': 'doc-key-0001' });
    expect(keyed.statusCode).toBe(201);
    expect(keyed.json().contentType).toBe('image/jpeg');
    const replay = await upload({ kind: 'identity', file: { bytes: jpeg, name: 'id.jpg', type: 'image/jpeg' } }, { 'idempotency-key': 'doc-key-0001' });
    expect([replay.statusCode, replay.json().id]).toEqual([200, keyed.json().id]);
    const other = await upload({ kind: 'identity', file: { bytes: renderDocument(['other']), name: 'x.png' } }, { 'idempotency-key': 'doc-key-0001' });
    expect(other.statusCode).toBe(422);
    expect(pointer(other)).toBe('/header/idempotency-key');
  });

  it('accepts a pdf by its bytes', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
    const res = await upload({ kind: 'bank-statement', file: { bytes: pdf, name: 'statement.pdf', type: 'application/pdf' } });
    expect([res.statusCode, res.json().contentType]).toEqual([201, 'application/pdf']);
  });

  it('sniffs the type: other bytes are 422, a declared type that disagrees is 422, both naming the file', async () => {
    const before = (await list()).length;
    const exe = await upload({ kind: 'identity', file: { bytes: Buffer.from('MZ\x90\x00 not a picture at all'), name: 'id.png', type: 'image/png' } });
    expect(exe.statusCode).toBe(422);
    expect(exe.json()).toMatchObject({ type: expect.stringContaining('unsupported-document-type') });
    expect(exe.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(pointer(exe)).toBe('/file');
    const lying = await upload({ kind: 'identity', file: { bytes: renderDocument(['x'], 'jpeg'), name: 'id.png', type: 'image/png' } });
    expect(lying.statusCode).toBe(422);
    expect(lying.json()).toMatchObject({ type: expect.stringContaining('content-type-mismatch'), errors: [{ pointer: '/file' }] });
    expect((await list()).length).toBe(before);
  });

  it('refuses a 50 MB upload with 413 and stores nothing', async () => {
    const before = (await list()).length;
    const big = Buffer.concat([png.subarray(0, 8), Buffer.alloc(50 * 1024 * 1024, 1)]);
    const res = await upload({ kind: 'payslip', file: { bytes: big, name: 'huge.png', type: 'image/png' } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ status: 413, type: expect.stringContaining('document-too-large'), errors: [{ pointer: '/file' }] });
    expect((await list()).length).toBe(before);
  });

  it('names the field for a missing or unknown kind and a missing file', async () => {
    expect(pointer(await upload({ file: { bytes: png, name: 'a.png' } }))).toBe('/kind');
    const unknown = await upload({ kind: 'selfie', file: { bytes: png, name: 'a.png' } });
    expect([unknown.statusCode, pointer(unknown)]).toEqual([400, '/kind']);
    const noFile = await upload({ kind: 'payslip' });
    expect([noFile.statusCode, pointer(noFile)]).toEqual([400, '/file']);
    const truncated = await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/documents`, headers: { authorization: token(), 'content-type': 'multipart/form-data; boundary=XYZ' }, payload: '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG' });
    expect(truncated.statusCode).toBeLessThan(500);
    expect(truncated.statusCode).toBeGreaterThanOrEqual(400);
    const asText = await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/documents`, headers: { authorization: token(), 'content-type': 'multipart/form-data; boundary=XYZ' }, payload: '--XYZ\r\nContent-Disposition: form-data; name="kind"\r\n\r\npayslip\r\n--XYZ\r\nContent-Disposition: form-data; name="file"\r\n\r\nnot a file part\r\n--XYZ--\r\n' });
    expect([asText.statusCode, pointer(asText)]).toEqual([422, '/file']);
    const json = await app.inject({ method: 'POST', url: `/v1/applications/${applicationId}/documents`, headers: { authorization: token() }, payload: { kind: 'payslip' } });
    expect(json.statusCode).toBe(415);
  });

  it('keeps tenants apart and needs a token', async () => {
    expect((await upload({ kind: 'payslip', file: { bytes: png, name: 'a.png' } }, { authorization: token('someone-else') })).statusCode).toBe(404);
    expect((await upload({ kind: 'payslip', file: { bytes: png, name: 'a.png' } }, {}, randomUUID())).statusCode).toBe(404);
    expect((await upload({ kind: 'payslip', file: { bytes: png, name: 'a.png' } }, { authorization: '' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: `/v1/applications/${applicationId}/documents`, headers: { authorization: token('someone-else') } })).statusCode).toBe(404);
  });
});
