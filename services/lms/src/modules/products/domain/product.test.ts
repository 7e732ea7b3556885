import { checkBookable, productPublishedV1Schema, type LoanTermsV1 } from '@lendstack/contracts';
import { NAMED_STRATEGIES } from '@lendstack/loan-engine';
import { describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS } from './demo-products.js';
import { canonicalJson, decideVersion, DEFAULT_CHART_OF_ACCOUNTS, definitionHash, productInputSchema, productPublishedEvent, toAccountProduct, type ProductInput } from './product.js';

const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const base: ProductInput = {
  code: 'PL-TEST',
  name: 'Test personal loan',
  currency: 'INR',
  principal: { min: inr('1000000'), max: inr('50000000') },
  termPeriods: { min: 3, max: 36 },
  annualRatePercent: { min: '9', max: '18' },
  frequency: 'monthly',
  scheduleMethod: 'equal-installment',
  dayCount: '30/360',
};

/** The JSON pointers-as-paths a refused input names. */
function refusedPaths(input: unknown): string[] {
  const result = productInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('product definition', () => {
  it('given only the required fields, fills every default (none, 0 grace, 90/120 DPD, US buckets, default chart)', () => {
    const p = productInputSchema.parse(base);
    expect(p).toMatchObject({
      description: null, interestCalculation: 'per-period', fees: [], allocationStrategy: 'penalties-fees-interest-principal', graceDays: 0,
      lateFee: null, penalInterest: null, prepaymentCharge: null, nonAccrualDpd: 90, chargeOffDpd: 120, bucketSet: 'us',
    });
    expect(p.chartOfAccounts).toEqual(DEFAULT_CHART_OF_ACCOUNTS);
    expect(p.chartOfAccounts['loan-portfolio']).toEqual({ code: '1100', name: 'Loan portfolio (principal receivable)' });
  });

  it('given a partial chart, overrides only the accounts named', () => {
    const p = productInputSchema.parse({ ...base, chartOfAccounts: { 'interest-income': { code: '4101', name: 'Interest income: personal loans' } } });
    expect(p.chartOfAccounts['interest-income']).toEqual({ code: '4101', name: 'Interest income: personal loans' });
    expect(p.chartOfAccounts['fee-income']).toEqual(DEFAULT_CHART_OF_ACCOUNTS['fee-income']);
  });

  it('accepts every allocation strategy the engine names, and nothing else', () => {
    for (const strategy of Object.keys(NAMED_STRATEGIES)) expect(refusedPaths({ ...base, allocationStrategy: strategy })).toEqual([]);
    expect(refusedPaths({ ...base, allocationStrategy: 'interest-first' })).toEqual(['allocationStrategy']);
  });

  it.each([
    ['principal min above max', { principal: { min: inr('50000001'), max: inr('50000000') } }, ['principal.max']],
    ['term min above max', { termPeriods: { min: 12, max: 6 } }, ['termPeriods.max']],
    ['rate min above max', { annualRatePercent: { min: '18.5', max: '18' } }, ['annualRatePercent.max']],
    ['a principal in another currency', { principal: { min: { amount: '1000', currency: 'USD', scale: 2 }, max: inr('50000000') } }, ['principal.min.currency']],
    ['a scale not the currency’s', { principal: { min: { amount: '1000', currency: 'INR', scale: 3 }, max: inr('50000000') } }, ['principal.min.scale']],
    ['a late-fee cap in another currency', { lateFee: { kind: 'percent', percent: '2', cap: { amount: '1000', currency: 'USD', scale: 2 } } }, ['lateFee.cap.currency']],
    ['a flat late fee in another currency', { lateFee: { kind: 'flat', amount: { amount: '1000', currency: 'USD', scale: 2 } } }, ['lateFee.amount.currency']],
    ['a late-fee percent over 100', { lateFee: { kind: 'percent', percent: '100.5', cap: inr('1000') } }, ['lateFee.percent']],
    ['a percent late fee without a cap', { lateFee: { kind: 'percent', percent: '2' } }, ['lateFee.cap']],
    ['a prepayment percent over 100', { prepaymentCharge: { percentOfPrincipal: '101', fixed: inr('0') } }, ['prepaymentCharge.percentOfPrincipal']],
    ['a fee in another currency', { fees: [{ code: 'PF', name: 'Processing', amount: { amount: '1000', currency: 'USD', scale: 2 }, timing: 'upfront' }] }, ['fees.0.amount.currency']],
    ['grace not below non-accrual', { graceDays: 30, nonAccrualDpd: 30 }, ['graceDays']],
    ['non-accrual after charge-off', { nonAccrualDpd: 150, chargeOffDpd: 120 }, ['chargeOffDpd']],
    ['a zero-interest split at a rate', { scheduleMethod: 'zero-interest-split', annualRatePercent: { min: '0', max: '1' } }, ['annualRatePercent.max']],
    ['two accounts with one GL code', { chartOfAccounts: { 'fee-income': { code: '4100', name: 'Fees' } } }, ['chartOfAccounts.fee-income.code']],
    ['an unknown ledger account', { chartOfAccounts: { 'petty-cash': { code: '1000', name: 'Cash' } } }, ['chartOfAccounts']],
    ['a lower-case code', { code: 'pl-test' }, ['code']],
    ['an unknown bucket set', { bucketSet: 'eu' }, ['bucketSet']],
    ['a float amount', { principal: { min: { amount: 1000, currency: 'INR', scale: 2 }, max: inr('50000000') } }, ['principal.min.amount']],
  ])('refuses %s, naming the field', (_case, change, paths) => {
    expect(refusedPaths({ ...base, ...change })).toEqual(paths);
  });

  it('hashes equal definitions equally, whatever the key order of the request', () => {
    const a = productInputSchema.parse(base);
    const b = productInputSchema.parse(JSON.parse(canonicalJson(base)));
    expect(definitionHash(a)).toBe(definitionHash(b));
    expect(definitionHash(productInputSchema.parse({ ...base, graceDays: 1 }))).not.toBe(definitionHash(a));
  });
});

describe('versioning', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  const definition = productInputSchema.parse(base);

  it('given no product, the definition is version 1 effective now', () => {
    const d = decideVersion({ tenantId: 't', definition, createdBy: 'admin', now }, undefined);
    expect(d).toMatchObject({ kind: 'create', version: { version: 1, code: 'PL-TEST', effectiveAt: now } });
  });

  it('given the same definition as the latest, nothing changes; given another, the next version', () => {
    const v1 = decideVersion({ tenantId: 't', definition, createdBy: 'admin', now }, undefined);
    if (v1.kind !== 'create') throw new Error('expected a version');
    expect(decideVersion({ tenantId: 't', definition, createdBy: 'other', now }, v1.version)).toEqual({ kind: 'unchanged', latest: v1.version });
    const changed = productInputSchema.parse({ ...base, graceDays: 5 });
    expect(decideVersion({ tenantId: 't', definition: changed, createdBy: 'admin', now }, v1.version)).toMatchObject({ kind: 'create', version: { version: 2 } });
  });

  it('refuses to change the currency of a product', () => {
    const v1 = decideVersion({ tenantId: 't', definition, createdBy: 'admin', now }, undefined);
    if (v1.kind !== 'create') throw new Error('expected a version');
    const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });
    const inUsd = productInputSchema.parse({ ...base, currency: 'USD', principal: { min: usd('1000'), max: usd('5000') } });
    expect(decideVersion({ tenantId: 't', definition: inUsd, createdBy: 'admin', now }, v1.version).kind).toBe('currency-change');
  });

  it('announces a version as a valid ProductPublished v1 keyed by <tenant>:<code>', () => {
    const v1 = decideVersion({ tenantId: 'demo', definition, createdBy: 'admin', now }, undefined);
    if (v1.kind !== 'create') throw new Error('expected a version');
    const event = productPublishedEvent(v1.version, { eventId: '6f1c2d1e-8a53-4c1b-9a7e-1f0b7c3d2e41', correlationId: 'req-1' });
    expect(productPublishedV1Schema.parse(event)).toEqual(event);
    expect(event.subject).toBe('demo:PL-TEST');
    expect(event.payload).toMatchObject({ code: 'PL-TEST', version: 1, effectiveAt: '2026-12-01T10:00:00.000Z' });
  });
});

