import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { authenticate } from '../auth.js';
import { schemaDoc } from '../http-server.js';
import { idempotencyKeyHeaderDoc, idempotencyKeyOf } from '../idempotency.js';
import { decodeCursor, pageQuerySchema, toPage } from '../pagination.js';
import { HttpProblem, parseOr400 } from '../problem.js';
import { apiKeyById, createApiKey, listApiKeys, revokeApiKey, tenantApiKey, type ApiKeyView } from './api-key.store.js';
import { parseApiKey, SCOPES, secretMatches, type Scope } from './credentials.js';
import type { AccessOptions } from './install.js';
import { SIGNING_ALG, type KeyRing } from './signing-keys.js';

interface Deps extends AccessOptions {
  readonly ring: KeyRing;
  readonly now: () => Date;
}

const createSchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length).refine((s) => new Set(s).size === s.length, 'scopes must not repeat').meta({ uniqueItems: true }),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
}).strict();
const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{18}$/, 'an API key id: 18 hex digits') }).strict();

const keyJson = (key: ApiKeyView) => ({
  id: key.id, clientId: key.id, name: key.name, scopes: key.scopes, rateLimitPerMinute: key.rateLimitPerMinute, createdBy: key.createdBy,
  createdAt: key.createdAt.toISOString(), expiresAt: key.expiresAt?.toISOString() ?? null, revokedAt: key.revokedAt?.toISOString() ?? null,
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
});

const tokenRequest = z.object({
  grant_type: z.string(),
  scope: z.string().max(200).optional(),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(200).optional(),
});

