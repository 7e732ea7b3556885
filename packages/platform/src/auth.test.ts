import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, bearerToken, signToken } from './auth.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

const secret = 'auth-test-secret-0123456789abcdef-0123';
const token = signToken(secret, { subject: 'ops', tenantId: 'demo', roles: ['operator'] }, 600, Math.floor(Date.now() / 1000));
let app: FastifyInstance;

beforeAll(async () => {
  app = await createHttpServer({ logger: createLogger({ service: 'auth-test', level: 'silent' }), metrics: createMetrics('auth_test'), serviceName: 'auth-test', title: 'T', description: 'T', version: '1' });
  app.get('/who', async (request) => authenticate(request, secret));
  app.get('/admin', async (request) => authenticate(request, secret, 'admin'));
  await app.ready();
});
afterAll(async () => app?.close());

describe('bearer tokens', () => {
  it('match the scheme name in any case, after one or more spaces (RFC 9110 §11.1)', async () => {
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `bEaReR   ${token}`]) {
      const res = await app.inject({ url: '/who', headers: { authorization } });
      expect([authorization.slice(0, 9), res.statusCode]).toEqual([authorization.slice(0, 9), 200]);
      expect(res.json()).toEqual({ subject: 'ops', tenantId: 'demo', roles: ['operator'] });
    }
  });

  it('refuse another scheme, no space, or no token', () => {
    for (const value of [`Basic ${token}`, `Bearer${token}`, 'Bearer', 'Bearer ', `Bearer ${token} extra`, `Bearer\t${token}`, undefined]) {
      expect(bearerToken(value)).toBeUndefined();
    }
  });

  it('answer 401 with a Bearer challenge, naming an invalid token as such (RFC 9110 §11.6.1, RFC 6750 §3)', async () => {
    const none = await app.inject({ url: '/who' });
    expect([none.statusCode, none.headers['www-authenticate'], none.headers['content-type']]).toEqual([401, 'Bearer realm="lendstack"', 'application/problem+json; charset=utf-8']);
    const wrong = await app.inject({ url: '/who', headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } });
    expect([wrong.statusCode, wrong.headers['www-authenticate']]).toEqual([401, 'Bearer realm="lendstack", error="invalid_token"']);
  });

  it('answer 403 without a challenge when the caller lacks the role', async () => {
    const res = await app.inject({ url: '/admin', headers: { authorization: `bearer ${token}` } });
    expect([res.statusCode, res.headers['www-authenticate']]).toEqual([403, undefined]);
  });
});
