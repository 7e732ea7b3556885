import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHttpServer, schemaDoc } from './http-server.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { errorMediaTypes } from './openapi.js';
import { parseOr400 } from './problem.js';

const paramsSchema = z.object({ id: z.string().min(1).max(64) });
let app: FastifyInstance;

beforeAll(async () => {
  app = await createHttpServer({
    logger: createLogger({ service: 'openapi-test', level: 'silent' }), metrics: createMetrics('openapi_test'),
    serviceName: 'openapi-test', title: 'Test', description: 'Test', version: '1.0.0', bodyLimitBytes: 1024, maxUrlChars: 2048,
  });
  app.get('/v1/things/:id', { schema: { params: schemaDoc(paramsSchema), response: { 200: { description: 'A thing' }, 404: { description: 'No such thing' } } } }, async (request) => parseOr400(paramsSchema, request.params, 'params'));
  app.post('/v1/things', { schema: { body: schemaDoc(z.object({ name: z.string() })), response: { 201: { description: 'Created' }, 409: { description: 'Conflict', content: { 'application/json': { schema: { type: 'object', properties: { existingId: { type: 'string' } } } } } } } } }, async (_request, reply) => reply.status(201).send({}));
  await app.ready();
});
afterAll(async () => app?.close());

describe('the OpenAPI document', () => {
  it('documents every error response as application/problem+json and nothing else', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const errors = errorMediaTypes(doc);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((e) => e.mediaTypes.join() !== 'application/problem+json')).toEqual([]);
    expect(doc.components.schemas.Problem).toMatchObject({ required: ['type', 'title', 'status'] });
  });

  it('keeps extension members a route documented, beside the Problem members', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.paths['/v1/things'].post.responses['409'].content['application/problem+json'].schema).toEqual({
      allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { existingId: { type: 'string' } } }],
    });
  });

  it('documents 400, 401, 414 and 500 on every route, 413 and 415 on routes that read a body', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths['/v1/things/{id}'].get.responses)).toEqual(['200', '400', '401', '404', '414', '500']);
    expect(Object.keys(doc.paths['/v1/things'].post.responses).sort()).toEqual(['201', '400', '401', '409', '413', '414', '415', '500']);
    expect(doc.paths['/v1/things'].post.responses['413'].description).toContain('1024 bytes');
  });
});

describe('what those responses really are', () => {
  it('413 and 415 are problem+json', async () => {
    const large = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(2000) }) });
    expect([large.statusCode, large.headers['content-type']]).toEqual([413, 'application/problem+json; charset=utf-8']);
    const xml = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/xml' }, payload: '<name/>' });
    expect([xml.statusCode, xml.headers['content-type']]).toEqual([415, 'application/problem+json; charset=utf-8']);
  });

  it('a path parameter longer than its schema allows is a 400 naming it, also past the router default of 100', async () => {
    for (const length of [65, 101, 1500]) {
      const res = await app.inject({ url: `/v1/things/${'a'.repeat(length)}` });
      expect([res.statusCode, res.headers['content-type']]).toEqual([400, 'application/problem+json; charset=utf-8']);
      expect(res.json().errors).toEqual([{ pointer: '/params/id', detail: expect.any(String) }]);
    }
  });

  it('a request target past the bound is a 414 problem that does not repeat it', async () => {
    for (const url of [`/v1/things/${'a'.repeat(2100)}`, `/v1/things/x?q=${'b'.repeat(2100)}`, `/nowhere/${'c'.repeat(2100)}`]) {
      const res = await app.inject({ url });
      expect([res.statusCode, res.headers['content-type']]).toEqual([414, 'application/problem+json; charset=utf-8']);
      expect(res.json()).toEqual({ type: 'https://lendstack.dev/problems/uri-too-long', title: 'URI too long', status: 414, detail: 'The request target (path and query) is longer than 2048 characters.' });
    }
  });

  it('a path that is not a valid URL is a 400 problem naming the path', async () => {
    const res = await app.inject({ url: '/v1/things/%E0%A4%A' });
    expect([res.statusCode, res.headers['content-type']]).toEqual([400, 'application/problem+json; charset=utf-8']);
    expect(res.json().errors).toEqual([{ pointer: '/path', detail: expect.any(String) }]);
  });
});
