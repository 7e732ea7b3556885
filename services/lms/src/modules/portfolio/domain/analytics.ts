import type { BucketSet, PositionRow } from '../adapters/pg-portfolio.queries.js';
import { CHARGED_OFF, CLOSED } from '../adapters/pg-portfolio.queries.js';

/**
 * Portfolio analytics over loan positions (pure). Money stays in integer minor units per currency (never
 * summed across currencies); a share is a ratio of two such sums, given as a decimal string with four
 * places, rounded half up, beside the two sums it comes from so a reader can recompute it exactly.
 */
const ORDER: Record<BucketSet, readonly string[]> = {
  us: ['current', '1-29', '30-59', '60-89', '90-119', '120+'],
  rbi: ['standard', 'SMA-0', 'SMA-1', 'SMA-2', 'NPA'],
};

/** Buckets in their natural order: the set's own, then any other label by its leading number, then closed and charged off. */
export function bucketOrder(set: BucketSet, seen: Iterable<string>): string[] {
  const known = ORDER[set];
  const others = [...new Set(seen)].filter((b) => !known.includes(b) && b !== CLOSED && b !== CHARGED_OFF)
    .sort((a, b) => (Number.parseInt(a, 10) || 0) - (Number.parseInt(b, 10) || 0) || a.localeCompare(b));
  return [...known, ...others, CLOSED, CHARGED_OFF];
}

/** numerator ÷ denominator with four decimals, half up; "0.0000" when the denominator is zero. */
export function share(numerator: bigint, denominator: bigint): string {
  if (denominator === 0n) return '0.0000';
  const scaled = (numerator * 20_000n + denominator) / (2n * denominator); // round(n × 10^4 / d), half up, n, d ≥ 0
  const whole = scaled / 10_000n;
  return `${whole}.${(scaled % 10_000n).toString().padStart(4, '0')}`;
}

const money = (amountMinor: bigint, currency: string, scale: number) => ({ amount: amountMinor.toString(), currency, scale });

function byCurrency(rows: readonly PositionRow[]): Map<string, PositionRow[]> {
  const out = new Map<string, PositionRow[]>();
  for (const row of rows) out.set(row.currency, [...(out.get(row.currency) ?? []), row]);
  return out;
}

/** Outstanding principal and loans by product and bucket at one date, per currency, with the NPA ratio (gross). */
export function bucketSummary(rows: readonly PositionRow[], set: BucketSet) {
  return [...byCurrency(rows)].sort(([a], [b]) => a.localeCompare(b)).map(([currency, positions]) => {
    const scale = positions[0]!.scale;
    const cells = new Map<string, { productCode: string; bucket: string; loans: number; principal: bigint }>();
    for (const p of positions) {
      if (p.state === CLOSED) continue;
      const key = `${p.productCode}\u0000${p.state}`;
      const cell = cells.get(key) ?? { productCode: p.productCode, bucket: p.state, loans: 0, principal: 0n };
      cell.loans += 1;
      cell.principal += p.state === CHARGED_OFF ? 0n : p.principalMinor;
      cells.set(key, cell);
    }
    const order = bucketOrder(set, positions.map((p) => p.state));
    const items = [...cells.values()].sort((a, b) => a.productCode.localeCompare(b.productCode) || order.indexOf(a.bucket) - order.indexOf(b.bucket));
    const live = positions.filter((p) => p.state !== CLOSED && p.state !== CHARGED_OFF);
    const outstanding = live.reduce((s, p) => s + p.principalMinor, 0n);
    const npa = live.filter((p) => (set === 'rbi' ? p.state === 'NPA' : p.dpd > 90)).reduce((s, p) => s + p.principalMinor, 0n);
    return {
      currency,
      outstanding: money(outstanding, currency, scale),
      loans: live.length,
      npa: { outstanding: money(npa, currency, scale), grossRatio: share(npa, outstanding), rule: set === 'rbi' ? 'RBI class NPA' : 'more than 90 days past due' },
      items: items.map((c) => ({ productCode: c.productCode, bucket: c.bucket, loans: c.loans, principal: money(c.principal, currency, scale) })),
    };
  });
}

/**
 * Roll-rate matrices between consecutive dates: of the principal in bucket i at the start of a step
 * (closed and charged-off loans excluded), the share found in bucket j at its end, weighted by the
 * start balance; a loan that closed or was charged off within the step lands in those columns.
 */
