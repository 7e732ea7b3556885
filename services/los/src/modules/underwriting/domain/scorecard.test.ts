import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auc, fitLogistic, ks, seededRandom, woeBins, type Sample } from './scorecard-training.js';
import { binOf, pdOfScore, scaling, scoreApplicant, scorecardModelSchema } from './scorecard.js';

const model = scorecardModelSchema.parse(JSON.parse(readFileSync(new URL('../../../../data/scorecard/model.json', import.meta.url), 'utf8')));
const clean = { bureauScore: 780, worstDpd24m: 0, enquiries6m: 1, foirBasisPoints: 3000, openTradelines: 3 };

describe('scorecard scaling (600 points at 50:1, PDO 20)', () => {
  it('has factor 28.8539 and offset 487.1229; odds 100:1 → 620 and 25:1 → 580', () => {
    const s = scaling(600, 50, 20);
    expect(s.factor).toBeCloseTo(28.8539, 4);
    expect(s.offset).toBeCloseTo(487.1229, 4);
    expect(s.offset + s.factor * Math.log(100)).toBeCloseTo(620, 9);
    expect(s.offset + s.factor * Math.log(25)).toBeCloseTo(580, 9);
  });

  it('gives PD 1/51 at 600 and halves the odds of bad every 20 points', () => {
    expect(pdOfScore(model, 600)).toBeCloseTo(1 / 51, 6);
    expect(pdOfScore(model, 620)).toBeCloseTo(1 / 101, 6);
    expect(pdOfScore(model, 580)).toBeCloseTo(1 / 26, 6);
  });
});

describe('scoring with the committed model', () => {
  it('sums the points of each attribute’s bin and stores each', () => {
    const r = scoreApplicant(model, clean);
    expect(r.attributes.map((a) => a.feature)).toEqual(['bureauScore', 'worstDpd24m', 'enquiries6m', 'foirBasisPoints', 'openTradelines']);
    expect(r.score).toBe(r.attributes.reduce((s, a) => s + a.points, 0));
    expect(r.attributes[0]).toMatchObject({ value: 780, bin: '750–799' });
    expect(r.pd).toBe(pdOfScore(model, r.score));
    expect(r.modelVersion).toBe(model.version);
  });

  it('orders reason codes by the points an attribute cost, at most four, with plain words', () => {
    const r = scoreApplicant(model, { bureauScore: 590, worstDpd24m: 60, enquiries6m: 6, foirBasisPoints: 6000, openTradelines: 1 });
    expect(r.reasons).toHaveLength(4);
    const shortfalls = r.reasons.map((x) => x.shortfall);
    expect(shortfalls).toEqual([...shortfalls].sort((a, b) => b - a));
    expect(r.reasons[0]!.feature).toBe('bureauScore');
    expect(r.reasons.map((x) => x.reason)).toContain('Excessive obligations in relation to income');
    expect(scoreApplicant(model, { ...clean, bureauScore: 850, enquiries6m: 0, foirBasisPoints: 1000, openTradelines: 6 }).reasons).toEqual([]);
  });

  it('scores a missing bureau score in its own bin, with the no-file reason', () => {
    const r = scoreApplicant(model, { ...clean, bureauScore: null });
    expect(r.attributes[0]).toMatchObject({ value: null, bin: 'missing' });
    expect(r.reasons[0]).toMatchObject({ feature: 'bureauScore', reason: 'No credit file' });
  });

  it('a riskier applicant scores lower and has a higher PD', () => {
    const good = scoreApplicant(model, clean);
    const bad = scoreApplicant(model, { ...clean, worstDpd24m: 90, enquiries6m: 5 });
    expect(bad.score).toBeLessThan(good.score);
    expect(bad.pd).toBeGreaterThan(good.pd);
  });

  it('has holdout AUC and KS as trained', () => {
    expect(model.metrics.auc).toBeGreaterThan(0.7);
    expect(model.metrics.ks).toBeGreaterThan(0.3);
  });
});

describe('training pieces', () => {
  it('the PRNG is reproducible by seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(Array.from({ length: 5 }, c)).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('WoE and IV by hand: bin A 80 goods / 20 bads, bin B 20 / 80', () => {
    const samples: Sample[] = [
      ...Array.from({ length: 80 }, () => ({ values: { enquiries6m: 0 }, bad: 0 as const })),
      ...Array.from({ length: 20 }, () => ({ values: { enquiries6m: 0 }, bad: 1 as const })),
      ...Array.from({ length: 20 }, () => ({ values: { enquiries6m: 5 }, bad: 0 as const })),
      ...Array.from({ length: 80 }, () => ({ values: { enquiries6m: 5 }, bad: 1 as const })),
    ];
    const { bins, iv } = woeBins(samples, 'enquiries6m', [{ label: 'A', max: 1 }, { label: 'B', min: 1 }]);
    expect(bins[0]!.woe).toBeCloseTo(Math.log(0.8 / 0.2), 12);
    expect(bins[1]!.woe).toBeCloseTo(Math.log(0.2 / 0.8), 12);
    expect(iv).toBeCloseTo(2 * 0.6 * Math.log(4), 12);
  });

  it('AUC is 1 for a perfect ranking, 0.5 for all ties, 0 for a reversed one; KS 1 for perfect', () => {
    expect(auc([1, 2, 3, 4], [1, 1, 0, 0])).toBe(1);
    expect(auc([1, 1, 1, 1], [1, 0, 1, 0])).toBe(0.5);
    expect(auc([4, 3, 2, 1], [1, 1, 0, 0])).toBe(0);
    // goods at 2 and 4, bads at 1 and 3: three of the four good–bad pairs are ranked right.
    expect(auc([1, 2, 3, 4], [1, 0, 1, 0])).toBe(0.75);
    expect(ks([1, 2, 3, 4], [1, 1, 0, 0])).toBe(1);
  });

  it('logistic regression recovers a known slope', () => {
    const rnd = seededRandom(7);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const v = rnd() * 4 - 2;
      x.push([v]);
      y.push(rnd() < 1 / (1 + Math.exp(-(0.5 + 1.5 * v))) ? 1 : 0);
    }
    const fit = fitLogistic(x, y, { iterations: 3000, learningRate: 1 });
    expect(fit.coefficients[0]).toBeCloseTo(1.5, 0);
    expect(fit.intercept).toBeCloseTo(0.5, 0);
  });

  it('binOf: lower bound inclusive, upper exclusive, null to missing', () => {
    const bins = model.attributes[0]!.bins;
    expect(binOf(bins, 650).label).toBe('650–699');
    expect(binOf(bins, 649).label).toBe('600–649');
    expect(binOf(bins, null).label).toBe('missing');
    expect(binOf(bins, 900).label).toBe('≥ 800');
  });
});
