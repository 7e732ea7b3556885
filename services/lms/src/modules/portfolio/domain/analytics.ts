import { CHARGED_OFF, CLOSED, type BookCell, type BucketSet, type CohortCell, type Transition } from '../adapters/pg-portfolio.queries.js';

/**
 * Portfolio analytics over the book's aggregates (pure; pg-portfolio.queries.ts computes them). Money stays in integer minor units per currency (never
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

function byCurrency<T extends { currency: string }>(rows: readonly T[]): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const row of rows) out.set(row.currency, [...(out.get(row.currency) ?? []), row]);
  return [...out].sort(([a], [b]) => a.localeCompare(b));
}

/** Outstanding principal and loans by product and bucket at one date, per currency, with the NPA ratio (gross). Closed loans are left out. */
export function bucketSummary(cells: readonly BookCell[], set: BucketSet) {
  return byCurrency(cells.filter((c) => c.state !== CLOSED)).map(([currency, rows]) => {
    const scale = rows[0]!.scale;
    const merged = new Map<string, { productCode: string; bucket: string; loans: number; principal: bigint }>();
    for (const c of rows) {
      const key = `${c.productCode}\u0000${c.state}`;
      const cell = merged.get(key) ?? { productCode: c.productCode, bucket: c.state, loans: 0, principal: 0n };
      cell.loans += c.loans;
      cell.principal += c.principalMinor;
      merged.set(key, cell);
    }
    const order = bucketOrder(set, rows.map((c) => c.state));
    const live = rows.filter((c) => c.state !== CHARGED_OFF);
    const outstanding = live.reduce((sum, c) => sum + c.principalMinor, 0n);
    const npa = live.reduce((sum, c) => sum + (set === 'rbi' ? (c.state === 'NPA' ? c.principalMinor : 0n) : c.over90Minor), 0n);
    return {
      currency,
      outstanding: money(outstanding, currency, scale),
      loans: live.reduce((n, c) => n + c.loans, 0),
      npa: { outstanding: money(npa, currency, scale), grossRatio: share(npa, outstanding), rule: set === 'rbi' ? 'RBI class NPA' : 'more than 90 days past due' },
      items: [...merged.values()]
        .sort((a, b) => a.productCode.localeCompare(b.productCode) || order.indexOf(a.bucket) - order.indexOf(b.bucket))
        .map((c) => ({ productCode: c.productCode, bucket: c.bucket, loans: c.loans, principal: money(c.principal, currency, scale) })),
    };
  });
}

/**
 * Roll-rate matrices between consecutive dates: of the principal in bucket i at the start of a step
 * (closed and charged-off loans excluded), the share found in bucket j at its end, weighted by the
 * start balance; a loan that closed or was charged off within the step lands in those columns.
 */
export function rollRates(moves: readonly Transition[], dates: readonly string[], set: BucketSet) {
  return byCurrency(moves).map(([currency, rows]) => {
    const scale = rows[0]!.scale;
    const order = bucketOrder(set, rows.flatMap((m) => [m.fromState, m.toState]));
    const steps = dates.slice(1).map((to, k) => {
      const from = dates[k]!;
      const step = rows.filter((m) => m.from === from && m.to === to);
      const matrix = order.filter((b) => step.some((m) => m.fromState === b)).map((bucket) => {
        const row = step.filter((m) => m.fromState === bucket);
        const total = row.reduce((sum, m) => sum + m.principalMinor, 0n);
        return {
          from: bucket,
          principal: money(total, currency, scale),
          to: order.filter((b) => row.some((m) => m.toState === b)).map((b) => {
            const amount = row.filter((m) => m.toState === b).reduce((sum, m) => sum + m.principalMinor, 0n);
            return { bucket: b, principal: money(amount, currency, scale), share: share(amount, total) };
          }),
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
export function vintages(cells: readonly CohortCell[], asOf: string, threshold: number) {
  return byCurrency(cells).map(([currency, rows]) => {
    const scale = rows[0]!.scale;
    const names = [...new Set(rows.map((c) => c.cohort))].sort();
    return {
      currency,
      thresholdDpd: threshold,
      cohorts: names.map((cohort) => {
        const group = rows.filter((c) => c.cohort === cohort);
        const disbursed = group.reduce((sum, c) => sum + c.disbursedMinor, 0n);
        const points: { monthsOnBook: number; through: string; loans: number; disbursed: ReturnType<typeof money>; share: string }[] = [];
        for (let k = 0; ; k += 1) {
          const month = addMonths(cohort, k);
          const end = monthEnd(month);
          const hit = group.filter((c) => c.reachedMonth !== null && c.reachedMonth <= month);
          const amount = hit.reduce((sum, c) => sum + c.disbursedMinor, 0n);
          points.push({ monthsOnBook: k, through: end < asOf ? end : asOf, loans: hit.reduce((n, c) => n + c.loans, 0), disbursed: money(amount, currency, scale), share: share(amount, disbursed) });
          if (end >= asOf) break;
        }
        return { cohort, loans: group.reduce((n, c) => n + c.loans, 0), disbursed: money(disbursed, currency, scale), points };
      }),
    };
  });
}

/** Product × bucket × region at one date: loans and outstanding principal (closed loans left out). */
export function heatmap(cells: readonly BookCell[], set: BucketSet) {
  return byCurrency(cells.filter((c) => c.state !== CLOSED)).map(([currency, rows]) => {
    const order = bucketOrder(set, rows.map((c) => c.state));
    return {
      currency,
      buckets: order.filter((b) => rows.some((c) => c.state === b)),
      cells: [...rows]
        .sort((a, b) => a.productCode.localeCompare(b.productCode) || a.region.localeCompare(b.region) || order.indexOf(a.state) - order.indexOf(b.state))
        .map((c) => ({ productCode: c.productCode, region: c.region, bucket: c.state, loans: c.loans, principal: money(c.principalMinor, currency, c.scale) })),
    };
  });
}
