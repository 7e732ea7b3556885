import type { ProductDefinition } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { loanTerms } from '../../../../test/underwriting-fixtures.js';
import { DEMO_CREDITOR } from '../../review/domain/demo-data.js';
import { buildKfs, canonicalJson, kfsSha256, variantFor, type KfsContent, type KfsInput } from './kfs.js';
import { makeOffers } from './offers.js';

const NOW = new Date('2026-12-03T10:00:00Z');
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });

// RBI/2024-25/18 Annex B's usual illustration (research §5): ₹1,00,000 at 12 % for 12 months, ₹2,000
// processing (to the lender) and ₹1,000 insurance (to a third party) deducted at disbursal.
const illustration = loanTerms({
  principal: inr('10000000'), annualRatePercent: '12', termPeriods: 12, expectedDisbursementDate: '2026-12-10',
  fees: [{ code: 'PROC', name: 'Processing fee', amount: inr('200000'), timing: 'upfront' }, { code: 'INSURANCE', name: 'Credit life insurance', amount: inr('100000'), timing: 'upfront' }],
});

function offerOf(terms: ReturnType<typeof loanTerms>) {
  const made = makeOffers(terms, { band: 'A', annualRatePercent: terms.annualRatePercent, maxPrincipalMinor: 1e12, maxTermPeriods: terms.termPeriods }, () => '00000000-0000-4000-8000-000000000001', NOW);
  if (!made.ok) throw new Error(JSON.stringify(made.error));
  return made.offers[0]!;
}

const input = (over: Partial<KfsInput> = {}): KfsInput => ({
  reference: 'KFS-20261203-ABCDEF012345', variant: 'rbi', issuedAt: NOW, applicationId: '00000000-0000-4000-8000-0000000000aa', checksRun: 1,
  offer: offerOf(illustration), creditor: DEMO_CREDITOR, product: undefined, coolingOffDays: 3, ...over,
});

function built(i: KfsInput): KfsContent {
  const k = buildKfs(i);
  if (!k.ok) throw new Error(JSON.stringify(k.error));
  return k.content;
}
const total = (xs: readonly { amount: string }[]) => xs.reduce((t, m) => t + BigInt(m.amount), 0n).toString();

describe('Key Fact Statement (RBI)', () => {
  it('gives Annex B for the RBI illustration: net disbursed ₹97,000, total interest ₹6,618.53 (the engine rounds each row; the last takes the residual), APR 17.82 %, the offer’s engine APR', () => {
    const i = input();
    const k = built(i);
    if (k.variant !== 'rbi') throw new Error('variant');
    expect(k.templateVersion).toBe('rbi-kfs-2024.04');
    expect(k.apr).toBe(i.offer.pricing.apr);
    expect(k.aprIllustration).toEqual({
      sanctionedAmount: inr('10000000'), totalInterest: inr('661853'), totalFees: inr('300000'), netDisbursed: inr('9700000'), totalPayable: inr('10661853'), apr: k.apr,
    });
    // Annex B: monthly IRR on the net disbursed × 12 (research §5 computed 17.82 % for these figures).
    expect(k.apr.slice(0, 5)).toBe('17.82');
    expect([k.feesToLender, k.feesToThirdParties]).toEqual([inr('200000'), inr('100000')]);
    expect(k.fees.map((f) => [f.code, f.payee, f.recurrence])).toEqual([['PROC', 'lender', 'one-time'], ['INSURANCE', 'third-party', 'one-time']]);
    expect(k.loan.instalments).toEqual({ type: 'EPI', count: 12, epi: inr('888488'), firstDueDate: '2027-01-10', lastDueDate: '2027-12-10' });
    expect(k.coolingOff.days).toBe(3);
    expect(k.grievance).toMatchObject({ officer: `Grievance Redressal Officer, ${DEMO_CREDITOR.legalName}`, contact: DEMO_CREDITOR.contact });
    expect(k.contingentCharges.source).toBe('not-in-catalogue');
  });

  it('the schedule’s parts sum exactly to its totals, each row’s outstanding principal is the last row’s less its principal', () => {
    const k = built(input({ offer: offerOf({ ...illustration, termPeriods: 36, fees: [...illustration.fees, { code: 'SMS', name: 'SMS alerts', amount: inr('1000'), timing: 'per-installment' }, { code: 'DOC', name: 'Documentation', amount: inr('50000'), timing: 'financed' }] }) }));
    if (k.variant !== 'rbi') throw new Error('variant');
    const rows = k.schedule;
    expect(rows).toHaveLength(36);
    expect(total(rows.map((r) => r.instalment))).toBe(k.aprIllustration.totalPayable.amount);
    expect(total(rows.map((r) => r.interest))).toBe(k.aprIllustration.totalInterest.amount);
    // Principal repaid = sanctioned + the financed fee; per-instalment fees are 36 × ₹10.
    expect(total(rows.map((r) => r.principal))).toBe('10050000');
    expect(total(rows.map((r) => r.fees))).toBe('36000');
    expect(k.aprIllustration.totalFees).toEqual(inr(String(200000 + 100000 + 50000 + 36 * 1000)));
    expect(BigInt(k.aprIllustration.totalPayable.amount) - BigInt(k.aprIllustration.netDisbursed.amount)).toBe(BigInt(k.aprIllustration.totalInterest.amount) + BigInt(k.aprIllustration.totalFees.amount));
    rows.forEach((r, n) => {
      expect(BigInt(r.instalment.amount)).toBe(BigInt(r.principal.amount) + BigInt(r.interest.amount) + BigInt(r.fees.amount));
      if (n > 0) expect(BigInt(r.outstandingPrincipal.amount)).toBe(BigInt(rows[n - 1]!.outstandingPrincipal.amount) - BigInt(rows[n - 1]!.principal.amount));
    });
    expect(BigInt(rows[35]!.outstandingPrincipal.amount)).toBe(BigInt(rows[35]!.principal.amount));
  });

  it('takes the contingent charges from the catalogue product when there is one', () => {
    const product = { graceDays: 5, lateFee: { kind: 'flat', amount: inr('50000') }, penalInterest: { annualRatePercent: '24' }, prepaymentCharge: { percentOfPrincipal: '2', fixed: inr('0') } } as unknown as ProductDefinition;
    const k = built(input({ product }));
    expect(k.contingentCharges).toEqual({ source: 'product-catalogue', graceDays: 5, lateFee: { kind: 'flat', amount: inr('50000') }, penalInterest: { annualRatePercent: '24' }, foreclosure: { percentOfPrincipal: '2', fixed: inr('0') } });
  });

  it('refuses a statement whose engine APR is not the offer’s (the offer would book on other numbers)', () => {
    const offer = offerOf(illustration);
    const stale = { ...offer, pricing: { ...offer.pricing, apr: '17.0000' } };
    expect(buildKfs(input({ offer: stale }))).toEqual({ ok: false, error: { kind: 'unpriceable', reason: expect.stringContaining('17.0000') } });
  });
});

