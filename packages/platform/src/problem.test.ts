import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpProblem, installProblemHandlers, jsonPointer, parseOr400 } from './problem.js';

const schema = z.object({ loan: z.object({ amount: z.string(), 'a/b~c': z.number().optional() }).strict() }).strict();

function problemOf(value: unknown, where: 'body' | 'query' = 'body'): HttpProblem {
  try {
    parseOr400(schema, value, where);
  } catch (error) {
    return error as HttpProblem;
  }
  throw new Error('expected a problem');
}

describe('parseOr400', () => {
  it('names each wrong field by its JSON pointer', () => {
    const problem = problemOf({ loan: { amount: 5 } });
    expect(problem.status).toBe(400);
    expect(problem.extensions.errors).toEqual([{ pointer: '/loan/amount', detail: expect.stringContaining('expected string') }]);
  });

  it('names an unknown property by its own pointer', () => {
    expect(problemOf({ loan: { amount: '1', rate: 2 } }).extensions.errors).toEqual([{ pointer: '/loan/rate', detail: 'unknown property rate' }]);
  });

  it('prefixes pointers outside the body with where they were found', () => {
    expect(problemOf({}, 'query').extensions.errors).toEqual([{ pointer: '/query/loan', detail: expect.any(String) }]);
  });

  it('returns the parsed value when it is valid', () => {
    expect(parseOr400(schema, { loan: { amount: '1' } }, 'body')).toEqual({ loan: { amount: '1' } });
  });
});

describe('jsonPointer', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(jsonPointer(['loan', 'a/b~c'])).toBe('/loan/a~1b~0c');
    expect(jsonPointer([])).toBe('/');
  });
});

describe('installProblemHandlers', () => {
  it('answers a known path asked with another method 405 with Allow, and an unknown path 404', async () => {
    const app = Fastify();
    installProblemHandlers(app);
    app.get('/v1/things/:id', async () => ({ ok: true }));
    app.post('/v1/things/:id/moves', async () => ({ ok: true }));
    app.delete('/v1/things/:id', async () => ({ ok: true }));
    await app.ready();
    const wrong = await app.inject({ method: 'PATCH', url: '/v1/things/abc?x=1' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('DELETE, GET, HEAD');
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json()).toMatchObject({ status: 405, type: 'https://lendstack.dev/problems/method-not-allowed' });
    expect((await app.inject({ method: 'GET', url: '/v1/things/abc/moves' })).headers.allow).toBe('POST');
    expect((await app.inject({ method: 'GET', url: '/v1/others/abc' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/things/abc/moves/extra' })).statusCode).toBe(404);
    await app.close();
  });

  it('answers 405 before reading the body: a QUERY with no Content-Type, or a body no parser takes', async () => {
    const app = Fastify();
    installProblemHandlers(app);
    app.post('/v1/things', async () => ({ ok: true }));
    await app.ready();
    const noType = await app.inject({ method: 'QUERY', url: '/v1/things', payload: 'x' });
    const odd = await app.inject({ method: 'PATCH', url: '/v1/things', headers: { 'content-type': 'text/x-unknown' }, payload: '{' });
    expect([noType.statusCode, noType.headers.allow, odd.statusCode, odd.headers.allow]).toEqual([405, 'POST', 405, 'POST']);
    await app.close();
  });
});
