// The signed-in user: their bearer token in an HttpOnly, SameSite=Strict cookie. The console never decides
// what a user may do; the LOS and LMS verify the token on every call. The claims shown on the page are read
// from the token for display only.
import { ROLES, signToken, type Role } from '@lendstack/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Viewer } from './html.js';

export const COOKIE = 'lendstack_console_token';

const claimsSchema = z.object({ sub: z.string(), tenant: z.string(), roles: z.array(z.string()), exp: z.number() });

/** The token's claims (not verified here: the APIs verify), or undefined when it is no JWT of staff claims or has expired. */
export function viewerOf(token: string, nowSeconds = Math.floor(Date.now() / 1000)): (Viewer & { exp: number }) | undefined {
  const claims = token.split('.')[1];
  if (!claims) return undefined;
  try {
    const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(claims, 'base64url').toString()));
    if (!parsed.success || parsed.data.exp <= nowSeconds) return undefined;
    return { subject: parsed.data.sub, tenantId: parsed.data.tenant, roles: parsed.data.roles, exp: parsed.data.exp };
  } catch {
    return undefined;
  }
}

export function cookieToken(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function setSession(reply: FastifyReply, token: string, exp: number): void {
  const maxAge = Math.max(0, exp - Math.floor(Date.now() / 1000));
  void reply.header('set-cookie', `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`);
}
export function clearSession(reply: FastifyReply): void {
  void reply.header('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
}

const devSignInSchema = z.object({
  tenant: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'tenant: lower-case letters, digits and dashes'),
  subject: z.string().trim().min(1).max(200),
  roles: z.array(z.enum(ROLES)).min(1, 'pick at least one role'),
});

/** Development only: a staff token minted with the APIs' own secret, 8 hours. */
export function devToken(secret: string, form: Record<string, string | string[]>): { ok: true; token: string } | { ok: false; errors: { pointer: string; detail: string }[] } {
  const roles = form.roles === undefined ? [] : Array.isArray(form.roles) ? form.roles : [form.roles];
  const parsed = devSignInSchema.safeParse({ tenant: form.tenant, subject: form.subject, roles });
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => ({ pointer: `/${i.path.join('/')}`, detail: i.message })) };
  const now = Math.floor(Date.now() / 1000);
  return { ok: true, token: signToken(secret, { subject: parsed.data.subject, tenantId: parsed.data.tenant, roles: parsed.data.roles as Role[] }, 8 * 3600, now) };
}
