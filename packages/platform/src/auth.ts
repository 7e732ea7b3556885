import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Scope } from './access/credentials.js';
import { HttpProblem } from './problem.js';

/**
 * Bearer tokens are JWTs signed with HS256 by the deployment's token secret (AUTH_TOKEN_SECRET).
 * Claims: `sub` (who), `tenant` (whose data), `roles` (one or more of ROLES), `exp`. A tenant only ever
 * sees its own data: every query filters by `principal.tenantId`.
 *
 * partner: a lender's integration (submits applications, reads its loans, posts repayments);
 * operator: lender staff who decide applications and service loans; approver: the second pair of eyes
 * in maker-checker flows; admin: tenant configuration (products, business date).
 */
export const ROLES = ['partner', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The secret a local development deployment signs with when none is configured. Never in production. */
export const DEV_AUTH_TOKEN_SECRET = 'lendstack-local-development-secret-change-me';

export interface Principal {
  readonly subject: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
  /**
   * A partner credential (API key, client-credentials token) holds the partner role and these scopes,
   * and reaches only the routes its service opens to a scope; staff tokens have no scopes.
   */
  readonly scopes?: readonly Scope[];
  /** The key behind a partner credential: what its rate limit counts. */
  readonly credential?: { readonly kind: 'api-key' | 'client-token'; readonly id: string; readonly ratePerMinute: number };
}

/**
 * The caller as the access hook (installAccess) resolved it before the route ran: whether a credential
 * was sent, the principal it proves (if valid), and the scope the route needs of partner credentials.
 */
export interface ResolvedAccess {
  readonly sent: boolean;
  readonly principal?: Principal;
  readonly scope?: Scope;
}

declare module 'fastify' {
  interface FastifyRequest {
    access?: ResolvedAccess;
  }
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(100),
  tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
  exp: z.number().int(),
});

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signToken(secret: string, principal: Principal, ttlSeconds: number, nowSeconds: number): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = b64url(JSON.stringify({ sub: principal.subject, tenant: principal.tenantId, roles: principal.roles, exp: nowSeconds + ttlSeconds }));
  const signature = b64url(createHmac('sha256', secret).update(`${header}.${claims}`).digest());
  return `${header}.${claims}.${signature}`;
}

export function verifyToken(secret: string, token: string, nowSeconds: number): Principal | undefined {
  const [header, claims, signature] = token.split('.');
  if (!header || !claims || !signature) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${claims}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const head = JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: string };
    if (head.alg !== 'HS256') return undefined;
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(claims, 'base64url').toString()));
    if (!parsed.success || parsed.data.exp <= nowSeconds) return undefined;
    return { subject: parsed.data.sub, tenantId: parsed.data.tenant, roles: parsed.data.roles };
  } catch {
    return undefined;
  }
}

/** `Bearer <token>`: the scheme name matched case-insensitively, then one or more spaces (RFC 9110 §11.1, §11.4). */
const BEARER = /^bearer +(\S+) *$/i;

/** The token of a `Bearer` Authorization header, or undefined for no header or another scheme. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
}

/**
 * Reads the caller from the Authorization header, or throws 401 with a `WWW-Authenticate: Bearer`
 * challenge (RFC 9110 §11.6.1; `error="invalid_token"` when a token was sent, RFC 6750 §3); with
 * `role`, throws 403 unless the caller holds it (or, given a list, any one of them).
 */
export function authenticate(request: FastifyRequest, secret: string, role?: Role | readonly Role[]): Principal {
  let sent: boolean;
  let principal: Principal | undefined;
  if (request.access) {
    ({ sent, principal } = request.access);
  } else {
    const token = bearerToken(request.headers.authorization);
    sent = token !== undefined;
    principal = token ? verifyToken(secret, token, Math.floor(Date.now() / 1000)) : undefined;
  }
  if (!principal) {
    const challenge = sent ? 'Bearer realm="lendstack", error="invalid_token"' : 'Bearer realm="lendstack"';
    throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'Send a valid, unexpired bearer token or API key.', {}, { 'www-authenticate': challenge });
  }
  const needed: readonly Role[] = role === undefined ? [] : typeof role === 'string' ? [role] : role;
  if (needed.length > 0 && !needed.some((r) => principal.roles.includes(r))) {
    throw new HttpProblem(403, 'forbidden', 'Not allowed', `This action needs the ${needed.join(' or ')} role.`);
  }
  if (principal.scopes) {
    const scope = request.access?.scope;
    if (scope === undefined) throw new HttpProblem(403, 'forbidden', 'Not allowed', 'This route is not open to partner credentials (API keys, client tokens).');
    if (!principal.scopes.includes(scope)) throw new HttpProblem(403, 'insufficient-scope', 'Not allowed', `This action needs the ${scope} scope.`, {}, { 'www-authenticate': `Bearer realm="lendstack", error="insufficient_scope", scope="${scope}"` });
  }
  return principal;
}
