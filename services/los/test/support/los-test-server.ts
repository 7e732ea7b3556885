import { randomInt, randomUUID } from 'node:crypto';
import { createLogger, createMetrics, signToken, type Role } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/http/server.js';
import { createPrismaProductCatalogue } from '../../src/modules/catalogue/adapters/prisma-product.catalogue.js';
import type { ProductCatalogue } from '../../src/modules/catalogue/ports.js';
import { createHmacPiiVault } from '../../src/modules/applications/adapters/hmac-pii.vault.js';
import { createPrismaApplicationStore } from '../../src/modules/applications/adapters/prisma-application.store.js';
import { createPrisma } from '../../src/platform/prisma.js';

/**
 * The LOS HTTP API over the REAL Postgres-backed store (the test database infra/test.sh migrates),
 * driven with app.inject. The outbox relay is not started, so approvals leave their rows unsent.
 */
export interface LosTestServer {
  /** The catalogue the submission route checks; tests publish products into it directly. */
  readonly catalogue: ProductCatalogue;
  readonly app: FastifyInstance;
  readonly pool: pg.Pool;
  readonly secret: string;
  /** A bearer header for `roles` in `tenantId` (default: this file's tenant). */
  auth(roles: Role[], tenantId?: string): { authorization: string };
  readonly tenantId: string;
  close(): Promise<void>;
}

/** A tenant id no other test file uses, so each file sees only its own data. */
export function uniqueTenant(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function startLosTestServer(tenantPrefix: string): Promise<LosTestServer> {
  const { losDatabaseUrl } = await infrastructure();
  const config = loadConfig({ LOS_DATABASE_URL: losDatabaseUrl });
  const pool = new pg.Pool({ connectionString: losDatabaseUrl, max: 10 });
  const prisma = createPrisma(pool);
  const catalogue = createPrismaProductCatalogue(prisma);
  const app = await buildServer({
    metrics: createMetrics('lendstack-los-test'),
    logger: createLogger({ service: 'lendstack-los-test', level: 'silent' }),
    applications: {
      store: createPrismaApplicationStore(prisma),
      vault: createHmacPiiVault(config.PII_TOKEN_SECRET),
      newId: randomUUID,
      now: () => new Date(),
      notifyOutbox: () => undefined,
      catalogue,
      authSecret: config.AUTH_TOKEN_SECRET,
    },
    quotes: { authSecret: config.AUTH_TOKEN_SECRET },
    reconciliation: { pool, authSecret: config.AUTH_TOKEN_SECRET },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
  });
  await app.ready();
  const tenantId = uniqueTenant(tenantPrefix);
  let subject = 0;
  return {
    app,
    pool,
    catalogue,
    secret: config.AUTH_TOKEN_SECRET,
    tenantId,
    auth(roles, tenant = tenantId) {
      subject += 1;
      const token = signToken(config.AUTH_TOKEN_SECRET, { subject: `${roles[0]}-${subject}`, tenantId: tenant, roles }, 300, Math.floor(Date.now() / 1000));
      return { authorization: `Bearer ${token}` };
    },
    async close() {
      await app.close();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** A date `days` from today (UTC), YYYY-MM-DD. */
export function isoDateFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A PAN-shaped national id unique to one test, so its absence from the database can be asserted. */
export function uniquePan(): string {
  const letters = () => String.fromCharCode(65 + randomInt(26));
  return `${letters()}${letters()}${letters()}P${letters()}${String(randomInt(10_000)).padStart(4, '0')}${letters()}`;
}

/** A complete application body; override any part per test. */
export function applicationBody(options: { pan?: string; accountNumber?: string; disbursementDate?: string } = {}) {
  return {
    applicant: {
      name: { given: 'Priya', family: 'Sharma' },
      contact: { email: 'priya.sharma@example.in', phone: '+919876543210' },
      address: { line1: '14 MG Road', city: 'Bengaluru', region: 'KA', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', value: options.pan ?? uniquePan() },
      bankAccount: { holderName: 'Priya Sharma', accountNumber: options.accountNumber ?? `50100${randomInt(10_000_000, 99_999_999)}`, bankCode: 'HDFC0001234' },
    },
    loan: {
      productCode: 'PL-12M',
      principal: { amount: '50000000', currency: 'INR', scale: 2 },
      annualRatePercent: '14.5',
      termPeriods: 12,
      frequency: 'monthly',
      expectedDisbursementDate: options.disbursementDate ?? isoDateFromToday(7),
      fees: [{ code: 'PROC', name: 'Processing fee', amount: { amount: '1000000', currency: 'INR', scale: 2 }, timing: 'financed' }],
    },
  };
}
