// Benchmark: replay of a 30-year loan (360 monthly installments, 1,000 repayments, ~11,000 days)
// and one end-of-day advance from its snapshot. Run with
// `node --expose-gc --import tsx bench/account.bench.ts` from packages/loan-engine.
// Prints p50/p99 of wall time per call over many samples, after a warm-up.
import { advanceAccount, replayAccount } from '../src/account/account.js';
import { longLoan } from '../src/account/long-loan.js';
import type { AccountSnapshot } from '../src/account/types.js';

const WARM_UP = 30;
const SAMPLES = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Wall time and CPU time (user + system, so a loaded machine's waiting is left out) per call. */
function measure(fn: () => unknown): { p50: number; p99: number; cpuP50: number; cpuP99: number } {
  for (let i = 0; i < WARM_UP; i += 1) fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    fn();
    const used = process.cpuUsage(cpuStart);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push((used.user + used.system) / 1000);
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), cpuP50: percentile(cpu, 50), cpuP99: percentile(cpu, 99) };
}

const input = longLoan();
const replayed = replayAccount(input);
if (!replayed.ok) throw new Error(replayed.error.message);
const snapshot = JSON.parse(JSON.stringify(replayed.value.snapshot)) as AccountSnapshot;
const rows = [
  { case: 'replayAccount 360 installments × 1,000 repayments', ...measure(() => replayAccount(input)) },
  { case: 'advanceAccount one day from a JSON snapshot', ...measure(() => advanceAccount(JSON.parse(JSON.stringify(snapshot)) as AccountSnapshot, { ...input, events: [] }, input.businessDate + 1)) },
];
console.log(`node ${process.version}, ${process.arch}; ${SAMPLES} samples after ${WARM_UP} warm-up calls`);
console.table(
  rows.map((r) => ({
    case: r.case,
    'wall p50 ms': r.p50.toFixed(2),
    'wall p99 ms': r.p99.toFixed(2),
    'cpu p50 ms': r.cpuP50.toFixed(2),
    'cpu p99 ms': r.cpuP99.toFixed(2),
  })),
);