export function rollRates(rows: readonly PositionRow[], dates: readonly string[], set: BucketSet) {
  return [...byCurrency(rows)].sort(([a], [b]) => a.localeCompare(b)).map(([currency, positions]) => {
    const scale = positions[0]!.scale;
    const at = new Map<string, Map<string, PositionRow>>();
    for (const p of positions) at.set(p.at, (at.get(p.at) ?? new Map<string, PositionRow>()).set(p.loanId, p));
    const order = bucketOrder(set, positions.map((p) => p.state));
    const steps = dates.slice(1).map((to, k) => {
      const from = dates[k]!;
      const start = at.get(from) ?? new Map<string, PositionRow>();
      const end = at.get(to) ?? new Map<string, PositionRow>();
      const cells = new Map<string, Map<string, bigint>>();
      for (const [loanId, p] of start) {
        if (p.state === CLOSED || p.state === CHARGED_OFF) continue;
        const landed = end.get(loanId)?.state ?? CLOSED;
        const row = cells.get(p.state) ?? new Map<string, bigint>();
        row.set(landed, (row.get(landed) ?? 0n) + p.principalMinor);
        cells.set(p.state, row);
      }
      const matrix = order.filter((b) => cells.has(b)).map((bucket) => {
        const row = cells.get(bucket)!;
        const total = [...row.values()].reduce((s, v) => s + v, 0n);
        return {
          from: bucket,
          principal: money(total, currency, scale),
          to: order.filter((b) => row.has(b)).map((b) => ({ bucket: b, principal: money(row.get(b)!, currency, scale), share: share(row.get(b)!, total) })),
        };
      });
      return { from, to, matrix };
    });
    return { currency, steps };
  });
}

/** The month `k` months after `month` (YYYY-MM). */
export function addMonths(month: string, k: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + k;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The last day of a month (YYYY-MM → YYYY-MM-DD). */
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** The last `months` month ends before asOf's month, oldest first, then asOf itself. */
export function monthEndsUpTo(asOf: string, months: number): string[] {
  const month = asOf.slice(0, 7);
  const ends = Array.from({ length: months }, (_, k) => monthEnd(addMonths(month, k - months)));
  return [...ends, asOf];
}

/**
 * Vintage curves: loans grouped by the month of their first disbursement (cohort); at months on book
 * k = 0, 1, … (the end of the cohort month + k, up to asOf), the share of the cohort's disbursed
 * principal that belongs to loans which had reached the threshold by then. Cumulative, so it never falls.
 */
export function vintages(positions: readonly PositionRow[], reached: ReadonlyMap<string, string>, asOf: string, threshold: number) {
  return [...byCurrency(positions)].sort(([a], [b]) => a.localeCompare(b)).map(([currency, rows]) => {
    const scale = rows[0]!.scale;
    const cohorts = new Map<string, PositionRow[]>();
    for (const p of rows) cohorts.set(p.disbursedOn.slice(0, 7), [...(cohorts.get(p.disbursedOn.slice(0, 7)) ?? []), p]);
    return {
      currency,
      thresholdDpd: threshold,
      cohorts: [...cohorts].sort(([a], [b]) => a.localeCompare(b)).map(([cohort, loans]) => {
        const disbursed = loans.reduce((s, p) => s + p.disbursedMinor, 0n);
        const points: { monthsOnBook: number; through: string; loans: number; disbursed: ReturnType<typeof money>; share: string }[] = [];
        for (let k = 0; ; k += 1) {
          const end = monthEnd(addMonths(cohort, k));
          const through = end < asOf ? end : asOf;
          const hit = loans.filter((p) => (reached.get(p.loanId) ?? '9999-12-31') <= through);
          const amount = hit.reduce((s, p) => s + p.disbursedMinor, 0n);
          points.push({ monthsOnBook: k, through, loans: hit.length, disbursed: money(amount, currency, scale), share: share(amount, disbursed) });
          if (end >= asOf) break;
        }
        return { cohort, loans: loans.length, disbursed: money(disbursed, currency, scale), points };
      }),
    };
  });
}

/** Product × bucket × region at one date: loans and outstanding principal (closed loans left out). */
export function heatmap(rows: readonly PositionRow[], set: BucketSet) {
  return [...byCurrency(rows)].sort(([a], [b]) => a.localeCompare(b)).map(([currency, positions]) => {
    const scale = positions[0]!.scale;
    const cells = new Map<string, { productCode: string; bucket: string; region: string; loans: number; principal: bigint }>();
    for (const p of positions) {
      if (p.state === CLOSED) continue;
      const key = [p.productCode, p.state, p.region].join('\u0000');
      const cell = cells.get(key) ?? { productCode: p.productCode, bucket: p.state, region: p.region, loans: 0, principal: 0n };
      cell.loans += 1;
      cell.principal += p.state === CHARGED_OFF ? 0n : p.principalMinor;
      cells.set(key, cell);
    }
    const order = bucketOrder(set, positions.map((p) => p.state));
    return {
      currency,
      buckets: order.filter((b) => [...cells.values()].some((c) => c.bucket === b)),
      cells: [...cells.values()]
        .sort((a, b) => a.productCode.localeCompare(b.productCode) || a.region.localeCompare(b.region) || order.indexOf(a.bucket) - order.indexOf(b.bucket))
        .map((c) => ({ productCode: c.productCode, region: c.region, bucket: c.bucket, loans: c.loans, principal: money(c.principal, currency, scale) })),
    };
  });
}