/** RFC 6749 §5.2: an OAuth error is `{ error, error_description }` as application/json, never cached. */
// The token request and its errors as the document shows them. RFC 6749 §5.2 errors are
// application/json `{ error, error_description }`, not problem+json (`x-media-type` keeps them so).
const tokenRequestDoc = {
  type: 'object', required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', enum: ['client_credentials'] },
    scope: { type: 'string', maxLength: 200, description: 'Space-separated subset of the key’s scopes (default: all of them)' },
    client_id: { type: 'string', maxLength: 200 }, client_secret: { type: 'string', maxLength: 200 },
  },
};
const oauthErrorDoc = {
  type: 'object', 'x-media-type': 'application/json', required: ['error', 'error_description'],
  properties: { error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'] }, error_description: { type: 'string' } },
};

function oauthError(reply: FastifyReply, status: 400 | 401, error: string, description: string) {
  if (status === 401) void reply.header('www-authenticate', 'Basic realm="lendstack", charset="UTF-8"');
  return reply.status(status).header('cache-control', 'no-store').type('application/json').send({ error, error_description: description });
}

/** Client authentication (RFC 6749 §2.3.1): HTTP Basic of the form-urlencoded id and secret, or both in the body. */
function clientCredentials(authorization: string | undefined, body: z.infer<typeof tokenRequest>): { id: string; secret: string } | 'two-methods' | undefined {
  const basic = /^basic +([A-Za-z0-9+/=]+) *$/i.exec(authorization ?? '');
  if (basic && body.client_secret !== undefined) return 'two-methods';
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { id: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')) };
  }
  return body.client_id !== undefined && body.client_secret !== undefined ? { id: body.client_id, secret: body.client_secret } : undefined;
}

/**
 * `/v1/api-keys` (tenant admin), `POST /oauth/token` (RFC 6749 §4.4 client credentials: client id = the
 * key's id, client secret = the key) and `GET /.well-known/jwks.json`.
 */
export async function accessRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const tags = ['partner access'];

  app.post('/v1/api-keys', {
    schema: {
      tags, summary: 'Create a partner API key (admin)',
      description: 'Returns the key once, in `key`; only its SHA-256 digest is kept. A retry with the same Idempotency-Key returns the same key (200) without it. The key is also the client secret of the OAuth2 client whose id is `clientId`.',
      headers: idempotencyKeyHeaderDoc(), body: schemaDoc(createSchema),
      response: { 200: { description: 'The key an earlier request with this Idempotency-Key created (no secret)' }, 201: { description: 'The key, with its secret in `key` (shown once)' } },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.secret, 'admin');
    const body = parseOr400(createSchema, request.body, 'body');
    const expiresAt = body.expiresAt === undefined ? null : new Date(body.expiresAt);
    if (expiresAt && expiresAt <= deps.now()) throw new HttpProblem(422, 'validation-error', 'Request is not valid', 'expiresAt must be in the future.', { errors: [{ pointer: '/expiresAt', detail: 'in the past' }] });
    const created = await createApiKey(deps.pool, {
      tenantId: principal.tenantId, name: body.name, scopes: body.scopes, rateLimitPerMinute: body.rateLimitPerMinute ?? deps.defaultRatePerMinute,
      expiresAt, createdBy: principal.subject, idempotencyKey: idempotencyKeyOf(request.headers),
    });
    return reply.status(created.token ? 201 : 200).header('cache-control', 'no-store').send({ ...keyJson(created.key), ...(created.token ? { key: created.token } : {}) });
  });

  app.get('/v1/api-keys', {
    schema: { tags, summary: "List the tenant's API keys (admin)", description: 'Newest first, keyset-paged; never the secrets.', querystring: schemaDoc(pageQuerySchema), response: { 200: { description: '`{ items, nextCursor }`' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.secret, 'admin');
    const query = parseOr400(pageQuerySchema, request.query, 'query');
    const rows = await listApiKeys(deps.pool, principal.tenantId, decodeCursor(query.cursor), query.limit + 1);
    const page = toPage(rows, query.limit, (k) => ({ createdAt: k.createdAt, id: k.id }));
    return { items: page.items.map(keyJson), nextCursor: page.nextCursor };
  });

  app.get('/v1/api-keys/:id', {
    schema: { tags, summary: 'Read an API key (admin)', params: schemaDoc(idParams), response: { 200: { description: 'The key without its secret' }, 404: { description: 'No such key in this tenant' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.secret, 'admin');
    const { id } = parseOr400(idParams, request.params, 'params');
    const key = await tenantApiKey(deps.pool, principal.tenantId, id);
    if (!key) throw new HttpProblem(404, 'not-found', 'Not found', `No API key ${id} in this tenant.`);
    return keyJson(key);
  });

  app.delete('/v1/api-keys/:id', {
    schema: { tags, summary: 'Revoke an API key (admin)', description: 'Takes effect on the next request, for the key and for client tokens issued to it. Revoking again answers the same.', params: schemaDoc(idParams), response: { 200: { description: 'The revoked key' }, 404: { description: 'No such key in this tenant' } } },
  }, async (request) => {
    const principal = authenticate(request, deps.secret, 'admin');
    const { id } = parseOr400(idParams, request.params, 'params');
    const key = await revokeApiKey(deps.pool, principal.tenantId, id, principal.subject);
    if (!key) throw new HttpProblem(404, 'not-found', 'Not found', `No API key ${id} in this tenant.`);
    return keyJson(key);
  });

  await app.register(async (scope) => {
    // RFC 6749 §4.4.2: the token request is form-encoded; JSON is accepted too.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    scope.post('/oauth/token', {
      schema: {
        tags, summary: 'OAuth2 client-credentials token (RFC 6749 §4.4)', security: [],
        description: `Client id = an API key's id, client secret = the key, by HTTP Basic or in the body. Answers an ${SIGNING_ALG} JWT access token (RFC 9068 \`at+jwt\`) signed by a key in /.well-known/jwks.json, for the key's scopes or the requested subset. Errors follow RFC 6749 §5.2 (\`{ error, error_description }\`).`,
        body: { content: { 'application/x-www-form-urlencoded': { schema: tokenRequestDoc }, 'application/json': { schema: tokenRequestDoc } } },
        response: {
          200: { description: '`{ access_token, token_type, expires_in, scope }`' },
          400: { description: 'invalid_request, unsupported_grant_type or invalid_scope', ...oauthErrorDoc },
          401: { description: 'invalid_client', ...oauthErrorDoc },
        },
      },
    }, async (request, reply) => {
      const body = tokenRequest.safeParse(request.body ?? {});
      if (!body.success) return oauthError(reply, 400, 'invalid_request', 'The token request is not valid.');
      if (body.data.grant_type !== 'client_credentials') return oauthError(reply, 400, 'unsupported_grant_type', 'Only client_credentials is supported.');
      const client = clientCredentials(request.headers.authorization, body.data);
      if (client === 'two-methods') return oauthError(reply, 400, 'invalid_request', 'Use one client authentication method, not two.');
      if (!client) return oauthError(reply, 401, 'invalid_client', 'Client authentication is required.');
      const parsed = parseApiKey(client.secret);
      const key = parsed && parsed.id === client.id ? await apiKeyById(deps.pool, parsed.id) : undefined;
      const now = deps.now();
      if (!parsed || !key || !secretMatches(parsed.secret, key.digest) || key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) {
        return oauthError(reply, 401, 'invalid_client', 'Unknown client, wrong secret, or a revoked or expired key.');
      }
      const requested = body.data.scope === undefined ? [...key.scopes] : body.data.scope.split(' ').filter((s) => s !== '');
      if (requested.length === 0 || requested.some((s) => !key.scopes.includes(s as Scope))) {
        return oauthError(reply, 400, 'invalid_scope', `This client may ask for: ${key.scopes.join(' ')}.`);
      }
      const signer = await deps.ring.signer();
      const issuedAt = Math.floor(now.getTime() / 1000);
      const scope = requested.join(' ');
      const accessToken = await new SignJWT({ tenant: key.tenantId, scope, client_id: key.id })
        .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ: 'at+jwt' })
        .setIssuer(deps.issuer).setAudience(deps.issuer).setSubject(key.id)
        .setIssuedAt(issuedAt).setExpirationTime(issuedAt + deps.tokenTtlSeconds).setJti(randomBytes(12).toString('base64url'))
        .sign(signer.key);
      return reply.header('cache-control', 'no-store').send({ access_token: accessToken, token_type: 'Bearer', expires_in: deps.tokenTtlSeconds, scope });
    });
  });

  app.get('/.well-known/jwks.json', {
    schema: { tags, summary: 'Public keys of the client-credentials tokens (RFC 7517)', security: [], response: { 200: { description: '`{ keys }`' } } },
  }, async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await deps.ring.jwks()));
}
