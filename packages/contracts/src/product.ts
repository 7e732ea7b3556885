import { LEDGER_ACCOUNTS, NAMED_STRATEGIES, type LedgerAccount } from '@lendstack/loan-engine';
import { z } from 'zod';
import { annualRatePercentSchema, dayCountSchema, feeSchema, frequencySchema, scheduleMethodSchema } from './loan-terms.js';
import { currencySchema, moneySchema, nonNegativeMoneySchema, positiveMoneySchema } from './money.js';

/**
 * A lending product as the LMS owns and publishes it (ProductPublished): what a loan of this product
 * may be (currency, principal, term and rate ranges, schedule), how it is serviced (allocation order,
 * grace, late fee, penal interest, prepayment charge, classification thresholds and buckets) and the
 * chart of accounts it posts to. Every property is present on the wire; "none" is `null`.
 */

/**
 * A product code: upper-case letters, digits, `-` and `_`, at most 32 characters, so `<tenant>:<code>`
 * (the envelope subject and Kafka key) fits in 100 characters and the code is safe in a URL path.
 */
export const productCodeSchema = z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'product code: 1-32 of A-Z, 0-9, - and _, starting with a letter or digit');

/** The allocation orders the loan engine implements (its NAMED_STRATEGIES keys). */
export const allocationStrategySchema = z.enum(Object.keys(NAMED_STRATEGIES) as [keyof typeof NAMED_STRATEGIES, ...(keyof typeof NAMED_STRATEGIES)[]]);

/**
 * Delinquency bucket sets by their lower DPD bounds after `current`.
 * us: current, 1–29, 30–59, 60–89, 90–119, 120+. rbi: standard, SMA-0 1–30, SMA-1 31–60, SMA-2 61–90, NPA 91+.
 */
export const DELINQUENCY_BUCKET_SETS = {
  us: { lowerBoundsDays: [1, 30, 60, 90, 120], labels: ['current', '1-29', '30-59', '60-89', '90-119', '120+'] },
  rbi: { lowerBoundsDays: [1, 31, 61, 91], labels: ['standard', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA'] },
} as const;
export const bucketSetSchema = z.enum(['us', 'rbi']);

/** The logical ledger accounts the LMS posts to (the loan engine's LEDGER_ACCOUNTS). */
export const LEDGER_ACCOUNT_NAMES: readonly LedgerAccount[] = LEDGER_ACCOUNTS;
export const ledgerAccountSchema = z.enum(LEDGER_ACCOUNTS as [LedgerAccount, ...LedgerAccount[]]);
export const glAccountSchema = z
  .object({
    code: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/, 'GL account code: 1-20 of letters, digits, . and -'),
    name: z.string().min(1).max(100),
  })
  .strict();
/** Every logical account mapped to the general-ledger account it posts to. */
export const chartOfAccountsSchema = z.object(Object.fromEntries(LEDGER_ACCOUNTS.map((a) => [a, glAccountSchema])) as Record<LedgerAccount, typeof glAccountSchema>).strict();

const rangeOf = <T extends z.ZodType>(bound: T) => z.object({ min: bound, max: bound }).strict();

/** Charged once per installment, `graceDays` after it falls due unpaid. */
export const lateFeeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('flat'), amount: nonNegativeMoneySchema }).strict(),
  z
    .object({
      kind: z.literal('percent'),
      percent: annualRatePercentSchema.describe('Percent of the overdue installment (principal + interest + fees unpaid), e.g. "2.5"'),
      cap: positiveMoneySchema.describe('The most one installment is charged'),
    })
    .strict(),
]);

export const productShape = {
  code: productCodeSchema,
  name: z.string().min(1).max(100),
  description: z.string().max(500).nullable(),
  currency: currencySchema,
  principal: rangeOf(positiveMoneySchema),
  termPeriods: rangeOf(z.number().int().min(1).max(600)),
  annualRatePercent: rangeOf(annualRatePercentSchema),
  frequency: frequencySchema,
  scheduleMethod: scheduleMethodSchema,
  interestCalculation: z.enum(['per-period', 'daily']),
  dayCount: dayCountSchema,
  fees: z.array(feeSchema).max(20).describe('Charges every loan of the product carries'),
  allocationStrategy: allocationStrategySchema,
  graceDays: z.number().int().min(0).max(90).describe('Days past due before DPD counts, the late fee and penal interest start'),
  lateFee: lateFeeSchema.nullable(),
  penalInterest: z
    .object({ annualRatePercent: annualRatePercentSchema.describe('On overdue principal, actual/365') })
    .strict()
    .nullable(),
  prepaymentCharge: z
    .object({
      percentOfPrincipal: annualRatePercentSchema.describe('Percent of the principal prepaid'),
      fixed: nonNegativeMoneySchema,
    })
    .strict()
    .nullable(),
  nonAccrualDpd: z.number().int().min(1).max(3650).describe('DPD at which interest stops accruing to income (default 90)'),
  chargeOffDpd: z.number().int().min(1).max(3650).describe('DPD at which the loan is charged off (default 120)'),
  bucketSet: bucketSetSchema,
  chartOfAccounts: chartOfAccountsSchema,
};

