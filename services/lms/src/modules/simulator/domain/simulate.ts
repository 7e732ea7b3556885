import { rngFor, type Rng } from './random.js';

/**
 * The portfolio simulator's behaviour model (pure, deterministic by seed and loan number). A loan is
 * disbursed, owes monthly equal instalments, and at each due date draws an outcome from a transition
 * matrix over the number of instalments in arrears k: pay (cure all arrears when k > 0, else the
 * instalment), pay the instalment only (arrears unchanged), pay part of it, or miss. The miss probability
 * is the matrix's, times the borrower's latent risk (log-normal) and the month's seasonality (festive
 * October–November and the March year end are harder). After a miss the collector may take a promise to
 * pay the arrears within 15 days, kept or broken; each instalment is presented for auto-debit on its due
 * date and comes back returned (R01) when not paid in full. A loan 180 days past due is charged off.
 * From these, the ledger entries, the delinquency change points (RBI NPA sticky until all arrears are paid),
 * the presentments and the promises, in the LMS's own tables' terms (dates as ISO strings).
 */
export interface SimProduct {
  readonly code: string;
  readonly currency: string;
  readonly scale: number;
  readonly principalMinor: readonly [number, number];
  readonly termMonths: readonly [number, number];
  readonly annualRatePercent: readonly [number, number];
  /** Multiplies the miss probabilities of the matrix (1 = the matrix as written). */
  readonly riskFactor: number;
}

/** P(miss) at a due date by instalments already in arrears (0, 1, 2, 3, 4, 5+), before risk and season. */
export const MISS_BY_ARREARS = [0.025, 0.3, 0.45, 0.6, 0.7, 0.78] as const;
/** Of the non-missing outcomes, the share that pays all arrears (a cure) when in arrears. */
export const CURE_BY_ARREARS = [1, 0.5, 0.35, 0.22, 0.12, 0.08] as const;
/** Of the missing outcomes, the share that pays part (30–70 %) of the instalment. */
export const PARTIAL_SHARE = 0.3;
export const PROMISE_SHARE = 0.5;
export const CHARGE_OFF_DPD = 180;
const SEASON = [1, 1, 1.25, 1, 0.95, 0.95, 1, 1, 1.05, 1.3, 1.3, 1.1]; // Jan … Dec

export interface SimEntry { readonly key: string; readonly kind: 'disbursement' | 'repayment' | 'charge-off'; readonly date: string; readonly lines: readonly (readonly [account: string, side: 'debit' | 'credit', amountMinor: number])[] }
export interface SimPoint { readonly from: string; readonly dpd: number; readonly anchor: string | null; readonly us: string; readonly rbi: string; readonly npaSince: string | null }
export interface SimInstallment { readonly number: number; readonly due: string; readonly principalMinor: number; readonly interestMinor: number; readonly totalMinor: number; readonly balanceAfterMinor: number }
export interface SimPresentment { readonly installment: number; readonly date: string; readonly amountMinor: number; readonly returned: boolean }
export interface SimPromise { readonly madeOn: string; readonly payBy: string; readonly amountMinor: number; readonly status: 'kept' | 'broken' | null }
export interface SimLoan {
  readonly n: number;
  readonly product: SimProduct;
  readonly region: string;
  readonly disbursedOn: string;
  readonly principalMinor: number;
  readonly annualRatePercent: number;
  readonly installments: readonly SimInstallment[];
  readonly entries: readonly SimEntry[];
  readonly points: readonly SimPoint[];
  readonly presentments: readonly SimPresentment[];
  readonly promises: readonly SimPromise[];
  readonly status: 'active' | 'closed' | 'charged-off';
}

const DAY = 86_400_000;
export const toDay = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY);
export const isoOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
function addMonthsDay(day: number, months: number): number {
  const d = new Date(day * DAY);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Math.round(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), last)) / DAY);
}

export const REGIONS = ['KA', 'MH', 'TN', 'DL', 'UP', 'WB', 'GJ', 'TS'] as const;

export function usBucket(dpd: number): string {
  return dpd <= 0 ? 'current' : dpd < 30 ? '1-29' : dpd < 60 ? '30-59' : dpd < 90 ? '60-89' : dpd < 120 ? '90-119' : '120+';
}
export function rbiClass(dpd: number): string {
  return dpd <= 0 ? 'standard' : dpd <= 30 ? 'SMA-0' : dpd <= 60 ? 'SMA-1' : dpd <= 90 ? 'SMA-2' : 'NPA';
}

