/**
 * The early-warning model's features, from a loan's repayment behaviour as of a business date D (computed
 * set-based in Postgres by adapters/pg-features.queries.ts; the training script reads the same columns):
 */
export const FEATURES = [
  { name: 'dpd_now', about: 'days past due at D (0–90; loans already over 90 are not scored)' },
  { name: 'dpd_30_plus', about: '1 when dpd at D is 30 or more' },
  { name: 'dpd_60_plus', about: '1 when dpd at D is 60 or more' },
  { name: 'max_dpd_90', about: 'the highest dpd in the 90 days to D' },
  { name: 'dpd_trend_30', about: 'dpd at D minus dpd 30 days before' },
  { name: 'pay_ratio_90', about: 'collected ÷ due over the 90 days to D (1 when nothing fell due; capped at 2)' },
  { name: 'partial_90', about: 'repayments in the 90 days to D smaller than the instalment' },
  { name: 'bounced_90', about: 'auto-debit presentments returned in the 90 days to D' },
  { name: 'promises_broken_180', about: 'promises to pay whose date fell in the 180 days to D and were broken' },
  { name: 'cures_180', about: 'times the loan returned to 0 dpd in the 180 days to D' },
  { name: 'utilisation', about: 'principal outstanding ÷ principal disbursed' },
  { name: 'months_on_book', about: 'months since the first disbursement (capped at 36)' },
] as const;

export type FeatureName = (typeof FEATURES)[number]['name'];
export type FeatureVector = Readonly<Record<FeatureName, number>>;
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);

/** The target: the loan reaches more than 90 days past due within the 90 days after D. */
export const HORIZON_DAYS = 90;