describe('demo products', () => {
  const products = DEMO_PRODUCTS.map((p) => productInputSchema.parse(p));

  it('are valid definitions of the four product types', () => {
    expect(products.map((p) => [p.code, p.scheduleMethod, p.frequency])).toEqual([
      ['PL-12', 'equal-installment', 'monthly'],
      ['BNPL-4', 'zero-interest-split', 'biweekly'],
      ['PAYDAY-30', 'bullet', 'monthly'],
      ['SME-TL', 'equal-principal', 'monthly'],
    ]);
  });

  it('allow the README walkthrough loan: PL-12, INR 5,00,000.00 at 14 % over 12 months', () => {
    const pl = products[0]!;
    expect(BigInt(pl.principal.min.amount) <= 50_000_000n && 50_000_000n <= BigInt(pl.principal.max.amount)).toBe(true);
    expect(pl.termPeriods.min <= 12 && 12 <= pl.termPeriods.max).toBe(true);
    expect(Number(pl.annualRatePercent.min) <= 14 && 14 <= Number(pl.annualRatePercent.max)).toBe(true);
  });

  it('are bookable by the engine at the corners of their ranges', () => {
    for (const p of products) {
      for (const principal of [p.principal.min, p.principal.max]) {
        for (const termPeriods of [p.termPeriods.min, p.termPeriods.max]) {
          for (const annualRatePercent of [p.annualRatePercent.min, p.annualRatePercent.max]) {
            const terms: LoanTermsV1 = {
              productCode: p.code, principal, annualRatePercent, termPeriods, frequency: p.frequency, scheduleMethod: p.scheduleMethod,
              interestCalculation: p.interestCalculation, dayCount: p.dayCount, expectedDisbursementDate: '2026-12-01', fees: p.fees,
            };
            const result = checkBookable(terms);
            expect(result.ok ? 'ok' : `${p.code}: ${result.reason}`).toBe('ok');
          }
        }
      }
    }
  });

  it('map to the engine’s servicing rules (RBI buckets for INR products)', () => {
    expect(toAccountProduct(products[3]!)).toMatchObject({ strategy: 'interest-principal-across-due', graceDays: 0, nonAccrualDpd: 90, chargeOffDpd: 120, bucketLowerBoundsDays: [1, 31, 61, 91], penalAnnualPercent: '2' });
    expect(toAccountProduct(products[1]!)).toMatchObject({ lateFee: { kind: 'flat', amountMinor: 700n }, bucketLowerBoundsDays: [1, 30, 60, 90, 120] });
  });
});
