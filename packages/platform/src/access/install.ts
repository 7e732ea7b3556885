import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createRemoteJWKSet } from 'jose';
import type pg from 'pg';
import { bearerToken, type Principal } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { accessRoutes } from './access.routes.js';
import type { Scope } from './credentials.js';
import { resolveCredential, type Resolver } from './resolve.js';
import { createKeyRing, ensureSigningKey } from './signing-keys.js';

export interface AccessOptions {
  readonly pool: pg.Pool;
  /** The deployment's token secret: verifies HS256 development tokens and seals the signing keys. */
  readonly secret: string;
  /** `iss`/`aud` of this service's client-credentials tokens, e.g. `urn:lendstack:lms`. */
  readonly issuer: string;
  /** The staff identity provider, when configured (AUTH_ISSUER, AUTH_JWKS_URL, AUTH_AUDIENCE). */
  readonly external?: { readonly issuer: string; readonly jwksUrl: string; readonly audience: string };
  /**
   * What partner credentials may do beyond reading: `"POST /v1/applications": "submit"`. A GET needs
   * `read`; any other route missing here is closed to partner credentials (staff tokens only).
   */
  readonly partnerScopes: Readonly<Record<string, Scope>>;
  /** Requests a minute a new key gets unless its creator sets another. */
  readonly defaultRatePerMinute: number;
  /** Lifetime of a client-credentials token. */
  readonly tokenTtlSeconds: number;
  /** How long a replica keeps the signing keys before reading them again (a rotation reaches it within this). */
  readonly signingKeyRefreshMs?: number;
  readonly now?: () => Date;
}

/**
 * Partner access for one service: resolves the caller of every request once (API key, client token,
 * staff token; see resolveCredential) before any route runs, rate-limits partner credentials per key
 * (429 with Retry-After and RateLimit-* fields), and serves the key admin, OAuth2 token and JWKS routes.
 * Call before registering the service's routes. `authenticate()` then reads the resolved caller.
 */
export async function installAccess(app: FastifyInstance, options: AccessOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  await ensureSigningKey(options.pool, options.secret);
  const ring = createKeyRing(options.pool, options.secret, { now: () => now().getTime(), ...(options.signingKeyRefreshMs === undefined ? {} : { refreshMs: options.signingKeyRefreshMs }) });
  const external = options.external && {
    issuer: options.external.issuer,
    audience: options.external.audience,
    keys: createRemoteJWKSet(new URL(options.external.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
  };
  const resolver: Resolver = { pool: options.pool, secret: options.secret, issuer: options.issuer, audience: options.issuer, ring, now, ...(external ? { external } : {}) };

  app.decorateRequest('access', undefined);
  app.addHook('onRequest', async (request) => {
    const scope = scopeOf(options.partnerScopes, request);
    const headerKey = request.headers['x-api-key'];
    const token = typeof headerKey === 'string' ? headerKey : bearerToken(request.headers.authorization);
    if (token === undefined) {
      request.access = { sent: false, ...(scope ? { scope } : {}) };
      return;
    }
    const principal = await resolveCredential(resolver, token);
    request.access = { sent: true, ...(principal ? { principal } : {}), ...(scope ? { scope } : {}) };
  });

  const partnerOf = (request: FastifyRequest): Principal['credential'] => request.access?.principal?.credential;
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    timeWindow: 60_000,
    enableDraftSpec: true,
    allowList: (request) => partnerOf(request) === undefined,
    keyGenerator: (request) => partnerOf(request)?.id ?? request.ip,
    max: (request) => partnerOf(request)?.ratePerMinute ?? options.defaultRatePerMinute,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, 'rate-limited', 'Too many requests', `This credential may make ${context.max} requests a minute; retry in ${context.after}.`, { limit: context.max }),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const credential = partnerOf(request);
    if (credential) void reply.header('ratelimit-policy', `${credential.ratePerMinute};w=60`);
    return payload;
  });

  await app.register(accessRoutes, { ...options, ring, now });
}

function scopeOf(table: Readonly<Record<string, Scope>>, request: FastifyRequest): Scope | undefined {
  const route = request.routeOptions.url;
  if (route === undefined) return undefined;
  if (request.method === 'GET' || request.method === 'HEAD') return 'read';
  return table[`${request.method} ${route}`];
}
