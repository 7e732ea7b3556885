/**
 * Pure pieces of scorecard training (used by scripts/train-scorecard.ts and its tests): a seeded PRNG, WoE and
 * IV per bin, a logistic regression on WoE inputs, AUC and KS, and scaling to points.
 * - WoE_i = ln(%good_i / %bad_i) with 0.5 added to an empty cell (SAS PROC HPBIN's adjustment);
 *   IV = Σ (%good_i − %bad_i)·WoE_i.
 * - The regression is ln(odds good) = α + Σ β_j·WoE_j, fitted by full-batch gradient descent on the mean log
 *   loss: WoE inputs are already on one scale, the model is small (a handful of attributes), and a few lines
 *   keep training dependency-free and bit-for-bit reproducible from the seed.
 * - Points (Siddiqi): points_ij = (β_j·WoE_ij + α/n)·factor + offset/n, rounded to whole points.
 */
import type { FeatureName } from './features.js';
import type { ScorecardBin, ScorecardModel } from './scorecard.js';
import { binOf, scaling } from './scorecard.js';

/** mulberry32: a small, well-known 32-bit PRNG; the same seed gives the same stream. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Sample {
  readonly values: Readonly<Partial<Record<FeatureName, number | null>>>;
  /** 1 = went bad (default), 0 = good. */
  readonly bad: 0 | 1;
}

export type BinSpec = Omit<ScorecardBin, 'woe' | 'points'>;

export interface BinStats { readonly spec: BinSpec; readonly goods: number; readonly bads: number; readonly woe: number }

export function woeBins(samples: readonly Sample[], feature: FeatureName, specs: readonly BinSpec[]): { bins: BinStats[]; iv: number } {
  const counts = specs.map(() => ({ goods: 0, bads: 0 }));
  const asBins = specs.map((s) => ({ ...s, woe: 0, points: 0 }));
  for (const s of samples) {
    const bin = binOf(asBins, s.values[feature] ?? null);
    const c = counts[asBins.indexOf(bin)]!;
    if (s.bad) c.bads += 1;
    else c.goods += 1;
  }
  const goods = counts.reduce((n, c) => n + c.goods, 0);
  const bads = counts.reduce((n, c) => n + c.bads, 0);
  let iv = 0;
  const bins = specs.map((spec, i) => {
    const c = counts[i]!;
    const g = (c.goods || 0.5) / goods;
    const b = (c.bads || 0.5) / bads;
    const woe = Math.log(g / b);
    iv += (g - b) * woe;
    return { spec, goods: c.goods, bads: c.bads, woe };
  });
  return { bins, iv };
}

/** Fits ln(odds good) = α + Σ β_j x_j; rows of x are WoE vectors, y = 1 for good. */
export function fitLogistic(x: readonly (readonly number[])[], y: readonly number[], options: { iterations: number; learningRate: number }): { intercept: number; coefficients: number[] } {
  const n = x.length;
  const k = x[0]?.length ?? 0;
  let alpha = 0;
  const beta = Array.from({ length: k }, () => 0);
  for (let it = 0; it < options.iterations; it += 1) {
    let gAlpha = 0;
    const g = Array.from({ length: k }, () => 0);
    for (let i = 0; i < n; i += 1) {
      const row = x[i]!;
      let z = alpha;
      for (let j = 0; j < k; j += 1) z += beta[j]! * row[j]!;
      const err = 1 / (1 + Math.exp(-z)) - y[i]!;
      gAlpha += err;
      for (let j = 0; j < k; j += 1) g[j]! += err * row[j]!;
    }
    alpha -= (options.learningRate * gAlpha) / n;
    for (let j = 0; j < k; j += 1) beta[j]! -= (options.learningRate * g[j]!) / n;
  }
  return { intercept: alpha, coefficients: beta };
}

