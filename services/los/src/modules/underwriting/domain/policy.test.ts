import { afterAll, describe, expect, it } from 'vitest';
import { cleanApplicant } from '../../../../test/underwriting-fixtures.js';
import { repaymentProfile } from '../../borrower-profile/domain/repayment-profile.js';
import { DEMO_PRODUCTS, defaultPolicy } from './default-policies.js';
import { deriveFeatures, featureValues } from './features.js';
import { parsePolicy, type PolicyDocument } from './policy.js';
import { createPolicyEngine } from './policy-engine.js';

const engine = createPolicyEngine();
afterAll(() => engine.dispose());
const pl = defaultPolicy(DEMO_PRODUCTS[0]!);
const contextOf = (input: Parameters<typeof deriveFeatures>[0], score: number | null = 620) => ({ ...featureValues(deriveFeatures(input)), scorecardScore: score });

describe('policy as data', () => {
  it('every default policy parses', () => {
    for (const p of DEMO_PRODUCTS) expect(parsePolicy(defaultPolicy(p)), p.code).toMatchObject({ ok: true });
  });

  it('refuses an unknown feature, naming the field', () => {
    const doc = structuredClone(pl) as PolicyDocument;
    (doc.eligibility[2] as { feature: string }).feature = 'shoeSize';
    expect(parsePolicy(doc)).toEqual({ ok: false, errors: [{ pointer: '/document/eligibility/2/feature', detail: 'unknown feature shoeSize' }], onlyRules: true });
  });

  it('refuses a test that does not parse, and one that does not fit the feature’s type', () => {
    const doc = structuredClone(pl) as PolicyDocument;
    doc.eligibility[0]!.test = '>= (';
    doc.eligibility[1]!.test = '>= 5';
    const parsed = parsePolicy(doc);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.pointer)).toEqual(['/document/eligibility/0/test', '/document/eligibility/1/test']);
    expect(parsed.errors[0]!.detail).toMatch(/not a valid test of a number/);
    expect(parsed.errors[1]!.detail).toMatch(/not a valid test of a string/);
  });

  it('refuses a table cell for a column the table does not have, an unknown table input, and inverted cut-offs', () => {
    const doc = structuredClone(pl) as PolicyDocument;
    doc.limits.rules[0]!.when = { bureauScore: '>= 700' };
    doc.pricing.inputs = ['scorecardScore', 'favouriteColour'];
    doc.scorecard = { declineBelow: 600, approveAtOrAbove: 580 };
    const parsed = parsePolicy(doc);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.pointer).sort()).toEqual(['/document/limits/rules/0/when/bureauScore', '/document/pricing/inputs/1', '/document/scorecard/declineBelow']);
  });

  it('refuses a document that is not a policy at all', () => {
    const parsed = parsePolicy({ eligibility: 'yes' });
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/document/eligibility', '/document/limits', '/document/pricing', '/document/scorecard']));
  });
});

describe('policy evaluation with zen-engine', () => {
  it('passes a clean applicant on every rule, recording what each rule saw', async () => {
    const e = await engine.evaluate(pl, contextOf(cleanApplicant()));
    expect(e.rules.filter((r) => r.outcome !== 'pass')).toEqual([]);
    expect(e.rules.find((r) => r.id === 'age-range')).toMatchObject({ outcome: 'pass', missing: false, saw: { ageYears: 36 } });
    expect(e.rules.find((r) => r.id === 'bureau-score')?.saw).toEqual({ bureauScore: 780 });
    expect(e.limits).toEqual({ row: 'score-600-up', value: { maxPrincipalMinor: 250_000_000, maxTermPeriods: 60 }, saw: { scorecardScore: 620 } });
    expect(e.pricing).toMatchObject({ row: 'band-a', value: { band: 'A', annualRatePercent: '10.5' } });
    const b = await engine.evaluate(pl, contextOf(cleanApplicant(), 595));
    expect(b.limits).toMatchObject({ row: 'score-580-599', value: { maxPrincipalMinor: 125_000_000 } });
    expect(b.pricing).toMatchObject({ row: 'band-b', value: { band: 'B', annualRatePercent: '17.25' } });
  });

  it('declines on FOIR and DPD with the rules’ reasons, refers on enquiries', async () => {
    const e = await engine.evaluate(pl, contextOf(cleanApplicant({ bureau: { obligationsMinor: '9000000', worstDpd12m: 90, worstDpd24m: 90, enquiries6m: 7 } })));
    const failed = Object.fromEntries(e.rules.filter((r) => r.outcome !== 'pass').map((r) => [r.id, r.outcome]));
    expect(failed).toEqual({ 'foir-cap': 'decline', 'worst-dpd-12m': 'decline', 'worst-dpd-24m': 'refer', 'enquiries-6m': 'refer' });
    expect(e.rules.find((r) => r.id === 'foir-cap')?.reason).toBe('Excessive obligations in relation to income');
  });

  it('treats a missing feature by the rule’s onMissing, never as a pass', async () => {
    const e = await engine.evaluate(pl, contextOf(cleanApplicant({ dateOfBirth: null, bureau: { score: null } })));
    expect(e.rules.find((r) => r.id === 'age-range')).toMatchObject({ outcome: 'refer', missing: true, saw: { ageYears: null } });
    expect(e.rules.find((r) => r.id === 'bureau-score')).toMatchObject({ outcome: 'refer', missing: true });
  });

  it('declines a sanctions fail and refers a possible match; the score picks the limit and band', async () => {
    const listed = await engine.evaluate(pl, contextOf(cleanApplicant({ checks: { sanctions: 'fail' } }), 700));
    expect(listed.rules.filter((r) => r.outcome !== 'pass').map((r) => `${r.id}:${r.outcome}`)).toEqual(['sanctions-not-listed:decline', 'sanctions-clear:refer']);
    expect(listed.limits.row).toBe('score-600-up');
    expect(listed.pricing.value).toEqual({ band: 'A', annualRatePercent: '10.5' });
    const low = await engine.evaluate(pl, contextOf(cleanApplicant(), 550));
    expect(low.limits.value).toEqual({ maxPrincipalMinor: 50_000_000, maxTermPeriods: 36 });
    expect(low.pricing.row).toBe('band-c');
  });

  it('is deterministic: the same policy and context give the same evaluation', async () => {
    const ctx = contextOf(cleanApplicant({ bureau: { enquiries6m: 9 } }));
    const again = createPolicyEngine();
    try {
      expect(await again.evaluate(structuredClone(pl), ctx)).toEqual(await engine.evaluate(pl, ctx));
    } finally {
      again.dispose();
    }
  });
});

