// Benchmark: exact (bigint) equal-installment schedules vs a plain floating-point implementation,
// measured in the same run. Run with `pnpm --filter @lendstack/loan-engine bench`.
// Prints schedules/second, the exact/float time ratio and retained heap per schedule.
import { schedule } from '../src/api/schedule.js';
import { fromCivil } from '../src/dates/local-date.js';
import { rat } from '../src/math/rational.js';
import { buildSchedule } from '../src/schedule/engine.js';
import type { LoanTerms } from '../src/schedule/types.js';
import { floatSchedule } from './float-schedule.js';

const SAMPLE_MS = 300;
/** Cases are measured in alternating rounds and the median kept, so load from other processes
 * on the machine hits the float baseline and the exact engine alike. */
const ROUNDS = 7;
const MEMORY_SAMPLE = 2000;

function terms(termPeriods: number): LoanTerms {
  return {
    currency: { code: 'INR', scale: 2 },
    principalMinor: 2_500_000_00n,
    annualRate: rat(875n, 10_000n),
    termPeriods,
    frequency: 'monthly',
    method: 'equal-installment',
    interestCalculation: 'per-period',
    dayCount: '30/360',
    disbursementDate: fromCivil(2025, 1, 31),
    rounding: { mode: 'half-up', installmentMultipleMinor: 1n },
    grace: { principalPeriods: 0, interestPeriods: 0, moratoriumPeriods: 0 },
    fees: [],
    downPaymentMinor: 0n,
  };
}

/** Runs `fn` for SAMPLE_MS; returns operations per second. */
function opsPerSecond(fn: () => unknown): number {
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(SAMPLE_MS) * 1_000_000n) {
    for (let i = 0; i < 50; i += 1) fn();
    ops += 50;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return (ops * 1e9) / Number(elapsedNs);
}

/** Retained heap per result: build MEMORY_SAMPLE results, keep them alive, measure after GC. */
function bytesPerResult(fn: () => unknown): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: unknown[] = [];
  for (let i = 0; i < MEMORY_SAMPLE; i += 1) kept.push(fn());
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept.length !== MEMORY_SAMPLE) throw new Error('unreachable');
  return (after - before) / MEMORY_SAMPLE;
}

interface Row {
  case: string;
  'schedules/s': string;
  'µs/schedule': string;
  'vs float': string;
  'KiB retained/schedule': string;
}

interface Case {
  label: string;
  periods: number;
  fn: () => unknown;
  baseline?: string;
}

function cases(n: number): Case[] {
  const t = terms(n);
  const req = {
    principal: '2500000.00',
    currency: 'INR',
    annualRatePercent: '8.75',
    termPeriods: n,
    frequency: 'monthly',
    method: 'equal-installment',
    interestCalculation: 'per-period',
    dayCount: '30/360',
    disbursementDate: '2025-01-31',
  } as const;
  const float = `float, ${n} periods`;
  return [
    { label: float, periods: n, fn: () => floatSchedule(2_500_000, 8.75, n) },
    { label: `exact buildSchedule, ${n} periods`, periods: n, fn: () => buildSchedule(t), baseline: float },
    { label: `schedule() JSON API incl. zod + APR, ${n} periods`, periods: n, fn: () => schedule(req), baseline: float },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const all = [...cases(12), ...cases(360)];
for (const c of all) for (let i = 0; i < 300; i += 1) c.fn(); // warm-up
const samples = new Map<string, number[]>(all.map((c) => [c.label, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const c of all) samples.get(c.label)?.push(opsPerSecond(c.fn));
}
const ops = new Map(all.map((c) => [c.label, median(samples.get(c.label) ?? [])]));
const rows: Row[] = all.map((c) => {
  const o = ops.get(c.label) as number;
  const base = c.baseline === undefined ? o : (ops.get(c.baseline) as number);
  const bytes = bytesPerResult(c.fn);
  return {
    case: c.label,
    'schedules/s': Math.round(o).toLocaleString('en-US'),
    'µs/schedule': (1e6 / o).toFixed(2),
    'vs float': `${(base / o).toFixed(2)}×`,
    'KiB retained/schedule': bytes === undefined ? 'n/a (needs --expose-gc)' : (bytes / 1024).toFixed(1),
  };
});

console.log(`node ${process.version}, ${process.arch}; median of ${ROUNDS} alternating ${SAMPLE_MS} ms samples per case`);
console.table(rows);
