import { createHash } from 'node:crypto';
import {
  checkProductRelations,
  DELINQUENCY_BUCKET_SETS,
  glAccountSchema,
  LEDGER_ACCOUNT_NAMES,
  productShape,
  type ChartOfAccounts,
  type ProductDefinition,
  type ProductPublishedV1,
} from '@lendstack/contracts';
import type { AccountProduct, LedgerAccount } from '@lendstack/loan-engine';
import { z } from 'zod';

export type { ProductDefinition };

/**
 * The chart of accounts a product posts to unless its definition says otherwise: assets 1xxx,
 * liabilities 2xxx, income 4xxx, expense 5xxx, memo (off-balance-sheet) 9xxx.
 */
export const DEFAULT_CHART_OF_ACCOUNTS: ChartOfAccounts = {
  'loan-portfolio': { code: '1100', name: 'Loan portfolio (principal receivable)' },
  'interest-receivable': { code: '1110', name: 'Interest receivable' },
  'fees-receivable': { code: '1120', name: 'Fees receivable' },
  'penalties-receivable': { code: '1130', name: 'Penalties receivable' },
  'disbursement-clearing': { code: '1200', name: 'Disbursement clearing' },
  'collection-clearing': { code: '1210', name: 'Collection clearing' },
  'excess-liability': { code: '2100', name: 'Borrower excess payments' },
  'interest-income': { code: '4100', name: 'Interest income' },
  'fee-income': { code: '4200', name: 'Fee income' },
  'penalty-income': { code: '4300', name: 'Penalty income' },
  'recovery-income': { code: '4400', name: 'Recoveries on written-off loans' },
  'write-off-expense': { code: '5100', name: 'Loan write-off expense' },
  'memo-interest-receivable': { code: '9100', name: 'Memo: interest receivable on non-accrual loans' },
  'memo-interest-suspense': { code: '9110', name: 'Memo: interest suspense' },
  'memo-penalties-receivable': { code: '9120', name: 'Memo: penalties receivable on non-accrual loans' },
  'memo-penalties-suspense': { code: '9130', name: 'Memo: penalties suspense' },
};

// A default chart that misses an account the engine posts to is a bug, not a request error.
for (const account of LEDGER_ACCOUNT_NAMES) if (!DEFAULT_CHART_OF_ACCOUNTS[account]) throw new Error(`default chart of accounts misses ${account}`);

/**
 * The body of POST /v1/products: a product definition in which everything with a sensible default may
 * be left out (none for late fee, penal interest and prepayment charge; 0 grace days; 90 / 120 DPD; US
 * buckets; penalties → fees → interest → principal) and the chart of accounts lists only the accounts
 * that differ from DEFAULT_CHART_OF_ACCOUNTS. The result is the complete definition, its invariants
 * checked with the offending field named (checkProductRelations).
 */
export const productInputSchema = z
  .object({
    ...productShape,
    description: productShape.description.default(null),
    interestCalculation: productShape.interestCalculation.default('per-period'),
    fees: productShape.fees.default([]),
    allocationStrategy: productShape.allocationStrategy.default('penalties-fees-interest-principal'),
    graceDays: productShape.graceDays.default(0),
    lateFee: productShape.lateFee.default(null),
    penalInterest: productShape.penalInterest.default(null),
    prepaymentCharge: productShape.prepaymentCharge.default(null),
    nonAccrualDpd: productShape.nonAccrualDpd.default(90),
    chargeOffDpd: productShape.chargeOffDpd.default(120),
    bucketSet: productShape.bucketSet.default('us'),
    chartOfAccounts: z
      .object(Object.fromEntries(LEDGER_ACCOUNT_NAMES.map((a) => [a, glAccountSchema.optional()])) as Record<LedgerAccount, z.ZodOptional<typeof glAccountSchema>>)
      .strict()
      .default({})
      .describe('Only the accounts that differ from the default chart'),
  })
  .strict()
  .transform((p): ProductDefinition => ({ ...p, chartOfAccounts: { ...DEFAULT_CHART_OF_ACCOUNTS, ...stripUndefined(p.chartOfAccounts) } }))
  .superRefine(checkProductRelations);