type Money = z.infer<typeof moneySchema>;
type ProductFields = {
  [K in keyof typeof productShape]: z.output<(typeof productShape)[K]>;
};

/** A decimal percent string as millionths of a percent, to compare two of them exactly. */
const micros = (percent: string): bigint => {
  const [whole = '0', fraction = ''] = percent.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
};
const PERCENT = /^\d{1,3}(\.\d{1,6})?$/;
const AMOUNT = /^-?\d{1,18}$/;

/**
 * Rules across fields of a product; each issue names its field. Every amount is in the product's
 * currency (its scale is then the currency's, which moneySchema checks); each range has min ≤ max;
 * percents of an amount are at most 100; grace < non-accrual ≤ charge-off; GL codes are distinct.
 */
export function checkProductRelations(p: ProductFields, ctx: z.core.$RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const amounts: [(string | number)[], Money | undefined][] = [
    [['principal', 'min'], p.principal.min],
    [['principal', 'max'], p.principal.max],
    [['lateFee', 'amount'], p.lateFee?.kind === 'flat' ? p.lateFee.amount : undefined],
    [['lateFee', 'cap'], p.lateFee?.kind === 'percent' ? p.lateFee.cap : undefined],
    [['prepaymentCharge', 'fixed'], p.prepaymentCharge?.fixed],
    ...p.fees.map((fee, index): [(string | number)[], Money] => [['fees', index, 'amount'], fee.amount]),
  ];
  for (const [path, money] of amounts) {
    if (money && money.currency !== p.currency) issue([...path, 'currency'], `must be the product currency ${p.currency}`);
  }
  const { min, max } = p.principal;
  if (AMOUNT.test(min.amount) && AMOUNT.test(max.amount) && BigInt(min.amount) > BigInt(max.amount)) issue(['principal', 'max'], 'must be at least principal.min');
  if (p.termPeriods.min > p.termPeriods.max) issue(['termPeriods', 'max'], 'must be at least termPeriods.min');
  const rate = p.annualRatePercent;
  if (PERCENT.test(rate.min) && PERCENT.test(rate.max)) {
    if (micros(rate.min) > micros(rate.max)) issue(['annualRatePercent', 'max'], 'must be at least annualRatePercent.min');
    // The engine splits without interest only at 0 %.
    if (p.scheduleMethod === 'zero-interest-split' && micros(rate.max) !== 0n) issue(['annualRatePercent', 'max'], 'must be 0 for scheduleMethod zero-interest-split');
  }
  const atMost100 = (path: (string | number)[], percent: string) => {
    if (PERCENT.test(percent) && micros(percent) > 100_000_000n) issue(path, 'must be at most 100');
  };
  if (p.lateFee?.kind === 'percent') atMost100(['lateFee', 'percent'], p.lateFee.percent);
  if (p.prepaymentCharge) atMost100(['prepaymentCharge', 'percentOfPrincipal'], p.prepaymentCharge.percentOfPrincipal);
  if (p.graceDays >= p.nonAccrualDpd) issue(['graceDays'], 'must be less than nonAccrualDpd');
  if (p.nonAccrualDpd > p.chargeOffDpd) issue(['chargeOffDpd'], 'must be at least nonAccrualDpd');
  const seen = new Map<string, string>();
  for (const [account, gl] of Object.entries(p.chartOfAccounts)) {
    const other = seen.get(gl.code);
    if (other) issue(['chartOfAccounts', account, 'code'], `GL code ${gl.code} is already used by ${other}`);
    else seen.set(gl.code, account);
  }
}

/** A product definition: every property present (the LMS fills defaults before it stores one). */
export const productDefinitionSchema = z.object(productShape).strict().superRefine(checkProductRelations);
export type ProductDefinition = z.infer<typeof productDefinitionSchema>;
export type ChartOfAccounts = z.infer<typeof chartOfAccountsSchema>;
export type LateFee = z.infer<typeof lateFeeSchema>;
