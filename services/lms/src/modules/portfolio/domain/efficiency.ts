import { NPA_CLASSES, provisionMinor } from '../../reports/domain/rbi.js';
import type { ClassRow } from '../../reports/adapters/pg-reports.queries.js';
import type { BucketSet } from '../adapters/pg-portfolio.queries.js';
import type { EfficiencyCell } from '../adapters/pg-efficiency.queries.js';
import { bucketOrder, share } from './analytics.js';

const money = (amountMinor: bigint, currency: string, scale: number) => ({ amount: amountMinor.toString(), currency, scale });

function byCurrency<T extends { currency: string }>(rows: readonly T[]): [string, T[]][] {
  const out = new Map<string, T[]>();
  for (const row of rows) out.set(row.currency, [...(out.get(row.currency) ?? []), row]);
  return [...out].sort(([a], [b]) => a.localeCompare(b));
}

/**
 * Collection efficiency = collected ÷ due in the period, per currency: the whole book, each product, and
 * each product × bucket at the period's start. A share can pass 1.0000 (arrears and prepayments collected
 * beyond the period's dues); "0.0000" when nothing fell due.
 */
export function efficiencySummary(cells: readonly EfficiencyCell[], set: BucketSet) {
  return byCurrency(cells).map(([currency, rows]) => {
    const scale = rows[0]!.scale;
    const order = bucketOrder(set, rows.map((r) => r.bucket));
    const total = (group: readonly EfficiencyCell[]) => {
      const due = group.reduce((s, r) => s + r.dueMinor, 0n);
      const collected = group.reduce((s, r) => s + r.collectedMinor, 0n);
      return { loans: group.reduce((n, r) => n + r.loans, 0), due: money(due, currency, scale), collected: money(collected, currency, scale), efficiency: share(collected, due) };
    };
    const products = [...new Set(rows.map((r) => r.productCode))].sort();
    return {
      currency,
      ...total(rows),
      products: products.map((productCode) => {
        const group = rows.filter((r) => r.productCode === productCode);
        return {
          productCode,
          ...total(group),
          buckets: [...group].sort((a, b) => order.indexOf(a.bucket) - order.indexOf(b.bucket)).map((r) => ({ bucket: r.bucket, ...total([r]) })),
        };
      }),
    };
  });
}

/**
 * Gross and net NPA ratios per currency from the RBI asset classification as of the date (the reports
 * module's classes and provision rates): gross = NPA principal ÷ gross advances; net = (gross NPA − the
 * provisions held on NPAs) ÷ (gross advances − the same provisions), the RBI's net NPA definition, where
 * standard-asset provisions are not netted. Each class's provision rounds half up, as in the report.
 */
export function npaRatios(rows: readonly ClassRow[]) {
  return byCurrency(rows).map(([currency, group]) => {
    const scale = group[0]!.scale;
    const advances = group.reduce((s, r) => s + r.principalMinor, 0n);
    const npa = group.filter((r) => NPA_CLASSES.includes(r.cls));
    const grossNpa = npa.reduce((s, r) => s + r.principalMinor, 0n);
    const provisions = npa.reduce((s, r) => s + provisionMinor(r.cls, r.principalMinor), 0n);
    const netNpa = grossNpa - provisions;
    const netAdvances = advances - provisions;
    return {
      currency,
      loans: group.reduce((n, r) => n + r.loans, 0),
      npaLoans: npa.reduce((n, r) => n + r.loans, 0),
      grossAdvances: money(advances, currency, scale),
      grossNpa: money(grossNpa, currency, scale),
      npaProvisions: money(provisions, currency, scale),
      netAdvances: money(netAdvances, currency, scale),
      netNpa: money(netNpa, currency, scale),
      grossRatio: share(grossNpa, advances),
      netRatio: share(netNpa, netAdvances),
    };
  });
}
