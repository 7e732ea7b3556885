import { DEV_AUTH_TOKEN_SECRET, ROLES, signToken, type Role } from '../auth.js';

// Mints a development bearer token: pnpm -s token <tenant> <role>[,<role>…] [ttlSeconds] [subject]
const [tenant, roleList, ttl, subject] = process.argv.slice(2);
const roles = (roleList ?? '').split(',').filter((r) => r !== '');
const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
if (!tenant || roles.length === 0 || unknown.length > 0) {
  if (unknown.length > 0) console.error(`unknown role(s): ${unknown.join(', ')}`);
  console.error(`usage: pnpm -s token <tenant> <role>[,<role>…] [ttlSeconds] [subject]   roles: ${ROLES.join(', ')}`);
  process.exit(2);
}
const secret = process.env.AUTH_TOKEN_SECRET ?? DEV_AUTH_TOKEN_SECRET;
const now = Math.floor(Date.now() / 1000);
const who = subject ?? `${roles.join('+')}@${tenant}`;
console.log(signToken(secret, { subject: who, tenantId: tenant, roles: [...new Set(roles)] as Role[] }, Number(ttl ?? 86_400), now));
