import { describe, expect, it } from 'vitest';
import { summarize } from './timeline.js';

describe('timeline summaries', () => {
  it('say each step in plain words from its detail', () => {
    expect(summarize({ kind: 'submitted', actor: 'partner-app', detail: { productCode: 'PL-12M', principal: { amount: '50000000', currency: 'INR', scale: 2 } } })).toBe('Submitted by partner-app: PL-12M for INR 500000.00');
    expect(summarize({ kind: 'check-completed', actor: 'lendstack:checks', detail: { check: 'device', status: 'completed', result: 'pass', score: null, reasons: [{ code: 'no-device-signal', detail: 'no fingerprint' }] } })).toBe('device check completed: pass: no-device-signal');
    expect(summarize({ kind: 'check-completed', actor: 'lendstack:checks', detail: { check: 'kyc', status: 'exception', result: null, reasons: [] } })).toBe('kyc check exception');
    expect(summarize({ kind: 'automated-decision', actor: 'lendstack:underwriting', detail: { outcome: 'decline', score: 512, policyVersion: 3, reasons: ['Bureau score below 650'], rules: [{ outcome: 'pass' }, { outcome: 'decline' }, { outcome: 'pass' }] } }))
      .toBe('Automated decision: decline (score 512, policy v3); rules 2 pass, 1 decline: Bureau score below 650');
    expect(summarize({ kind: 'override-approved', actor: 'ada', detail: { from: 'offer-accepted', overrideReason: 'Signed and mandated' } })).toBe('ada approved by override (was offer-accepted): Signed and mandated');
    expect(summarize({ kind: 'event', actor: 'lendstack:outbox', detail: { type: 'LoanApproved', topic: 'lendstack.origination.loan-approved', sentAt: '2026-12-03T08:47:11.200Z' } })).toBe('LoanApproved published on lendstack.origination.loan-approved');
    expect(summarize({ kind: 'money-moved', actor: 'someone', detail: {} })).toBe('money moved (someone)');
  });

  it('prints money with its scale, negative amounts and whole units too', () => {
    const submitted = (principal: unknown) => summarize({ kind: 'submitted', actor: 'p', detail: { productCode: 'X', principal } });
    expect(submitted({ amount: '5', currency: 'USD', scale: 2 })).toBe('Submitted by p: X for USD 0.05');
    expect(submitted({ amount: '-1250', currency: 'INR', scale: 2 })).toBe('Submitted by p: X for INR -12.50');
    expect(submitted({ amount: '700', currency: 'JPY', scale: 0 })).toBe('Submitted by p: X for JPY 700');
  });
});
