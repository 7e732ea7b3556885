import { z } from 'zod';
import {
  allocatePayment,
  BUCKETS,
  COMPONENTS,
  NAMED_STRATEGIES,
  type AllocationStrategy,
  type Component,
} from '../allocation/allocate.js';
import { parseIsoDate } from '../dates/local-date.js';
import { parseMoney, formatMoney } from '../money/money.js';
import { currencyCode, decimals, decimalString, isoDateString } from './common-schemas.js';
import { requireCurrency } from './to-terms.js';

const MAX_INSTALLMENTS = 1200;

const strategyNames = Object.keys(NAMED_STRATEGIES) as [keyof typeof NAMED_STRATEGIES, ...(keyof typeof NAMED_STRATEGIES)[]];

const customStrategy = z.object({
  bucketOrder: z.array(z.enum(BUCKETS)).min(1).max(3),
  componentOrder: z.array(z.enum(COMPONENTS)).min(1).max(4),
  grouping: z.enum(['installment', 'component']),
  byDueDateOnly: z.boolean().optional(),
});

const installmentSchema = z.object({
  number: z.int().min(0),
  dueDate: isoDateString,
  principal: decimalString.default('0'),
  interest: decimalString.default('0'),
  fees: decimalString.default('0'),
  penalties: decimalString.default('0'),
});

export const allocateRequestSchema = z
  .object({
    currency: currencyCode,
    paymentDate: isoDateString,
    amount: decimalString,
    strategy: z.union([z.enum(strategyNames), customStrategy]).default('penalties-fees-interest-principal'),
    overpayment: z.enum(['advance', 'credit']).default('advance'),
    installments: z.array(installmentSchema).max(MAX_INSTALLMENTS),
  })
  .superRefine((req, ctx) => {
    const scale = requireScale(req.currency);
    if (scale === undefined) return;
    const check = (value: unknown, path: (string | number)[]): void => {
      if (typeof value === 'string' && decimals(value) > scale) {
        ctx.addIssue({ code: 'custom', path, message: `must have at most ${scale} decimals for ${req.currency}` });
      }
    };
    check(req.amount, ['amount']);
    req.installments.forEach((inst, i) => COMPONENTS.forEach((c) => check(inst[c], ['installments', i, c])));
    const numbers = new Set(req.installments.map((i) => i.number));
    if (numbers.size !== req.installments.length) {
      ctx.addIssue({ code: 'custom', path: ['installments'], message: 'installment numbers must be unique' });
    }
  });

function requireScale(code: unknown): number | undefined {
  try {
    return requireCurrency(String(code)).scale;
  } catch {
    return undefined;
  }
}

export type AllocateRequest = z.input<typeof allocateRequestSchema>;

type ComponentAmounts = Record<Component, string>;

export interface AllocateResponse {
  currency: string;
  allocations: (ComponentAmounts & { number: number; total: string })[];
  totals: ComponentAmounts & { allocated: string };
  /** Paid towards installments not yet due. */
  advance: string;
  /** Left over after everything allowed was paid. */
  creditBalance: string;
}

/** Allocates a payment over outstanding installments (amounts in major units). */
export function allocate(request: AllocateRequest): AllocateResponse {
  const req = allocateRequestSchema.parse(request);
  const currency = requireCurrency(req.currency);
  const money = (v: string): bigint => parseMoney(v, currency);
  const fmt = (v: bigint): string => formatMoney(v, currency);
  const strategy: AllocationStrategy = typeof req.strategy === 'string' ? NAMED_STRATEGIES[req.strategy] : req.strategy;
  const result = allocatePayment({
    paymentMinor: money(req.amount),
    paymentDate: parseIsoDate(req.paymentDate),
    strategy,
    overpayment: req.overpayment,
    installments: req.installments.map((i) => ({
      number: i.number,
      dueDate: parseIsoDate(i.dueDate),
      principal: money(i.principal),
      interest: money(i.interest),
      fees: money(i.fees),
      penalties: money(i.penalties),
    })),
  });
  const amounts = (x: Record<Component, bigint>): ComponentAmounts => ({
    penalties: fmt(x.penalties),
    fees: fmt(x.fees),
    interest: fmt(x.interest),
    principal: fmt(x.principal),
  });
  const allocated = COMPONENTS.reduce((a, c) => a + result.byComponent[c], 0n);
  return {
    currency: currency.code,
    allocations: result.installments.map((a) => ({ number: a.number, ...amounts(a), total: fmt(a.total) })),
    totals: { ...amounts(result.byComponent), allocated: fmt(allocated) },
    advance: fmt(result.advance),
    creditBalance: fmt(result.creditBalance),
  };
}
