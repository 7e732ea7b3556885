import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { accessOptionsOf, authenticate, createLogger, createMetrics, rotateSigningKey, signToken, type Role } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

// Partner access over the REAL LMS database: API keys, OAuth2 client credentials, JWKS and rotation,
// staff tokens of an external identity provider (a JWKS served from this test), rate limits.
let app: FastifyInstance;
let pool: pg.Pool;
let prisma: PrismaClient;
let secret: string;
let idp: Server;
let idpKey: CryptoKey;
let idpUrl: string;
// A signing key the service trusts (a row of its signing_keys, older than its own, never the signer) whose
// private half this test holds, to sign tokens that differ from a valid one in one claim.
let trustedKey: CryptoKey;
const TRUSTED_KID = `test-${randomUUID().slice(0, 8)}`;
const tenant = `pa-${randomUUID().slice(0, 8)}`;
const otherTenant = `pa-${randomUUID().slice(0, 8)}`;
const ISSUER = 'urn:lendstack:lms';
const IDP_ISSUER = 'https://idp.lender.test/realms/staff';

const staff = (roles: Role[], tenantId = tenant) => ({
  authorization: `Bearer ${signToken(secret, { subject: `${roles[0]}-user`, tenantId, roles }, 300, Math.floor(Date.now() / 1000))}`,
});
const createKey = (body: Record<string, unknown>, headers: Record<string, string> = staff(['admin'])) =>
  app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: body });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const tokenRequest = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form(fields) });
const basic = (id: string, key: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}` });

async function newKey(scopes: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const res = await createKey({ name: `key ${randomUUID().slice(0, 6)}`, scopes, ...extra });
  expect(res.statusCode).toBe(201);
  return res.json();
}

beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  const pair = await generateKeyPair('RS256', { extractable: true });
  idpKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  idp = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  idp.listen(0, '127.0.0.1');
  await once(idp, 'listening');
  const address = idp.address();
  idpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/certs`;

  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl, AUTH_ISSUER: IDP_ISSUER, AUTH_JWKS_URL: idpUrl, AUTH_AUDIENCE: 'lendstack-api' });
  secret = config.AUTH_TOKEN_SECRET;
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 10 });
  prisma = createPrisma(pool);
  const products = createPrismaProductRepository(prisma);
  app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    access: { ...accessOptionsOf(config, pool, { 'POST /v1/partner-writes': 'service' }), signingKeyRefreshMs: 0 },
    loans: { loans: createPrismaLoanRepository(prisma), authSecret: secret },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
  });
  // Two routes only this test has: a partner write opened to the `service` scope, and one not opened at all.
  const trusted = await generateKeyPair('ES256', { extractable: true });
  trustedKey = trusted.privateKey;
  await pool.query("INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_sealed, created_at) VALUES ($1, 'ES256', $2, $3, now() - interval '1 hour')", [
    TRUSTED_KID, { ...(await exportJWK(trusted.publicKey)), kid: TRUSTED_KID, alg: 'ES256', use: 'sig' }, Buffer.alloc(32),
  ]);
  // A newer key sealed under another deployment's secret (a second service on the same database, as in
  // the test suite): this one signs with its own key, not that one.
  await pool.query("INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_sealed, created_at) VALUES ($1, 'ES256', $2, $3, now() + interval '1 hour')", [
    `foreign-${TRUSTED_KID}`, { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)), kid: `foreign-${TRUSTED_KID}`, alg: 'ES256', use: 'sig' }, Buffer.alloc(48, 7),
  ]);
  app.post('/v1/partner-writes', async (request) => ({ tenantId: authenticate(request, secret, ['partner', 'operator']).tenantId }));
  app.post('/v1/staff-writes', async (request) => ({ tenantId: authenticate(request, secret, ['partner', 'operator']).tenantId }));
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await prisma?.$disconnect();
  await pool?.end();
  idp?.close();
});

