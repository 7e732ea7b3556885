// The portfolio as the dashboard, the chart images and the risk pack show it: the LMS's four portfolio APIs
// at one date (and the buckets at the five month ends before it), for one currency, bucket set and threshold.
import { bucketsOverTimeOption, currenciesOf, heatmapOption, rollRateOption, vintagesOption, type BucketsResponse, type ChartOption, type HeatmapResponse, type RollRatesResponse, type VintagesResponse } from './charts.js';
import type { Upstream } from './upstream.js';

export const CHARTS = ['buckets', 'roll-rates', 'vintages', 'heatmap'] as const;
export type ChartName = (typeof CHARTS)[number];

export interface PortfolioView {
  asOf: string;
  bucketSet: 'us' | 'rbi';
  thresholdDpd: '30' | '60' | '90';
  currencies: string[];
  currency: string | undefined;
  snapshots: BucketsResponse[];
  current: BucketsResponse;
  roll: RollRatesResponse;
  vintages: VintagesResponse;
  heatmap: HeatmapResponse;
}
export type PortfolioLoad = { ok: true; view: PortfolioView } | { ok: false; status: number; body: unknown };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const qs = (params: Record<string, string | number | undefined>) => {
  const s = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString();
  return s ? `?${s}` : '';
};

/** The last `months` month ends before asOf's month, oldest first, then asOf (the LMS's roll-rate dates). */
export function monthEndsBefore(asOf: string, months: number): string[] {
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const ends = Array.from({ length: months }, (_, k) => new Date(Date.UTC(y, m - 1 - (months - 1 - k), 0)).toISOString().slice(0, 10));
  return [...ends, asOf];
}
/** The date itself when it is a month end, else the month end before it (a monthly pack's default date). */
export function monthEndOnOrBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d === last ? date : new Date(Date.UTC(y, m - 1, 0)).toISOString().slice(0, 10);
}

export interface PortfolioQuery {
  asOf?: string | undefined;
  bucketSet?: string | undefined;
  thresholdDpd?: string | undefined;
  currency?: string | undefined;
}

/** `asOf` absent: the tenant's business date, or with `monthEnd` the month end on or before it. */
export async function loadPortfolio(lms: Upstream, query: PortfolioQuery, options: { monthEnd?: boolean } = {}): Promise<PortfolioLoad> {
  const bucketSet = query.bucketSet === 'rbi' ? 'rbi' : 'us';
  const thresholdDpd = query.thresholdDpd === '60' || query.thresholdDpd === '90' ? query.thresholdDpd : '30';
  let requested = query.asOf && DATE.test(query.asOf) ? query.asOf : undefined;
  let current = await lms.get<BucketsResponse>(`/v1/portfolio/buckets${qs({ asOf: requested, bucketSet })}`);
  if (!current.ok) return { ok: false, status: current.status, body: current.body };
  if (!requested && options.monthEnd && monthEndOnOrBefore(current.body.asOf) !== current.body.asOf) {
    requested = monthEndOnOrBefore(current.body.asOf);
    current = await lms.get<BucketsResponse>(`/v1/portfolio/buckets${qs({ asOf: requested, bucketSet })}`);
    if (!current.ok) return { ok: false, status: current.status, body: current.body };
  }
  const asOf = current.body.asOf;
  const [history, roll, vintages, heatmap] = await Promise.all([
    Promise.all(monthEndsBefore(asOf, 5).slice(0, -1).map((d) => lms.get<BucketsResponse>(`/v1/portfolio/buckets${qs({ asOf: d, bucketSet })}`))),
    lms.get<RollRatesResponse>(`/v1/portfolio/roll-rates${qs({ asOf, bucketSet, months: 6 })}`),
    lms.get<VintagesResponse>(`/v1/portfolio/vintages${qs({ asOf, thresholdDpd })}`),
    lms.get<HeatmapResponse>(`/v1/portfolio/heatmap${qs({ asOf, bucketSet })}`),
  ]);
  const failed = [...history, roll, vintages, heatmap].find((r) => !r.ok);
  if (failed) return { ok: false, status: failed.status, body: failed.body };
  const snapshots = [...history.map((h) => h.body), current.body];
  const currencies = currenciesOf(current.body, roll.body, vintages.body, heatmap.body, ...snapshots);
  const currency = query.currency && currencies.includes(query.currency) ? query.currency : currencies[0];
  return { ok: true, view: { asOf, bucketSet, thresholdDpd, currencies, currency, snapshots, current: current.body, roll: roll.body, vintages: vintages.body, heatmap: heatmap.body } };
}

export function chartOption(view: PortfolioView, name: ChartName): ChartOption {
  const currency = view.currency ?? '';
  switch (name) {
    case 'buckets': return bucketsOverTimeOption(view.snapshots, currency);
    case 'roll-rates': return rollRateOption(view.roll, currency);
    case 'vintages': return vintagesOption(view.vintages, currency);
    case 'heatmap': return heatmapOption(view.heatmap, currency);
  }
}

/** The last roll-rate step with balances at its start, for the view's currency. */
export const lastStep = (view: PortfolioView) => view.roll.currencies.find((c) => c.currency === view.currency)?.steps.filter((s) => s.matrix.length > 0).at(-1);
