import { schedule } from '@lendstack/loan-engine';
import { scheduleRequestFor } from '@lendstack/contracts';
import { describe, expect, it } from 'vitest';
import { loanTerms } from '../../../../test/underwriting-fixtures.js';
import { makeOffers, OFFER_VALIDITY_DAYS, toMoney } from './offers.js';

const NOW = new Date('2026-12-03T10:00:00Z');
let n = 0;
const ids = () => `00000000-0000-4000-8000-${String((n += 1)).padStart(12, '0')}`;
const band = { band: 'A', annualRatePercent: '12.5', maxPrincipalMinor: 100_000_000, maxTermPeriods: 36 };

describe('offers', () => {
  it('offers the requested terms at the band rate, and the longest term the limits allow, priced by the engine', () => {
    const request = loanTerms({ termPeriods: 12, fees: [{ code: 'PROC', name: 'Processing fee', amount: { amount: '1000000', currency: 'INR', scale: 2 }, timing: 'financed' }] });
    const made = makeOffers(request, band, ids, NOW);
    if (!made.ok) throw new Error(JSON.stringify(made.error));
    expect(made.offers.map((o) => [o.label, o.terms.termPeriods, o.terms.annualRatePercent, o.terms.principal.amount])).toEqual([['requested', 12, '12.5', '50000000'], ['longer-term', 36, '12.5', '50000000']]);
    for (const o of made.offers) {
      const engine = schedule(scheduleRequestFor(o.terms));
      expect(o.pricing.apr).toBe(engine.apr);
      expect(o.pricing.installment).toEqual(toMoney(engine.installmentAmount!, 'INR', 2));
      expect(o.pricing.totals.payable).toEqual(toMoney(engine.totals.payable, 'INR', 2));
      expect(o.expiresAt.getTime() - NOW.getTime()).toBe(OFFER_VALIDITY_DAYS * 86_400_000);
    }
    // A financed fee makes the APR higher than the rate; the longer term costs more interest for a lower installment.
    expect(Number(made.offers[0]!.pricing.apr)).toBeGreaterThan(12.5);
    expect(BigInt(made.offers[1]!.pricing.installment!.amount)).toBeLessThan(BigInt(made.offers[0]!.pricing.installment!.amount));
    expect(BigInt(made.offers[1]!.pricing.totals.interest.amount)).toBeGreaterThan(BigInt(made.offers[0]!.pricing.totals.interest.amount));
  });

  it('caps the amount and term at the decision limits, and offers one when the request already takes the longest term', () => {
    const made = makeOffers(loanTerms({ principal: { amount: '150000000', currency: 'INR', scale: 2 }, termPeriods: 48 }), band, ids, NOW);
    expect(made.ok && made.offers.map((o) => [o.label, o.terms.principal.amount, o.terms.termPeriods])).toEqual([['requested', '100000000', 36]]);
  });

  it('reads the engine’s major-unit amounts as minor units by scale', () => {
    expect(toMoney('1234.50', 'INR', 2)).toEqual({ amount: '123450', currency: 'INR', scale: 2 });
    expect(toMoney('1500', 'JPY', 0)).toEqual({ amount: '1500', currency: 'JPY', scale: 0 });
    expect(toMoney('0.005', 'KWD', 3)).toEqual({ amount: '5', currency: 'KWD', scale: 3 });
  });
});