export type ProductInput = z.input<typeof productInputSchema>;

const stripUndefined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** JSON with object keys sorted at every level: equal definitions give equal text (and hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 of the canonical definition: two requests describe the same product iff their hashes agree. */
export function definitionHash(definition: ProductDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

/** A stored version of a product. */
export interface ProductVersion {
  readonly tenantId: string;
  readonly code: string;
  readonly version: number;
  readonly definition: ProductDefinition;
  readonly definitionHash: string;
  readonly effectiveAt: Date;
  readonly createdBy: string;
}

export type VersionDecision =
  | { readonly kind: 'unchanged'; readonly latest: ProductVersion }
  | { readonly kind: 'create'; readonly version: ProductVersion }
  /** A product's currency is fixed by its first version: quotes and loans of other versions stay comparable. */
  | { readonly kind: 'currency-change'; readonly latest: ProductVersion };

/**
 * Whether a definition makes a new version: one identical to the latest changes nothing; any other is
 * version latest + 1 (1 for a new code), effective from `now`; one in another currency is refused.
 */
export function decideVersion(input: { tenantId: string; definition: ProductDefinition; createdBy: string; now: Date }, latest: ProductVersion | undefined): VersionDecision {
  const hash = definitionHash(input.definition);
  if (latest && latest.definitionHash === hash) return { kind: 'unchanged', latest };
  if (latest && latest.definition.currency !== input.definition.currency) return { kind: 'currency-change', latest };
  return {
    kind: 'create',
    version: { tenantId: input.tenantId, code: input.definition.code, version: (latest?.version ?? 0) + 1, definition: input.definition, definitionHash: hash, effectiveAt: input.now, createdBy: input.createdBy },
  };
}

/** The ProductPublished v1 event announcing a version; subject (and Kafka key) `<tenant>:<code>`. */
export function productPublishedEvent(v: ProductVersion, ids: { eventId: string; correlationId: string; traceparent?: string }): ProductPublishedV1 {
  return {
    id: ids.eventId,
    type: 'ProductPublished',
    version: 1,
    source: 'lendstack-lms',
    subject: productKey(v.tenantId, v.code),
    occurredAt: v.effectiveAt.toISOString(),
    tenantId: v.tenantId,
    correlationId: ids.correlationId,
    ...(ids.traceparent ? { traceContext: { traceparent: ids.traceparent } } : {}),
    payload: { ...v.definition, version: v.version, effectiveAt: v.effectiveAt.toISOString() },
  };
}

export const productKey = (tenantId: string, code: string): string => `${tenantId}:${code}`;

/** The servicing rules of a product in the loan engine's terms (for its replayable account). */
export function toAccountProduct(p: ProductDefinition): AccountProduct {
  const lateFee = p.lateFee === null ? undefined
    : p.lateFee.kind === 'flat' ? { kind: 'flat' as const, amountMinor: BigInt(p.lateFee.amount.amount) }
    : { kind: 'percent' as const, percent: p.lateFee.percent, capMinor: BigInt(p.lateFee.cap.amount) };
  return {
    strategy: p.allocationStrategy,
    graceDays: p.graceDays,
    ...(lateFee ? { lateFee } : {}),
    ...(p.penalInterest ? { penalAnnualPercent: p.penalInterest.annualRatePercent } : {}),
    nonAccrualDpd: p.nonAccrualDpd,
    chargeOffDpd: p.chargeOffDpd,
    bucketLowerBoundsDays: DELINQUENCY_BUCKET_SETS[p.bucketSet].lowerBoundsDays,
    ...(p.prepaymentCharge ? { prepaymentCharge: { percentOfPrincipal: p.prepaymentCharge.percentOfPrincipal, fixedMinor: BigInt(p.prepaymentCharge.fixed.amount) } } : {}),
  };
}

/** The GL account a product posts a logical ledger account to. */
export const glAccountFor = (p: ProductDefinition, account: LedgerAccount) => p.chartOfAccounts[account];