describe('Key Fact Statement (TILA box)', () => {
  it('amount financed + finance charge = total of payments = Σ payment schedule; the finance charge is interest plus fees', () => {
    const terms = loanTerms({ principal: usd('1000000'), annualRatePercent: '9.5', termPeriods: 24, fees: [{ code: 'ORIG', name: 'Origination fee', amount: usd('20000'), timing: 'upfront' }] });
    const product = { graceDays: 10, lateFee: { kind: 'percent', percent: '5', cap: usd('2500') }, penalInterest: null, prepaymentCharge: null } as unknown as ProductDefinition;
    const k = built(input({ variant: variantFor('USD'), offer: offerOf(terms), product }));
    if (k.variant !== 'tila') throw new Error('variant');
    expect(k.templateVersion).toBe('tila-h2-2026.12');
    expect(k.amountFinanced).toEqual(usd('980000'));
    expect(BigInt(k.amountFinanced.amount) + BigInt(k.financeCharge.amount)).toBe(BigInt(k.totalOfPayments.amount));
    expect(total(k.schedule.map((r) => r.instalment))).toBe(k.totalOfPayments.amount);
    expect(k.paymentSchedule.reduce((t, r) => t + r.count, 0)).toBe(24);
    expect(k.paymentSchedule.reduce((t, r) => t + BigInt(r.amount.amount) * BigInt(r.count), 0n).toString()).toBe(k.totalOfPayments.amount);
    expect(BigInt(k.financeCharge.amount)).toBe(BigInt(total(k.schedule.map((r) => r.interest))) + 20000n);
    expect(k.itemization).toEqual({ amountPaidToYou: usd('980000'), prepaidFinanceCharge: usd('20000'), financedFinanceCharge: usd('0') });
    expect(k.latePayment).toBe('If a payment is more than 10 days late, you will be charged 5% of the overdue instalment, at most USD 25.00.');
    expect(k.prepayment).toBe('If you pay off early, you will not have to pay a penalty.');
    expect(Number(k.apr)).toBeGreaterThan(9.5);
  });
});

describe('canonical JSON and its hash', () => {
  it('orders keys at every depth, so the same content hashes the same however it was built', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
    const k = built(input());
    const shuffled = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(k).reverse()))) as KfsContent;
    expect(kfsSha256(shuffled)).toBe(kfsSha256(k));
    expect(kfsSha256({ ...k, apr: '17.8300' })).not.toBe(kfsSha256(k));
  });

  it('picks the RBI statement for INR and the TILA box otherwise', () => {
    expect(['INR', 'USD', 'JPY'].map(variantFor)).toEqual(['rbi', 'tila', 'tila']);
  });
});
