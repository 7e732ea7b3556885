// Shared setup of the servicing integration tests: the LMS HTTP API over the REAL database (an
// isolated one, migrated), with the real ledger, a payout rail that settles at once, and loans booked
// through the booking store exactly as the LoanApproved consumer books them.
import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1, type LoanApprovedV1 } from '@lendstack/contracts';
import { createLogger, createMetrics, signToken, type Role } from '@lendstack/platform';
import { infrastructure } from '@lendstack/testing';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/http/server.js';
import { createPgLedgerQueries } from '../src/modules/ledger/adapters/pg-ledger.queries.js';
import { createPgLedger } from '../src/modules/ledger/adapters/pg-ledger.repository.js';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPrismaLoanRepository } from '../src/modules/loans/adapters/prisma-loan.repository.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookLoanAccount } from '../src/modules/loans/domain/loan-account.js';
import type { PayoutPort } from '../src/modules/payouts/ports.js';
import { createPrismaProductRepository } from '../src/modules/products/adapters/prisma-product.repository.js';
import { createEodRunner } from '../src/modules/servicing/adapters/eod-runner.js';
import { createServicingReader } from '../src/modules/servicing/adapters/servicing.reader.js';
import type { DisbursementDeps } from '../src/modules/servicing/use-cases/disbursements.js';
import { createPrisma, type PrismaClient } from '../src/platform/prisma.js';

export interface Harness {
  app: FastifyInstance;
  pool: pg.Pool;
  prisma: PrismaClient;
  deps: DisbursementDeps;
  auth(roles: Role[], tenantId: string): Record<string, string>;
  book(tenantId: string, loan?: Partial<LoanApprovedV1['payload']['loan']>): Promise<string>;
  close(): Promise<void>;
}

/** A rail that pays every payout at once (status processed), as a sandbox set to settle immediately does. */
export const instantPayouts: PayoutPort = {
  submit: async (r) => ({ providerPayoutId: `pout_${r.payoutId.slice(0, 8)}`, status: 'processed' }),
  status: async () => ({ error: 'not-found' }),
  verifyWebhook: () => ({ error: 'malformed', detail: 'not used' }),
};

export async function startHarness(payouts: PayoutPort = instantPayouts, poolMax = 20): Promise<Harness> {
  const { lmsDatabaseUrl } = await infrastructure();
  const config = loadConfig({ LMS_DATABASE_URL: lmsDatabaseUrl });
  const secret = config.AUTH_TOKEN_SECRET;
  const pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: poolMax });
  const prisma = createPrisma(pool);
  const products = createPrismaProductRepository(prisma);
  const loans = createPrismaLoanRepository(prisma);
  const booking = createPgLoanBookingStore(pool);
  const deps: DisbursementDeps = { pool, ledger: createPgLedger(), payouts, now: () => new Date(), today: () => '2026-01-01', newId: randomUUID, onOutbox: () => undefined };
  const app = await buildServer({
    logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }),
    metrics: createMetrics('lendstack-lms-test'),
    loans: { loans, authSecret: secret, servicing: createServicingReader(pool) },
    products: { store: products, products, authSecret: secret, now: () => new Date(), newId: randomUUID, onPublished: () => undefined },
    readiness: { database: async () => (await pool.query('SELECT 1')).rowCount === 1 },
    businessDate: { pool, authSecret: secret, today: deps.today },
    ledger: { queries: createPgLedgerQueries(pool), authSecret: secret },
    servicing: { ...deps, authSecret: secret },
    endOfDay: { ...deps, newId: randomUUID, authSecret: secret, runner: createEodRunner({ ...deps, logger: createLogger({ service: 'lendstack-lms-test', level: 'silent' }) }) },
    reports: { pool, authSecret: secret, today: deps.today },
  });
  await app.ready();
  return {
    app, pool, prisma, deps,
    auth: (roles, tenantId) => ({ authorization: `Bearer ${signToken(secret, { subject: `${roles[0]}-user`, tenantId, roles }, 600, Math.floor(Date.now() / 1000))}` }),
    async book(tenantId, loan = {}) {
      const event = sampleLoanApprovedV1({
        tenantId,
        loan: {
          productCode: 'TEST-PL', principal: { amount: '10000000', currency: 'INR', scale: 2 }, annualRatePercent: '12', termPeriods: 6, frequency: 'monthly',
          scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-01-01', firstDueDate: undefined, fees: [],
          ...loan,
        } as Partial<LoanApprovedV1['payload']['loan']>,
      });
      const booked = bookLoanAccount(event, engineScheduleCalculator(event));
      if (!booked.ok) throw new Error(booked.reason);
      await booking.bookNew([{ eventId: event.id, eventType: event.type, eventVersion: 1, account: booked.account, traceparent: undefined }]);
      return booked.account.id;
    },
    async close() {
      await app.close();
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

/** Σ debits − Σ credits over every journal line of a tenant: zero, always. */
export async function trialBalance(pool: pg.Pool, tenantId: string): Promise<{ debit: bigint; credit: bigint }> {
  const row = (await pool.query<{ d: string; c: string }>(
    `SELECT coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0)::text AS d, coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0)::text AS c FROM journal_lines WHERE tenant_id = $1`, [tenantId])).rows[0]!;
  return { debit: BigInt(row.d), credit: BigInt(row.c) };
}

export const newTenant = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
export const inr = (amount: string | bigint) => ({ amount: amount.toString(), currency: 'INR', scale: 2 });
