import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpProblem } from './problem.js';

/**
 * Bearer tokens are JWTs signed with HS256 by the deployment's token secret (AUTH_TOKEN_SECRET).
 * Claims: `sub` (who), `tenant` (whose data), `roles` (partner | operator), `exp`. A tenant only ever
 * sees its own data: every query filters by `principal.tenantId`.
 */
export type Role = 'partner' | 'operator';

/** The secret a local development deployment signs with when none is configured. Never in production. */
export const DEV_AUTH_TOKEN_SECRET = 'lendstack-local-development-secret-change-me';

export interface Principal {
  readonly subject: string;
  readonly tenantId: string;
  readonly roles: readonly Role[];
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(100),
  tenant: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/),
  roles: z.array(z.enum(['partner', 'operator'])).min(1),
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

/** Reads the caller from the Authorization header, or throws 401; with `role`, throws 403 without it. */
export function authenticate(request: FastifyRequest, secret: string, role?: Role): Principal {
  const value = request.headers.authorization;
  const token = value?.startsWith('Bearer ') ? value.slice(7) : undefined;
  const principal = token ? verifyToken(secret, token, Math.floor(Date.now() / 1000)) : undefined;
  if (!principal) throw new HttpProblem(401, 'unauthenticated', 'Authentication required', 'Send a valid, unexpired bearer token.');
  if (role && !principal.roles.includes(role)) {
    throw new HttpProblem(403, 'forbidden', 'Not allowed', `This action needs the ${role} role.`);
  }
  return principal;
}