describe('partner API keys', () => {
  it('are created by a tenant admin, shown once, stored as a digest, and listed without their secret', async () => {
    const res = await createKey({ name: 'Acme integration', scopes: ['read', 'service'], rateLimitPerMinute: 120 }, { ...staff(['admin']), 'idempotency-key': `create-${tenant}` });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = res.json();
    expect(created).toMatchObject({ name: 'Acme integration', scopes: ['read', 'service'], rateLimitPerMinute: 120, createdBy: 'admin-user', revokedAt: null });
    expect(created.key).toMatch(new RegExp(`^lsk_${created.id}_[A-Za-z0-9_-]{43}$`));
    expect(created.clientId).toBe(created.id);

    const stored = await pool.query<{ secret_sha256: Buffer }>('SELECT secret_sha256 FROM api_keys WHERE id = $1', [created.id]);
    expect(stored.rows[0]!.secret_sha256).toHaveLength(32);
    // The secret is everything after `lsk_<id>_` (its base64url alphabet has `_` too, so not a split on it).
    const secret = created.key.slice(`lsk_${created.id}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(stored.rows[0])).not.toContain(secret);

    const replay = await createKey({ name: 'Acme integration', scopes: ['read', 'service'], rateLimitPerMinute: 120 }, { ...staff(['admin']), 'idempotency-key': `create-${tenant}` });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ id: created.id });
    expect(replay.json().key).toBeUndefined();

    const list = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: staff(['admin']) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((k: { id: string }) => k.id)).toContain(created.id);
    expect(list.body).not.toContain(created.key);
    expect((await app.inject({ method: 'GET', url: `/v1/api-keys/${created.id}`, headers: staff(['admin'], otherTenant) })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.id}`, headers: staff(['admin'], otherTenant) })).statusCode).toBe(404);
    expect((await createKey({ name: 'x', scopes: ['read'] }, staff(['operator']))).statusCode).toBe(403);
  });

  it('refuses a bad request naming the field', async () => {
    const res = await createKey({ name: 'bad', scopes: ['read', 'admin'] });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors[0].pointer).toBe('/scopes/1');
    const past = await createKey({ name: 'bad', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors[0].pointer).toBe('/expiresAt');
  });

  it('authenticate as the partner of their tenant, by bearer or X-Api-Key, within their scopes', async () => {
    const { key } = await newKey(['read']);
    const viaBearer = await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(key) });
    expect(viaBearer.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: { 'x-api-key': key } })).statusCode).toBe(200);
    const write = await app.inject({ method: 'POST', url: '/v1/partner-writes', headers: bearer(key), payload: {} });
    expect(write.statusCode).toBe(403);
    expect(write.json().type).toContain('insufficient-scope');
    expect(write.headers['www-authenticate']).toContain('scope="service"');
    const serviceKey = await newKey(['service']);
    const allowed = await app.inject({ method: 'POST', url: '/v1/partner-writes', headers: bearer(serviceKey.key), payload: {} });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toEqual({ tenantId: tenant });
    // A route no scope opens stays closed to partner credentials, though a partner-role staff token may call it.
    expect((await app.inject({ method: 'POST', url: '/v1/staff-writes', headers: bearer(serviceKey.key), payload: {} })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/staff-writes', headers: staff(['partner']), payload: {} })).statusCode).toBe(200);
    // A partner key is never an admin.
    expect((await createKey({ name: 'escalate', scopes: ['read'] }, bearer(serviceKey.key))).statusCode).toBe(403);
  });

  it('stop working the moment they are revoked, and a wrong or expired secret is refused', async () => {
    const { id, key } = await newKey(['read']);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(key) })).statusCode).toBe(200);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: staff(['admin']) });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(key) });
    expect(after.statusCode).toBe(401);
    expect(after.headers['www-authenticate']).toContain('invalid_token');
    const other = await newKey(['read']);
    const tampered = `${other.key.slice(0, -4)}AAAA`;
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(tampered) })).statusCode).toBe(401);
    const expiring = await newKey(['read'], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    await pool.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [expiring.id]);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(expiring.key) })).statusCode).toBe(401);
  });

  it('are rate-limited per key: 429 problem+json with Retry-After and RateLimit fields', async () => {
    const { key } = await newKey(['read'], { rateLimitPerMinute: 3 });
    const other = await newKey(['read'], { rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) {
      const ok = await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(key) });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
      expect(ok.headers['ratelimit-policy']).toBe('3;w=60');
    }
    const limited = await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(key) });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ status: 429, limit: 3 });
    // Another key of the same tenant has its own budget; staff tokens are not limited.
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(other.key) })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: staff(['operator']) })).statusCode).toBe(200);
  });
});

