import type pg from 'pg';
import { DEMO_PRODUCTS } from '../../products/domain/demo-products.js';
import { ensureLedgerAccounts, writeBook, type BookRows } from '../adapters/pg-book-writer.js';
import { isoOf, simulateLoan, toDay, type SimLoan, type SimProduct } from '../domain/simulate.js';

/** Miss-probability multipliers per product (unsecured personal loans riskier than SME term loans). */
const RISK: Record<string, number> = { 'PL-12': 1.2, 'SME-TL': 0.8 };

/** The seeded products that repay in monthly instalments over more than one month (PL-12, SME-TL). */
export function simulatedProducts(): SimProduct[] {
  return DEMO_PRODUCTS.filter((p) => p.frequency === 'monthly' && (p.termPeriods?.max ?? 1) > 1).map((p) => ({
    code: p.code,
    currency: p.currency,
    scale: 2,
    principalMinor: [Number(p.principal!.min.amount), Number(p.principal!.max.amount) / 10],
    termMonths: [p.termPeriods!.min, Math.min(36, p.termPeriods!.max)],
    annualRatePercent: [Number(p.annualRatePercent!.min), Number(p.annualRatePercent!.max)],
    riskFactor: RISK[p.code] ?? 1,
  }));
}

export interface SimulateOptions {
  readonly tenantId: string;
  readonly loans: number;
  readonly months: number;
  readonly seed: number;
  /** The last simulated day, which becomes the tenant's business date. */
  readonly to: string;
  /** Loans per chunk (one transaction each); bounds memory. Default 2,000. */
  readonly chunkSize?: number;
  readonly onProgress?: (p: { loansDone: number; loansTotal: number; skipped: number }) => void;
}

export const loanIdOf = (tenantId: string, n: number) => `${tenantId}-${String(n).padStart(7, '0')}`;

/** A chunk of simulated loans as table rows. */
export function rowsOf(tenantId: string, loans: readonly SimLoan[], endDay: number): BookRows {
  const id = (l: SimLoan) => loanIdOf(tenantId, l.n);
  const money = (l: SimLoan) => ({ currency: l.product.currency, scale: l.product.scale });
  return {
    loans: loans.map((l) => ({ id: id(l), productCode: l.product.code, principalMinor: l.principalMinor, ...money(l), annualRatePercent: String(l.annualRatePercent), termPeriods: l.installments.length, disbursementDate: l.disbursedOn, status: l.status, region: l.region })),
    entries: loans.flatMap((l) => l.entries.map((e) => ({ loanId: id(l), ...e, ...money(l) }))),
    points: loans.flatMap((l) => l.points.map((p) => ({ loanId: id(l), ...p }))),
    installments: loans.flatMap((l) => l.installments.map((i) => ({ loanId: id(l), ...i, status: toDay(i.due) <= endDay ? 'due' as const : 'scheduled' as const }))),
    presentments: loans.flatMap((l) => l.presentments.map((p) => ({ id: `${id(l)}-nach-${p.installment}`, loanId: id(l), ...p, ...money(l) }))),
    promises: loans.flatMap((l) => l.promises.map((p, k) => ({ id: `${id(l)}-ptp-${k + 1}`, loanId: id(l), ...p, ...money(l) }))),
  };
}

/**
 * Writes a simulated book of `loans` loans disbursed over the `months` months up to `to`, chunk by chunk
 * (each one transaction; memory bounded by the chunk), and sets the tenant's business date to `to`. The
 * same seed gives the same book. Re-running resumes: a chunk whose first loan exists is skipped.
 */
export async function simulateBook(pool: pg.Pool, o: SimulateOptions): Promise<{ loansWritten: number; skipped: number }> {
  const products = simulatedProducts();
  const endDay = toDay(o.to);
  const startDay = toDay(`${isoOf(endDay).slice(0, 7)}-01`) - Math.round(o.months * 30.44);
  const chunk = o.chunkSize ?? 2000;
  await ensureLedgerAccounts(pool, o.tenantId);
  let written = 0;
  let skipped = 0;
  for (let lo = 1; lo <= o.loans; lo += chunk) {
    const hi = Math.min(o.loans, lo + chunk - 1);
    const exists = (await pool.query('SELECT 1 FROM loan_accounts WHERE id = $1', [loanIdOf(o.tenantId, lo)])).rowCount === 1;
    if (exists) skipped += hi - lo + 1;
    else {
      const loans = Array.from({ length: hi - lo + 1 }, (_, k) => simulateLoan(o.seed, lo + k, products, startDay, endDay));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await writeBook(client, o.tenantId, rowsOf(o.tenantId, loans, endDay));
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      written += loans.length;
    }
    o.onProgress?.({ loansDone: hi, loansTotal: o.loans, skipped });
  }
  await pool.query(
    `INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2::date) ON CONFLICT (tenant_id) DO UPDATE SET business_date = greatest(business_dates.business_date, excluded.business_date), updated_at = now()`,
    [o.tenantId, o.to],
  );
  await pool.query('ANALYZE loan_accounts; ANALYZE journal_lines; ANALYZE delinquency_history');
  return { loansWritten: written, skipped };
}
