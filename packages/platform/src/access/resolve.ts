import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type pg from 'pg';
import { z } from 'zod';
import { ROLES, verifyToken, type Principal } from '../auth.js';
import { apiKeyById, touchApiKey } from './api-key.store.js';
import { looksLikeApiKey, parseApiKey, secretMatches, SCOPES } from './credentials.js';
import { SIGNING_ALG, type KeyRing } from './signing-keys.js';

/** Role-based staff tokens from the lender's identity provider (AUTH_ISSUER, AUTH_JWKS_URL, AUTH_AUDIENCE). */
export interface ExternalIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: JWTVerifyGetKey;
}

export interface Resolver {
  readonly pool: pg.Pool;
  /** HS256 secret of development tokens (`pnpm token`). */
  readonly secret: string;
  /** `iss` and `aud` of the client-credentials tokens this service issues. */
  readonly issuer: string;
  readonly audience: string;
  readonly ring: KeyRing;
  readonly external?: ExternalIssuer;
  readonly now: () => Date;
}

const staffClaims = z.object({
  sub: z.string().min(1).max(200),
  tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
});

const clientClaims = z.object({
  sub: z.string().regex(/^[0-9a-f]{18}$/),
  tenant: z.string().min(1),
  scope: z.string(),
});

/**
 * The principal a presented credential proves, or undefined for any credential that does not verify:
 * an API key (`lsk_…`, as a bearer token or in X-Api-Key), a client-credentials token of this service
 * (ES256, its own JWKS), a staff token of the configured issuer (RS256/ES256 from its JWKS), or an HS256
 * development token. `alg: none` and every other algorithm are refused; expiry, issuer and audience
 * are checked. A partner credential's key is read on every request, so revoking it takes effect at once.
 */
export async function resolveCredential(resolver: Resolver, token: string): Promise<Principal | undefined> {
  if (looksLikeApiKey(token)) return apiKeyPrincipal(resolver, token);
  let alg: string | undefined;
  let iss: string | undefined;
  try {
    alg = decodeProtectedHeader(token).alg;
    iss = decodeJwt(token).iss;
  } catch {
    return undefined;
  }
  if (alg === 'HS256') return verifyToken(resolver.secret, token, Math.floor(resolver.now().getTime() / 1000));
  try {
    if (iss === resolver.issuer) return await clientTokenPrincipal(resolver, token);
    const external = resolver.external;
    if (external && iss === external.issuer) {
      const { payload } = await jwtVerify(token, external.keys, { issuer: external.issuer, audience: external.audience, algorithms: ['RS256', 'ES256'], currentDate: resolver.now() });
      const claims = staffClaims.safeParse(payload);
      return claims.success ? { subject: claims.data.sub, tenantId: claims.data.tenant, roles: claims.data.roles } : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

async function apiKeyPrincipal(resolver: Resolver, token: string): Promise<Principal | undefined> {
  const parsed = parseApiKey(token);
  if (!parsed) return undefined;
  const key = await apiKeyById(resolver.pool, parsed.id);
  if (!key || !secretMatches(parsed.secret, key.digest) || !usable(key, resolver.now())) return undefined;
  // Use is recorded at most once a minute: the row just read says whether it is due, so a busy key costs no statement more.
  if (key.lastUsedAt === null || resolver.now().getTime() - key.lastUsedAt.getTime() >= 60_000) await touchApiKey(resolver.pool, key.id);
  return { subject: `api-key:${key.id}`, tenantId: key.tenantId, roles: ['partner'], scopes: key.scopes, credential: { kind: 'api-key', id: key.id, ratePerMinute: key.rateLimitPerMinute } };
}

async function clientTokenPrincipal(resolver: Resolver, token: string): Promise<Principal | undefined> {
  const { payload } = await jwtVerify(token, resolver.ring.verifier(), { issuer: resolver.issuer, audience: resolver.audience, algorithms: [SIGNING_ALG], typ: 'at+jwt', currentDate: resolver.now() });
  const claims = clientClaims.safeParse(payload);
  if (!claims.success) return undefined;
  // The token outlives nothing: a revoked or expired key's tokens stop working with it.
  const key = await apiKeyById(resolver.pool, claims.data.sub);
  if (!key || key.tenantId !== claims.data.tenant || !usable(key, resolver.now())) return undefined;
  const scopes = claims.data.scope.split(' ').filter((s): s is (typeof SCOPES)[number] => (SCOPES as readonly string[]).includes(s) && key.scopes.includes(s as never));
  return { subject: `client:${key.id}`, tenantId: key.tenantId, roles: ['partner'], scopes, credential: { kind: 'client-token', id: key.id, ratePerMinute: key.rateLimitPerMinute } };
}

const usable = (key: { revokedAt: Date | null; expiresAt: Date | null }, now: Date) => key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