/** Equal monthly instalments (the last takes the rounding residual so principal parts sum to the principal). */
export function amortise(principal: number, annualRatePercent: number, term: number, disbursedDay: number): SimInstallment[] {
  const r = annualRatePercent / 1200;
  const emi = r === 0 ? Math.ceil(principal / term) : Math.round((principal * r) / (1 - (1 + r) ** -term));
  const out: SimInstallment[] = [];
  let balance = principal;
  for (let k = 1; k <= term; k += 1) {
    const interest = Math.round(balance * r);
    const principalPart = k === term ? balance : Math.min(balance, emi - interest);
    balance -= principalPart;
    out.push({ number: k, due: isoOf(addMonthsDay(disbursedDay, k)), principalMinor: principalPart, interestMinor: interest, totalMinor: principalPart + interest, balanceAfterMinor: balance });
  }
  return out;
}

/** One loan's history from its disbursement up to `endDay` (inclusive). */
export function simulateLoan(seed: number, n: number, products: readonly SimProduct[], startDay: number, endDay: number): SimLoan {
  const rng = rngFor(seed, n);
  const product = products[n % products.length]!;
  const region = REGIONS[rng.int(0, REGIONS.length - 1)]!;
  const disbursedDay = rng.int(startDay, Math.max(startDay, endDay - 35));
  const principal = Math.round((product.principalMinor[0] + (product.principalMinor[1] - product.principalMinor[0]) * rng.next() ** 2) / 100) * 100;
  const term = rng.int(product.termMonths[0], product.termMonths[1]);
  const rate = Math.round((product.annualRatePercent[0] + (product.annualRatePercent[1] - product.annualRatePercent[0]) * rng.next()) * 10) / 10;
  const risk = product.riskFactor * Math.exp(0.9 * rng.normal() - 0.405); // mean ≈ riskFactor
  const installments = amortise(principal, rate, term, disbursedDay);
  const history = new History(n, endDay);
  history.entry('disbursement', disbursedDay, [['loan-portfolio', 'debit', principal], ['disbursement-clearing', 'credit', principal]]);
  const owed = installments.map((i) => ({ number: i.number, due: toDay(i.due), interest: i.interestMinor, principal: i.principalMinor }));
  let status: SimLoan['status'] = 'active';
  for (const inst of owed) {
    if (inst.due > endDay) break;
    const anchor = owed.find((o) => o.due < inst.due && o.interest + o.principal > 0)?.due ?? null;
    if (anchor !== null && inst.due - anchor >= CHARGE_OFF_DPD) {
      history.chargeOff(anchor + CHARGE_OFF_DPD, owed);
      status = 'charged-off';
      break;
    }
    const arrears = owed.filter((o) => o.due < inst.due && o.interest + o.principal > 0).length;
    const outcome = drawOutcome(rng, arrears, risk, new Date(inst.due * DAY).getUTCMonth());
    const emi = inst.interest + inst.principal;
    const totalDue = owed.filter((o) => o.due <= inst.due).reduce((s, o) => s + o.interest + o.principal, 0);
    const paid = outcome === 'cure' ? totalDue : outcome === 'instalment' ? emi : outcome === 'partial' ? Math.round(emi * (0.3 + 0.4 * rng.next())) : 0;
    history.presentment(inst.number, inst.due, emi, paid < emi);
    if (paid > 0) history.pay(inst.due, paid, owed);
    history.track(inst.due, owed);
    const after = owed.filter((o) => o.due <= inst.due && o.interest + o.principal > 0);
    if (after.length > 0 && rng.next() < PROMISE_SHARE) {
      const madeOn = inst.due + 5;
      const payBy = inst.due + 15;
      const amount = after.reduce((s, o) => s + o.interest + o.principal, 0);
      const kept = rng.next() < Math.max(0.05, 0.55 - 0.08 * after.length) / Math.sqrt(risk / product.riskFactor);
      if (madeOn <= endDay) history.promise(madeOn, payBy, amount, payBy > endDay ? null : kept ? 'kept' : 'broken');
      if (kept && payBy <= endDay) {
        history.pay(payBy, amount, owed);
        history.track(payBy, owed);
      }
    }
    if (owed.every((o) => o.interest + o.principal === 0)) {
      status = 'closed';
      break;
    }
  }
  if (status === 'active') {
    const anchor = owed.find((o) => o.due <= endDay && o.interest + o.principal > 0)?.due;
    if (anchor !== undefined && endDay - anchor >= CHARGE_OFF_DPD) {
      history.chargeOff(anchor + CHARGE_OFF_DPD, owed);
      status = 'charged-off';
    }
  }
  history.close();
  return { n, product, region, disbursedOn: isoOf(disbursedDay), principalMinor: principal, annualRatePercent: rate, installments, status, ...history.out() };
}

