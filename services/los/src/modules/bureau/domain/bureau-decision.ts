/**
 * What the bureau check concludes from the features. Thresholds are configuration (these defaults are
 * common retail-lending cut-offs, not a regulation): fail on 90+ DPD in 12 months or any derogatory mark
 * (collection, charge-off, repossession…) in 24; refer on 30+ DPD in 24 months, FOIR above the maximum,
 * too many recent enquiries, a thin file, a score below the minimum, or no income to compute FOIR.
 */
import type { CheckReason, CheckResult } from '../../checks/check-runner.js';
import type { BureauFeatures } from './features.js';

export interface BureauThresholds {
  readonly failDpd12m: number;
  readonly referDpd24m: number;
  readonly maxFoirBasisPoints: number;
  readonly maxEnquiries6m: number;
  readonly minScore: number;
}

export const DEFAULT_BUREAU_THRESHOLDS: BureauThresholds = { failDpd12m: 90, referDpd24m: 30, maxFoirBasisPoints: 5_000, maxEnquiries6m: 4, minScore: 650 };

export function decideBureau(f: BureauFeatures, t: BureauThresholds = DEFAULT_BUREAU_THRESHOLDS): { result: CheckResult; reasons: CheckReason[] } {
  const fail: CheckReason[] = [];
  const refer: CheckReason[] = [];
  if (f.worstDpd12m >= t.failDpd12m) fail.push({ code: 'bureau-dpd-12m', detail: `Worst delinquency in the last 12 months is ${f.worstDpd12m}+ days (limit ${t.failDpd12m})` });
  if (f.derogatory24m) fail.push({ code: 'bureau-derogatory', detail: 'A collection, charge-off or repossession is reported in the last 24 months' });
  if (f.worstDpd24m >= t.referDpd24m && f.worstDpd12m < t.failDpd12m) refer.push({ code: 'bureau-dpd-24m', detail: `Worst delinquency in the last 24 months is ${f.worstDpd24m}+ days` });
  if (f.foirBasisPoints === null) refer.push({ code: 'foir-unknown', detail: 'FOIR cannot be computed without a monthly income in the report currency' });
  else if (f.foirBasisPoints > t.maxFoirBasisPoints) refer.push({ code: 'foir-above-max', detail: `FOIR ${(f.foirBasisPoints / 100).toFixed(2)}% is above ${(t.maxFoirBasisPoints / 100).toFixed(2)}%` });
  if (f.enquiries6m > t.maxEnquiries6m) refer.push({ code: 'bureau-enquiries-6m', detail: `${f.enquiries6m} credit enquiries in 6 months (at most ${t.maxEnquiries6m})` });
  if (f.thinFile) refer.push({ code: 'bureau-thin-file', detail: f.score === null ? 'No bureau score (no or too little credit history)' : `Fewer than two seasoned tradelines (${f.tradelines} in all)` });
  if (f.score !== null && f.score < t.minScore) refer.push({ code: 'bureau-score-low', detail: `Bureau score ${f.score} is below ${t.minScore}` });
  return fail.length > 0 ? { result: 'fail', reasons: [...fail, ...refer] } : refer.length > 0 ? { result: 'refer', reasons: refer } : { result: 'pass', reasons: [] };
}
