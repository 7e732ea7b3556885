// ECharts options built from the LMS portfolio APIs' JSON. Plain JSON (no functions), so the same option
// draws in the browser and renders server side. Amounts are exact in the tables; a chart plots major units.
import { major, type Money } from './html.js';

export interface BucketsResponse {
  asOf: string;
  bucketSet: string;
  currencies: { currency: string; outstanding: Money; loans: number; npa: { outstanding: Money; grossRatio: string; rule: string }; items: { productCode: string; bucket: string; loans: number; principal: Money }[] }[];
}
export interface RollRatesResponse {
  asOf: string;
  dates: string[];
  currencies: { currency: string; steps: { from: string; to: string; matrix: { from: string; principal: Money; to: { bucket: string; principal: Money; share: string }[] }[] }[] }[];
}
export interface VintagesResponse {
  asOf: string;
  thresholdDpd: number;
  currencies: { currency: string; cohorts: { cohort: string; loans: number; disbursed: Money; points: { monthsOnBook: number; through: string; loans: number; disbursed: Money; share: string }[] }[] }[];
}
export interface HeatmapResponse {
  asOf: string;
  currencies: { currency: string; buckets: string[]; cells: { productCode: string; region: string; bucket: string; loans: number; principal: Money }[] }[];
}

export type ChartOption = Record<string, unknown>;
/** A share ("0.6154", four decimals) as a percentage with two decimals (61.54). */
export const percent = (share: string): number => Math.round(Number(share) * 10_000) / 100;
const base = (title: string): ChartOption => ({
  animation: false,
  title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
  tooltip: {},
  grid: { left: 90, right: 40, top: 70, bottom: 70 },
});

/** Outstanding principal per bucket at each date (stacked over products): one series per bucket. */
export function bucketsOverTimeOption(snapshots: readonly BucketsResponse[], currency: string): ChartOption {
  const buckets: string[] = [];
  for (const s of snapshots) for (const c of s.currencies) if (c.currency === currency) for (const i of c.items) if (!buckets.includes(i.bucket)) buckets.push(i.bucket);
  const dates = snapshots.map((s) => s.asOf);
  return {
    ...base(`Outstanding principal by bucket (${currency})`),
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: dates },
    yAxis: { type: 'value', name: currency },
    series: buckets.map((bucket) => ({
      name: bucket, type: 'bar', stack: 'book',
      data: snapshots.map((s) => {
        const items = s.currencies.find((c) => c.currency === currency)?.items.filter((i) => i.bucket === bucket) ?? [];
        return items.reduce((sum, i) => sum + major(i.principal), 0);
      }),
    })),
  };
}

/** The last step's roll-rate matrix: from bucket (rows) × to bucket (columns), the share in percent. */
export function rollRateOption(response: RollRatesResponse, currency: string): ChartOption {
  const step = response.currencies.find((c) => c.currency === currency)?.steps.filter((s) => s.matrix.length > 0).at(-1);
  const from = step?.matrix.map((r) => r.from) ?? [];
  const to = [...new Set(step?.matrix.flatMap((r) => r.to.map((c) => c.bucket)) ?? [])];
  const data = step?.matrix.flatMap((r) => r.to.map((c) => [to.indexOf(c.bucket), from.indexOf(r.from), percent(c.share)])) ?? [];
  return {
    ...base(step ? `Roll rates ${step.from} → ${step.to} (${currency}, % of start balance)` : `Roll rates (${currency}): no balances`),
    grid: { left: 90, right: 40, top: 70, bottom: 100 },
    xAxis: { type: 'category', data: to, name: 'to', splitArea: { show: true } },
    yAxis: { type: 'category', data: from, name: 'from', splitArea: { show: true } },
    visualMap: { min: 0, max: 100, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
    series: [{ name: 'share %', type: 'heatmap', data, label: { show: true } }],
  };
}

/** Vintage curves: per cohort, the cumulative share (percent) of disbursed principal that reached the threshold. */
export function vintagesOption(response: VintagesResponse, currency: string): ChartOption {
  const cohorts = response.currencies.find((c) => c.currency === currency)?.cohorts ?? [];
  const longest = Math.max(0, ...cohorts.map((c) => c.points.length));
  return {
    ...base(`Vintage curves: ${response.thresholdDpd}+ DPD by months on book (${currency}, % of disbursed)`),
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', name: 'months on book', data: Array.from({ length: longest }, (_, k) => String(k)) },
    yAxis: { type: 'value', name: '%' },
    series: cohorts.map((c) => ({ name: c.cohort, type: 'line', data: c.points.map((p) => percent(p.share)) })),
  };
}

/** The risk heatmap: product · region (rows) × bucket (columns), outstanding principal. */
export function heatmapOption(response: HeatmapResponse, currency: string): ChartOption {
  const c = response.currencies.find((x) => x.currency === currency);
  const rows = [...new Set(c?.cells.map((cell) => `${cell.productCode} · ${cell.region}`) ?? [])];
  const buckets = c?.buckets ?? [];
  const data = c?.cells.map((cell) => [buckets.indexOf(cell.bucket), rows.indexOf(`${cell.productCode} · ${cell.region}`), major(cell.principal)]) ?? [];
  const max = Math.max(1, ...data.map((d) => d[2]!));
  return {
    ...base(`Risk heatmap: product · region × bucket (${currency}, outstanding)`),
    grid: { left: 140, right: 40, top: 70, bottom: 100 },
    xAxis: { type: 'category', data: buckets, splitArea: { show: true } },
    yAxis: { type: 'category', data: rows, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0 },
    series: [{ name: 'outstanding', type: 'heatmap', data, label: { show: true } }],
  };
}

/** The currencies any of the responses has, sorted: the dashboard shows one at a time. */
export function currenciesOf(...responses: { currencies: { currency: string }[] }[]): string[] {
  return [...new Set(responses.flatMap((r) => r.currencies.map((c) => c.currency)))].sort();
}