describe('top-ups against the borrower’s repayment profile at this lender', () => {
  const LOAN = '0b8f6c1e-2f43-4c0e-9a51-3d3c1a7f9e20';
  const loan = (currentDpd: number, closedOn: string | null = null, earlyWarning: { asOf: string; probability: string; model: string } | null = null) => ({
    loanId: LOAN, applicationId: '5d1b5a0c-0000-4000-8000-000000000001', disbursedOn: '2026-06-01', closedOn, closureReason: closedOn ? 'repaid' : null, chargedOffOn: null,
    currentDpd, dpdAsOf: '2026-11-15', worstDpd: currentDpd, worstDpd12m: currentDpd, installmentsDue: 5, installmentsPaidOnTime: 3, earlyWarning, lastBusinessDate: '2026-11-15', lastEventAt: '2026-11-16T00:05:00.000Z',
  });
  const withLender = (topUpOf: string | null, loans: ReturnType<typeof loan>[]) => ({ ...cleanApplicant(), lender: { topUpOf, profile: repaymentProfile('tok_borrower', '2026-12-02', loans) } });
  const topUpRules = async (input: Parameters<typeof deriveFeatures>[0]) => (await engine.evaluate(pl, contextOf(input))).rules.filter((r) => r.id.startsWith('top-up-'));

  it('declines a top-up of a borrower 45 days past due with us, saying so, and records what the rule saw', async () => {
    const [delinquent, ownLoan] = await topUpRules(withLender(LOAN, [loan(45)]));
    expect(delinquent).toMatchObject({ id: 'top-up-not-delinquent', outcome: 'decline', applies: true, missing: false, reason: 'Delinquent on an existing loan with us', saw: { topUp: true, currentDpdAtLender: 45 } });
    expect(ownLoan).toMatchObject({ id: 'top-up-of-open-loan', outcome: 'pass', applies: true });
  });

  it('passes a top-up of a borrower who is current; refers one of a loan that is not theirs and open, or with no loans on record', async () => {
    expect((await topUpRules(withLender(LOAN, [loan(0)]))).map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass']);
    // The LMS raised an NPA early warning on the loan 20 days before the decision date: refer, with the reason.
    const warned = await topUpRules(withLender(LOAN, [loan(0, null, { asOf: '2026-11-12', probability: '0.4100', model: 'npa-90d.v1' })]));
    expect(warned.map((r) => `${r.id}:${r.outcome}`)).toEqual(['top-up-not-delinquent:pass', 'top-up-of-open-loan:pass', 'top-up-no-early-warning:refer']);
    expect((await topUpRules(withLender(LOAN, [loan(0, '2026-11-30')]))).map((r) => `${r.id}:${r.outcome}`)).toEqual(['top-up-not-delinquent:pass', 'top-up-of-open-loan:refer', 'top-up-no-early-warning:pass']);
    const none = await topUpRules(withLender(LOAN, []));
    expect(none[0]).toMatchObject({ outcome: 'refer', missing: true, saw: { topUp: true, currentDpdAtLender: null } });
  });

  it('does not apply the top-up rules to an application that is not a top-up, delinquent borrower or not', async () => {
    for (const input of [withLender(null, [loan(45)]), cleanApplicant()]) {
      const rules = await topUpRules(input);
      expect(rules.map((r) => [r.outcome, r.applies])).toEqual([['pass', false], ['pass', false], ['pass', false]]);
    }
    // A rule without appliesWhen records no `applies` (stored evaluations replay unchanged).
    const e = await engine.evaluate(pl, contextOf(cleanApplicant()));
    expect(e.rules.find((r) => r.id === 'age-range')).not.toHaveProperty('applies');
  });

  it('takes a tenant’s own threshold: a top-up rule of `<= 30` passes 20 days past due', async () => {
    const lenient = structuredClone(pl);
    lenient.eligibility.find((r) => r.id === 'top-up-not-delinquent')!.test = '<= 30';
    const rule = (await engine.evaluate(lenient, contextOf(withLender(LOAN, [loan(20)])))).rules.find((r) => r.id === 'top-up-not-delinquent');
    expect(rule).toMatchObject({ outcome: 'pass', applies: true });
  });

  it('refuses an appliesWhen on an unknown feature or with a test that does not fit it, naming the field', () => {
    const doc = structuredClone(pl) as PolicyDocument;
    const i = doc.eligibility.findIndex((r) => r.id === 'top-up-not-delinquent');
    doc.eligibility[i]!.appliesWhen = { feature: 'isTopUpish', test: 'true' };
    doc.eligibility[i + 1]!.appliesWhen = { feature: 'topUp', test: '>= 3' };
    const parsed = parsePolicy(doc);
    expect(parsed.ok ? [] : parsed.errors.map((e) => e.pointer)).toEqual([`/document/eligibility/${i}/appliesWhen/feature`, `/document/eligibility/${i + 1}/appliesWhen/test`]);
  });
});