type Outcome = 'cure' | 'instalment' | 'partial' | 'miss';
function drawOutcome(rng: Rng, arrears: number, risk: number, month: number): Outcome {
  const k = Math.min(arrears, MISS_BY_ARREARS.length - 1);
  const miss = Math.min(0.97, MISS_BY_ARREARS[k]! * risk * SEASON[month]!);
  const u = rng.next();
  if (u < miss) return rng.next() < PARTIAL_SHARE ? 'partial' : 'miss';
  if (arrears === 0) return 'instalment';
  return rng.next() < CURE_BY_ARREARS[k]! ? 'cure' : 'instalment';
}

interface Owed { number: number; due: number; interest: number; principal: number }

/** Accumulates a loan's rows; the delinquency points from the anchor (oldest unpaid due date) over time. */
class History {
  private readonly entries: SimEntry[] = [];
  private readonly points: SimPoint[] = [];
  private readonly presentments: SimPresentment[] = [];
  private readonly promises: SimPromise[] = [];
  /** Anchor segments: from day, anchor (null: nothing unpaid). */
  private readonly segments: [number, number | null][] = [];
  constructor(private readonly n: number, private readonly endDay: number) {}

  entry(kind: SimEntry['kind'], day: number, lines: SimEntry['lines']): void {
    this.entries.push({ key: `${kind}:${isoOf(day)}:${this.entries.length}`, kind, date: isoOf(day), lines });
  }
  presentment(installment: number, day: number, amount: number, returned: boolean): void {
    this.presentments.push({ installment, date: isoOf(day), amountMinor: amount, returned });
  }
  promise(madeOn: number, payBy: number, amount: number, status: SimPromise['status']): void {
    this.promises.push({ madeOn: isoOf(madeOn), payBy: isoOf(payBy), amountMinor: amount, status });
  }
  /** Pays oldest instalment first, interest before principal; one balanced entry. */
  pay(day: number, amount: number, owed: Owed[]): void {
    let left = amount;
    let interest = 0;
    let principal = 0;
    for (const o of owed) {
      if (left === 0 || o.due > day) break;
      const i = Math.min(left, o.interest);
      o.interest -= i;
      left -= i;
      const p = Math.min(left, o.principal);
      o.principal -= p;
      left -= p;
      interest += i;
      principal += p;
    }
    const lines: [string, 'debit' | 'credit', number][] = [['collection-clearing', 'debit', interest + principal]];
    if (interest > 0) lines.push(['interest-income', 'credit', interest]);
    if (principal > 0) lines.push(['loan-portfolio', 'credit', principal]);
    if (interest + principal > 0) this.entry('repayment', day, lines);
  }
  chargeOff(day: number, owed: Owed[]): void {
    const principal = owed.reduce((s, o) => s + o.principal, 0);
    this.track(Math.min(day, this.endDay), owed);
    if (principal > 0) this.entry('charge-off', day, [['write-off-expense', 'debit', principal], ['loan-portfolio', 'credit', principal]]);
    this.charged = day;
  }
  private charged: number | null = null;
  /** Records the anchor in force from `day` on. */
  track(day: number, owed: Owed[]): void {
    const anchor = owed.find((o) => o.due <= day && o.interest + o.principal > 0)?.due ?? null;
    const last = this.segments.at(-1);
    if (!last || last[1] !== anchor) this.segments.push([day, anchor]);
  }
  /** Turns the anchor segments into change points: one whenever the anchor or a bucket changes, up to the end. */
  close(): void {
    let npaSince: number | null = null;
    let prev: SimPoint | undefined;
    const stop = Math.min(this.endDay, this.charged ?? this.endDay) + 1;
    for (let s = 0; s < this.segments.length; s += 1) {
      const [from, anchor] = this.segments[s]!;
      const to = Math.min(stop, this.segments[s + 1]?.[0] ?? stop);
      if (from >= to) continue;
      const candidates = [from];
      if (anchor !== null) for (const t of [1, 30, 31, 60, 61, 90, 91, 120]) if (anchor + t > from && anchor + t < to) candidates.push(anchor + t);
      for (const day of candidates) {
        const dpd = anchor === null || day <= anchor ? 0 : day - anchor;
        if (anchor === null) npaSince = null;
        else if (dpd > 90 && npaSince === null) npaSince = day;
        const point: SimPoint = { from: isoOf(day), dpd, anchor: dpd > 0 ? isoOf(anchor!) : null, us: usBucket(dpd), rbi: npaSince !== null ? 'NPA' : rbiClass(dpd), npaSince: npaSince !== null ? isoOf(npaSince) : null };
        if (!prev && dpd === 0) continue; // a loan starts current: no point needed
        if (prev && prev.anchor === point.anchor && prev.us === point.us && prev.rbi === point.rbi) continue;
        this.points.push(point);
        prev = point;
      }
    }
  }
  out() {
    return { entries: this.entries, points: this.points, presentments: this.presentments, promises: this.promises };
  }
}