/** AUC of scores for telling goods (higher score) from bads: P(score of a good > score of a bad), ties counted half (Mann–Whitney). */
export function auc(scores: readonly number[], bad: readonly (0 | 1)[]): number {
  const order = scores.map((s, i) => [s, bad[i]!] as const).sort((a, b) => a[0] - b[0]);
  let badsBelow = 0;
  let pairs = 0;
  let goods = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    let g = 0;
    let b = 0;
    while (j < order.length && order[j]![0] === order[i]![0]) {
      if (order[j]![1]) b += 1;
      else g += 1;
      j += 1;
    }
    // The goods at this score outrank every bad below it and tie with the bads at it.
    pairs += g * badsBelow + (g * b) / 2;
    badsBelow += b;
    goods += g;
    i = j;
  }
  return goods && badsBelow ? pairs / (goods * badsBelow) : 0.5;
}

/** KS: the largest gap between the cumulative share of bads and of goods, scanning scores from the lowest. */
export function ks(scores: readonly number[], bad: readonly (0 | 1)[]): number {
  const order = scores.map((s, i) => [s, bad[i]!] as const).sort((a, b) => a[0] - b[0]);
  const bads = bad.filter((b) => b).length;
  const goods = bad.length - bads;
  let cb = 0;
  let cg = 0;
  let best = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) {
      if (order[j]![1]) cb += 1;
      else cg += 1;
      j += 1;
    }
    best = Math.max(best, Math.abs(cb / bads - cg / goods));
    i = j;
  }
  return best;
}

export interface AttributeSpec {
  readonly feature: FeatureName;
  readonly reason: string;
  readonly missingReason?: string;
  readonly bins: readonly BinSpec[];
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Bins, WoE, IV, regression and points over `train`; AUC/KS of the points score over `holdout`. */
export function trainScorecard(input: {
  version: string; seed: number; train: readonly Sample[]; holdout: readonly Sample[]; attributes: readonly AttributeSpec[];
  base: { score: number; odds: number; pdo: number }; iterations?: number; learningRate?: number;
}): ScorecardModel {
  const woe = input.attributes.map((a) => woeBins(input.train, a.feature, a.bins));
  const rowOf = (s: Sample) => input.attributes.map((a, j) => {
    const stats = woe[j]!.bins;
    const bin = binOf(stats.map((b) => ({ ...b.spec, woe: b.woe, points: 0 })), s.values[a.feature] ?? null);
    return bin.woe;
  });
  const fit = fitLogistic(input.train.map(rowOf), input.train.map((s) => 1 - s.bad), { iterations: input.iterations ?? 1500, learningRate: input.learningRate ?? 1 });
  const scale = scaling(input.base.score, input.base.odds, input.base.pdo);
  const n = input.attributes.length;
  const attributes = input.attributes.map((a, j) => ({
    feature: a.feature,
    coefficient: round(fit.coefficients[j]!),
    informationValue: round(woe[j]!.iv),
    reason: a.reason,
    ...(a.missingReason ? { missingReason: a.missingReason } : {}),
    bins: woe[j]!.bins.map((b) => ({
      ...b.spec,
      woe: round(b.woe),
      points: Math.round((fit.coefficients[j]! * b.woe + fit.intercept / n) * scale.factor + scale.offset / n),
    })),
  }));
  const model: ScorecardModel = {
    version: input.version,
    trainedWith: { seed: input.seed, applicants: input.train.length + input.holdout.length, holdoutShare: round(input.holdout.length / (input.train.length + input.holdout.length), 4), badRate: round(input.train.concat(input.holdout).filter((s) => s.bad).length / (input.train.length + input.holdout.length), 4) },
    scaling: { baseScore: scale.baseScore, baseOdds: scale.baseOdds, pdo: scale.pdo, factor: round(scale.factor), offset: round(scale.offset) },
    intercept: round(fit.intercept),
    metrics: { auc: 0, ks: 0, trainAuc: 0 },
    attributes,
  };
  const points = (s: Sample) => model.attributes.reduce((sum, a) => sum + binOf(a.bins, s.values[a.feature as FeatureName] ?? null).points, 0);
  const holdoutScores = input.holdout.map(points);
  const trainScores = input.train.map(points);
  model.metrics.auc = round(auc(holdoutScores, input.holdout.map((s) => s.bad)), 4);
  model.metrics.ks = round(ks(holdoutScores, input.holdout.map((s) => s.bad)), 4);
  model.metrics.trainAuc = round(auc(trainScores, input.train.map((s) => s.bad)), 4);
  return model;
}