describe('OAuth2 client credentials', () => {
  it('issue an ES256 at+jwt for the key, verifiable with the JWKS, that works like the key', async () => {
    const { id, key } = await newKey(['read', 'service']);
    const res = await tokenRequest({ grant_type: 'client_credentials', scope: 'read' }, basic(id, key));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' });
    const [header, payload] = body.access_token.split('.').slice(0, 2).map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ iss: ISSUER, aud: ISSUER, sub: id, tenant, scope: 'read' });
    const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.json().keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(JSON.stringify(jwks.json())).not.toMatch(/"d":/);

    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(body.access_token) })).statusCode).toBe(200);
    // The token carries only the scope asked for.
    expect((await app.inject({ method: 'POST', url: '/v1/partner-writes', headers: bearer(body.access_token), payload: {} })).statusCode).toBe(403);
    const inBody = await tokenRequest({ grant_type: 'client_credentials', client_id: id, client_secret: key });
    expect(inBody.json().scope).toBe('read service');
    expect((await app.inject({ method: 'POST', url: '/v1/partner-writes', headers: bearer(inBody.json().access_token), payload: {} })).statusCode).toBe(200);
    // Revoking the key ends its tokens too.
    await app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: staff(['admin']) });
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(body.access_token) })).statusCode).toBe(401);
  });

  it('answer RFC 6749 errors', async () => {
    const { id, key } = await newKey(['read']);
    const wrong = await tokenRequest({ grant_type: 'client_credentials' }, basic(id, `${key.slice(0, -1)}x`));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toContain('Basic');
    expect((await tokenRequest({ grant_type: 'password' }, basic(id, key))).json().error).toBe('unsupported_grant_type');
    expect((await tokenRequest({ grant_type: 'client_credentials', scope: 'service' }, basic(id, key))).json().error).toBe('invalid_scope');
    expect((await tokenRequest({ grant_type: 'client_credentials' })).statusCode).toBe(401);
    expect((await tokenRequest({ grant_type: 'client_credentials', client_secret: key }, basic(id, key))).json().error).toBe('invalid_request');
  });

  it('refuse alg none, another audience, an expired token, and a token signed by an unknown key', async () => {
    const { id, key } = await newKey(['read']);
    const token = (await tokenRequest({ grant_type: 'client_credentials' }, basic(id, key))).json().access_token as string;
    const [, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(unsigned) })).statusCode).toBe(401);
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-ours' }).sign(stranger.privateKey);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(forged) })).statusCode).toBe(401);
    const otherAudience = await new SignJWT({ ...claims, aud: 'urn:lendstack:los' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: TRUSTED_KID }).sign(trustedKey);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(otherAudience) })).statusCode).toBe(401);
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: TRUSTED_KID }).sign(trustedKey);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(expired) })).statusCode).toBe(401);
    const control = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: TRUSTED_KID }).sign(trustedKey);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(control) })).statusCode).toBe(200);
  });

  it('keep verifying the previous key after a rotation, and stop at the next', async () => {
    const { id, key } = await newKey(['read']);
    const before = (await tokenRequest({ grant_type: 'client_credentials' }, basic(id, key))).json().access_token as string;
    const first = await rotateSigningKey(pool, secret);
    const during = (await tokenRequest({ grant_type: 'client_credentials' }, basic(id, key))).json().access_token as string;
    const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid as string;
    expect(kidOf(during)).toBe(first.kid);
    expect(kidOf(before)).not.toBe(first.kid);
    expect((await app.inject({ method: 'GET', url: '/v1/loans', headers: bearer(before) })).statusCode).toBe(200);
    const second = await rotateSigningKey(pool, secret);
    expect(second.retired).toContain(kidOf(before));
    const published = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys.map((k: { kid: string }) => k.kid);
    expect(published).toEqual(expect.arrayContaining([first.kid, second.kid]));
    expect(published).not.toContain(kidOf(before));
  });
});

describe('staff tokens of the configured identity provider', () => {
  const idpToken = (claims: Record<string, unknown>, audience = 'lendstack-api') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-1' }).setIssuer(IDP_ISSUER).setAudience(audience).setSubject('jane@lender.test').setIssuedAt().setExpirationTime('5m').sign(idpKey);

  it('carry tenant and roles, verified with the issuer JWKS; another audience or a missing role claim is refused', async () => {
    const ok = await idpToken({ tenant, roles: ['admin'] });
    const list = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(ok) });
    expect(list.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(await idpToken({ tenant, roles: ['admin'] }, 'someone-else')) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(await idpToken({ tenant })) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(await idpToken({ tenant, roles: ['operator'] })) })).statusCode).toBe(403);
  });
});
