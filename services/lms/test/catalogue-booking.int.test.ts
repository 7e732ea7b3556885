import { randomUUID } from 'node:crypto';
import { sampleLoanApprovedV1 } from '@lendstack/contracts';
import { infrastructure } from '@lendstack/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineScheduleCalculator } from '../src/modules/loans/adapters/loan-engine.schedule.js';
import { createPgLoanBookingStore } from '../src/modules/loans/adapters/pg-loan-booking.store.js';
import { bookApprovedLoans } from '../src/modules/loans/use-cases/book-approved-loans.js';

// A LoanApproved naming a product its tenant's catalogue does not have is refused (dead-lettered with
// the reason, and LoanBookingRejected); a tenant with no catalogue at all is not checked.
let pool: pg.Pool;
beforeAll(async () => {
  const { lmsDatabaseUrl } = await infrastructure();
  pool = new pg.Pool({ connectionString: lmsDatabaseUrl, max: 4 });
});
afterAll(async () => {
  await pool?.end();
});

const delivered = (tenantId: string, productCode: string) => {
  const event = sampleLoanApprovedV1({ loanId: randomUUID(), tenantId, loan: { productCode } });
  return { event, topic: 't', partition: 0, offset: '0', headers: {} };
};

describe('booking against the tenant catalogue', () => {
  it('refuses an unknown product of a tenant with products, books a known one, and does not check a tenant without any', async () => {
    const store = createPgLoanBookingStore(pool);
    const withCatalogue = `cat-${randomUUID().slice(0, 8)}`;
    // Only the catalogue's index of codes matters here; the product's versions are the products module's.
    await pool.query(`INSERT INTO products (tenant_id, code, id, latest_version, updated_at) VALUES ($1, 'PL-12', $2, 0, now())`, [withCatalogue, randomUUID()]);
    const deliveries = [delivered(withCatalogue, 'NOPE'), delivered(withCatalogue, 'PL-12'), delivered(`free-${randomUUID().slice(0, 8)}`, 'ANY')];
    const rejections = await bookApprovedLoans({ store, calculateSchedule: engineScheduleCalculator, onBooked: () => undefined }, deliveries);
    expect(rejections.map((r) => [r.delivered.event.payload.loan.productCode, r.code])).toEqual([['NOPE', 'unbookable']]);
    expect(rejections[0]!.reason).toContain('not in tenant');
    const booked = await pool.query('SELECT product_code FROM loan_accounts WHERE id = ANY($1) ORDER BY product_code', [deliveries.map((d) => d.event.subject)]);
    expect(booked.rows.map((r) => r.product_code)).toEqual(['ANY', 'PL-12']);
  });
});
