/**
 * A points-based scorecard: each attribute (a feature) is cut into bins, each bin worth a whole number of
 * points; the score is their sum. Scaling convention (Siddiqi): score = offset + factor·ln(odds good:bad),
 * factor = PDO / ln 2, offset = baseScore − factor·ln(baseOdds); this project uses 600 points at 50:1 with
 * PDO 20 (factor 28.8539, offset 487.1229), so the probability of default of a score is
 * 1 / (1 + exp((score − offset) / factor)). The model (bins, WoE, points) is data, trained offline by
 * scripts/train-scorecard.ts into data/scorecard/model.json. Reason codes: the attributes whose bin cost the
 * applicant most points against that attribute's best bin, at most four, only those that cost something.
 */
import { z } from 'zod';
import { isFeatureName, type FeatureName, type FeatureValue } from './features.js';

const binSchema = z.object({
  label: z.string().min(1).max(40),
  /** Numeric bins: lower bound inclusive, upper exclusive; absent = unbounded. A `missing` bin takes nulls. */
  min: z.number().optional(),
  max: z.number().optional(),
  missing: z.literal(true).optional(),
  woe: z.number(),
  points: z.number().int(),
}).strict();

export const scorecardModelSchema = z.object({
  version: z.string().min(1).max(64),
  trainedWith: z.object({ seed: z.number().int(), applicants: z.number().int(), holdoutShare: z.number(), badRate: z.number() }).strict(),
  scaling: z.object({ baseScore: z.number(), baseOdds: z.number().positive(), pdo: z.number().positive(), factor: z.number(), offset: z.number() }).strict(),
  intercept: z.number(),
  metrics: z.object({ auc: z.number(), ks: z.number(), trainAuc: z.number() }).strict(),
  attributes: z.array(z.object({
    feature: z.string().refine(isFeatureName, 'unknown feature'),
    coefficient: z.number(),
    informationValue: z.number(),
    /** Plain-words adverse-action reason (Reg B) when this attribute costs points; `missingReason` when its bin is the missing one. */
    reason: z.string().min(3).max(120),
    missingReason: z.string().min(3).max(120).optional(),
    bins: z.array(binSchema).min(2).max(20),
  }).strict()).min(1).max(30),
}).strict();

export type ScorecardModel = z.infer<typeof scorecardModelSchema>;
export type ScorecardBin = ScorecardModel['attributes'][number]['bins'][number];

export interface AttributeScore {
  readonly feature: FeatureName;
  readonly value: FeatureValue | null;
  readonly bin: string;
  readonly points: number;
  /** Points below the attribute's best bin. */
  readonly shortfall: number;
}

export interface ScoreResult {
  readonly modelVersion: string;
  readonly score: number;
  /** Probability of default from the score by the model's scaling, rounded to 6 decimals. */
  readonly pd: number;
  readonly attributes: readonly AttributeScore[];
  /** At most four, worst first: { feature, reason, shortfall }. */
  readonly reasons: readonly { readonly feature: FeatureName; readonly reason: string; readonly shortfall: number }[];
}

/** The bin a value falls in: numbers by range, null in the missing bin (or the first bin when there is none). */
export function binOf(bins: readonly ScorecardBin[], value: FeatureValue | null): ScorecardBin {
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : typeof value === 'number' ? value : null;
  if (n === null) return bins.find((b) => b.missing) ?? bins[0]!;
  return bins.find((b) => !b.missing && (b.min === undefined || n >= b.min) && (b.max === undefined || n < b.max)) ?? bins.find((b) => !b.missing)!;
}

export const scaling = (baseScore: number, baseOdds: number, pdo: number) => {
  const factor = pdo / Math.LN2;
  return { baseScore, baseOdds, pdo, factor, offset: baseScore - factor * Math.log(baseOdds) };
};

export const pdOfScore = (model: Pick<ScorecardModel, 'scaling'>, score: number) =>
  Math.round((1 / (1 + Math.exp((score - model.scaling.offset) / model.scaling.factor))) * 1e6) / 1e6;

/** Scores a feature set. Pure and deterministic. */
export function scoreApplicant(model: ScorecardModel, values: Readonly<Partial<Record<FeatureName, FeatureValue | null>>>): ScoreResult {
  const attributes = model.attributes.map((a): AttributeScore & { reason: string } => {
    const feature = a.feature as FeatureName;
    const value = values[feature] ?? null;
    const bin = binOf(a.bins, value);
    const best = Math.max(...a.bins.map((b) => b.points));
    return { feature, value, bin: bin.label, points: bin.points, shortfall: best - bin.points, reason: bin.missing && a.missingReason ? a.missingReason : a.reason };
  });
  const score = attributes.reduce((s, a) => s + a.points, 0);
  const reasons = attributes
    .filter((a) => a.shortfall > 0)
    .sort((x, y) => y.shortfall - x.shortfall || x.feature.localeCompare(y.feature))
    .slice(0, 4)
    .map(({ feature, reason, shortfall }) => ({ feature, reason, shortfall }));
  return { modelVersion: model.version, score, pd: pdOfScore(model, score), attributes: attributes.map(({ reason: _reason, ...a }) => a), reasons };
}
