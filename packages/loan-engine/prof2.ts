import { schedule } from './src/api/schedule.js';
for (const n of [12, 360]) {
const req = { principal: '2500000.00', currency: 'INR', annualRatePercent: '8.75', termPeriods: n, frequency: 'monthly', method: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', disbursementDate: '2025-01-31' } as const;
for (let i = 0; i < 50; i++) schedule(req);
const s = performance.now(); for (let i = 0; i < 300; i++) schedule(req); console.log(n, ((performance.now() - s) / 300 * 1000).toFixed(1), 'µs', schedule(req).apr);
}
