import { z } from 'zod';
import { FEATURE_NAMES, type FeatureName, type FeatureVector } from './features.js';

/**
 * The early-warning model as committed (model/npa-90d.v1.json, written by tools/early-warning/train.py):
 * a logistic regression over standardised features. logit = intercept + Σ coefficient × (x − mean) ÷ scale,
 * probability = 1 ÷ (1 + e^−logit). Each term of the sum is that factor's contribution, so the
 * contributions and the intercept add up to the logit exactly (the explanation is the model).
 */
export const modelSchema = z.object({
  name: z.string().min(1),
  version: z.number().int().positive(),
  threshold: z.number().gt(0).lt(1),
  intercept: z.number().finite(),
  features: z.array(z.object({ name: z.enum(FEATURE_NAMES as [FeatureName, ...FeatureName[]]), mean: z.number().finite(), scale: z.number().positive(), coefficient: z.number().finite() })).min(1),
  card: z.record(z.string(), z.unknown()),
});
export type EarlyWarningModel = z.infer<typeof modelSchema>;

export interface Factor {
  readonly feature: FeatureName;
  readonly value: number;
  readonly contribution: number;
}
export interface Score {
  readonly logit: number;
  readonly probability: number;
  /** Every feature's contribution, largest first (ties by name, so the order is deterministic). */
  readonly factors: readonly Factor[];
}

export const modelId = (m: EarlyWarningModel) => `${m.name}.v${m.version}`;

export function score(model: EarlyWarningModel, x: FeatureVector): Score {
  const factors = model.features.map((f) => ({ feature: f.name, value: x[f.name], contribution: (f.coefficient * (x[f.name] - f.mean)) / f.scale }));
  const logit = factors.reduce((s, f) => s + f.contribution, model.intercept);
  return {
    logit,
    probability: 1 / (1 + Math.exp(-logit)),
    factors: [...factors].sort((a, b) => b.contribution - a.contribution || a.feature.localeCompare(b.feature)),
  };
}

/** The factors raising the score most (positive contributions), at most `n`; the largest one if none is positive. */
export function topFactors(s: Score, n = 3): readonly Factor[] {
  const up = s.factors.filter((f) => f.contribution > 0).slice(0, n);
  return up.length > 0 ? up : s.factors.slice(0, 1);
}

/** Area under the ROC curve (Mann–Whitney: the share of positive–negative pairs ranked right, ties half). */
export function auc(scores: readonly { p: number; y: boolean }[]): number {
  const sorted = [...scores].sort((a, b) => a.p - b.p);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j]!.p === sorted[i]!.p) j += 1;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k += 1) if (sorted[k]!.y) { rankSum += rank; positives += 1; }
    i = j;
  }
  const negatives = sorted.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
