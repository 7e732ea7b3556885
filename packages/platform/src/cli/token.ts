import { DEV_AUTH_TOKEN_SECRET, signToken, type Role } from '../auth.js';

// Mints a development bearer token: pnpm -s token <tenant> <partner|operator> [ttlSeconds]
const [tenant, role, ttl] = process.argv.slice(2);
if (!tenant || (role !== 'partner' && role !== 'operator')) {
  console.error('usage: pnpm -s token <tenant> <partner|operator> [ttlSeconds]');
  process.exit(2);
}
const secret = process.env.AUTH_TOKEN_SECRET ?? DEV_AUTH_TOKEN_SECRET;
const now = Math.floor(Date.now() / 1000);
console.log(signToken(secret, { subject: `${role}@${tenant}`, tenantId: tenant, roles: [role as Role] }, Number(ttl ?? 86_400), now));
