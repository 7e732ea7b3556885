/**
 * RBI asset classification (IRAC circular of 12 Nov 2021) and NBFC provisioning (Master Direction — Scale
 * Based Regulation), as ../shared/LENDING.md states them. Pure: the SQL gives each loan's class as of a date.
 */

/** Report rows in this order; SMA-0/1/2 are standard assets for provisioning. */
export const RBI_CLASSES = ['standard', 'SMA-0', 'SMA-1', 'SMA-2', 'sub-standard', 'doubtful-1', 'doubtful-2', 'doubtful-3', 'loss'] as const;
export type RbiReportClass = (typeof RBI_CLASSES)[number];
/** The non-performing classes (sub-standard, doubtful, loss); the rest are standard assets. */
export const NPA_CLASSES: readonly RbiReportClass[] = ['sub-standard', 'doubtful-1', 'doubtful-2', 'doubtful-3', 'loss'];

/**
 * Provision rates in basis points of outstanding principal. Doubtful assets: 20 / 30 / 50 % of the secured
 * part plus 100 % of the unsecured part; the LMS holds no collateral values, so the whole balance is
 * unsecured and doubtful assets take 100 % (the secured rates are kept for when collateral is recorded).
 */
export const PROVISION_BPS: Readonly<Record<RbiReportClass, number>> = {
  standard: 40,
  'SMA-0': 40,
  'SMA-1': 40,
  'SMA-2': 40,
  'sub-standard': 1000,
  'doubtful-1': 10_000,
  'doubtful-2': 10_000,
  'doubtful-3': 10_000,
  loss: 10_000,
};
export const DOUBTFUL_SECURED_BPS = { 'doubtful-1': 2000, 'doubtful-2': 3000, 'doubtful-3': 5000 } as const;

/**
 * NPA age bands in months since the account became NPA: sub-standard up to 12; doubtful after 12 months as
 * sub-standard, D1 up to one year as doubtful (12–24), D2 one to three years (24–48), D3 beyond (48+).
 * Loss assets are the ones identified as loss (by the lender, its auditor or the RBI's inspection), not an
 * age: the LMS has no such flag yet, so the loss row is always zero.
 */
export const NPA_BANDS_MONTHS = { subStandard: 12, doubtful1: 24, doubtful2: 48 } as const;

/** Provision on a class total, rounded half up to the minor unit (the class total takes the rounding). */
export function provisionMinor(cls: RbiReportClass, principalMinor: bigint): bigint {
  const bps = BigInt(PROVISION_BPS[cls]);
  return (principalMinor * bps + 5_000n) / 10_000n;
}
