import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanApplicant } from '../../../../test/underwriting-fixtures.js';
import { DEMO_PRODUCTS, defaultPolicy } from './default-policies.js';
import { underwrite } from './decision.js';
import { deriveFeatures } from './features.js';
import { createPolicyEngine } from './policy-engine.js';
import { scorecardModelSchema } from './scorecard.js';

const model = scorecardModelSchema.parse(JSON.parse(readFileSync(new URL('../../../../data/scorecard/model.json', import.meta.url), 'utf8')));
const engine = createPolicyEngine();
afterAll(() => engine.dispose());
const policy = defaultPolicy(DEMO_PRODUCTS[0]!);
const run = (input: Parameters<typeof deriveFeatures>[0]) => underwrite({ engine, model }, policy, deriveFeatures(input));

describe('the automated decision', () => {
  it('approves a clean applicant with the pricing band and limits of the score', async () => {
    const d = await run(cleanApplicant({ bureau: { enquiries6m: 0, openTradelines: 5 } }));
    expect(d.scorecard.score).toBeGreaterThanOrEqual(policy.scorecard.approveAtOrAbove);
    expect(d).toMatchObject({ outcome: 'approve', reasons: [] });
    expect(d.offer).toMatchObject({ band: expect.any(String), annualRatePercent: expect.any(String), maxTermPeriods: 60 });
  });

  it('declines a low score with at most four plain-words reasons, the declining rules first', async () => {
    const d = await run(cleanApplicant({ bureau: { score: 560, worstDpd24m: 60, enquiries6m: 6, obligationsMinor: '6000000', openTradelines: 1 } }));
    expect(d.scorecard.score).toBeLessThan(policy.scorecard.declineBelow);
    expect(d.outcome).toBe('decline');
    expect(d.reasons.length).toBeGreaterThan(0);
    expect(d.reasons.length).toBeLessThanOrEqual(4);
    expect(d.reasons[0]).toBe('Excessive obligations in relation to income');
    expect(d.reasons).toContain('Credit bureau score below the product’s minimum of 650');
    expect(new Set(d.reasons).size).toBe(d.reasons.length);
    // The score's reason about the bureau score is left out: the bureau-score rule already said it.
    expect(d.reasons).not.toContain('Credit bureau score indicates higher risk than approved applicants');
    expect(d.reasons).toContain('Delinquent past or present credit obligations with others');
    expect(d.offer).toBeNull();
  });

  it('refers a thin file (no bureau score) with a strong income instead of declining it', async () => {
    const d = await run(cleanApplicant({ bureau: { score: null, thinFile: true, openTradelines: 1, enquiries6m: 0, obligationsMinor: '0' }, incomeMinor: '30000000' }));
    expect(d.scorecard.score).toBeGreaterThanOrEqual(policy.scorecard.declineBelow);
    expect(d.outcome).toBe('refer');
    expect(d.reasons).toContain('Credit bureau score below the product’s minimum of 650');
    expect(d.evaluation.rules.find((r) => r.id === 'bureau-score')).toMatchObject({ outcome: 'refer', missing: true });
  });

  it('refers a request above the limit for the score', async () => {
    const d = await run(cleanApplicant({ bureau: { enquiries6m: 0, openTradelines: 3 }, loan: { principal: { amount: '200000000', currency: 'INR', scale: 2 }, termPeriods: 60 }, incomeMinor: '90000000' }));
    if (d.scorecard.score >= 600) return expect(d.outcome).toBe('approve');
    expect(d.outcome).toBe('refer');
    expect(d.reasons.join(' ')).toMatch(/above the limit/);
  });

  it('gives the same answer when evaluated again from the same features', async () => {
    const features = deriveFeatures(cleanApplicant({ bureau: { enquiries6m: 5 } }));
    const stored = JSON.parse(JSON.stringify(features)) as typeof features;
    expect(await underwrite({ engine, model }, policy, stored)).toEqual(await underwrite({ engine, model }, policy, features));
  });
});
