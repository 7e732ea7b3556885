import type { ProductInput } from './product.js';

const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const usd = (amount: string) => ({ amount, currency: 'USD', scale: 2 });

/**
 * The products the start command seeds for tenant `demo`, one per product type: a personal loan
 * (monthly EMI), buy-now-pay-later (4 fortnightly zero-interest instalments with a late fee), a payday
 * loan (one repayment, a flat fee) and an SME term loan (monthly, equal principal, RBI buckets).
 */
export const DEMO_PRODUCTS: readonly ProductInput[] = [
  {
    code: 'PL-12',
    name: 'Personal loan',
    description: 'Unsecured personal loan repaid in equal monthly instalments (EMI).',
    currency: 'INR',
    principal: { min: inr('2500000'), max: inr('250000000') },
    termPeriods: { min: 6, max: 60 },
    annualRatePercent: { min: '10.5', max: '24' },
    frequency: 'monthly',
    scheduleMethod: 'equal-installment',
    dayCount: '30/360',
    allocationStrategy: 'penalties-fees-interest-principal',
    graceDays: 3,
    lateFee: { kind: 'percent', percent: '2', cap: inr('100000') },
    penalInterest: { annualRatePercent: '24' },
    prepaymentCharge: { percentOfPrincipal: '2', fixed: inr('0') },
    bucketSet: 'rbi',
  },
  {
    code: 'BNPL-4',
    name: 'Pay in 4',
    description: 'Four fortnightly instalments, no interest; a flat fee for each instalment paid late.',
    currency: 'USD',
    principal: { min: usd('5000'), max: usd('200000') },
    termPeriods: { min: 4, max: 4 },
    annualRatePercent: { min: '0', max: '0' },
    frequency: 'biweekly',
    scheduleMethod: 'zero-interest-split',
    dayCount: '30/360',
    allocationStrategy: 'oldest-first',
    graceDays: 1,
    lateFee: { kind: 'flat', amount: usd('700') },
    bucketSet: 'us',
  },
  {
    code: 'PAYDAY-30',
    name: 'Payday loan',
    description: 'One repayment a month after disbursement: the principal and a flat fee, no interest.',
    currency: 'USD',
    principal: { min: usd('10000'), max: usd('100000') },
    termPeriods: { min: 1, max: 1 },
    annualRatePercent: { min: '0', max: '0' },
    frequency: 'monthly',
    scheduleMethod: 'bullet',
    dayCount: 'actual/365',
    fees: [{ code: 'FINANCE', name: 'Finance charge', amount: usd('4500'), timing: 'per-installment' }],
    allocationStrategy: 'penalties-fees-interest-principal',
    nonAccrualDpd: 30,
    chargeOffDpd: 60,
    bucketSet: 'us',
  },
  {
    code: 'SME-TL',
    name: 'SME term loan',
    description: 'Term loan for small businesses: equal monthly principal plus interest on the balance, daily actual/365.',
    currency: 'INR',
    principal: { min: inr('50000000'), max: inr('5000000000') },
    termPeriods: { min: 12, max: 84 },
    annualRatePercent: { min: '11', max: '20' },
    frequency: 'monthly',
    scheduleMethod: 'equal-principal',
    interestCalculation: 'daily',
    dayCount: 'actual/365',
    allocationStrategy: 'interest-principal-across-due',
    penalInterest: { annualRatePercent: '2' },
    prepaymentCharge: { percentOfPrincipal: '3', fixed: inr('0') },
    bucketSet: 'rbi',
  },
];
