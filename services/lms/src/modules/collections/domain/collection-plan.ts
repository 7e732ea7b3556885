import type { Money } from '@lendstack/contracts';
import { z } from 'zod';

/**
 * What the collector does for a loan on a business date, decided from the product's contact schedule (data,
 * not code) and what the workflow knows. Pure and deterministic: the collections workflow asks it on every
 * business date it hears of, carries out what it returns, and records each action's key as done, so asking
 * again returns nothing new. Dates are ISO calendar dates (YYYY-MM-DD) of the LMS business date, so the plan
 * follows time skipping and backdated events, never the wall clock.
 *
 * Rules (what a collector expects, and what the conduct limits leave to us):
 * - Nothing for a loan that is closed, charged off or in dispute.
 * - A hardship hold pauses everything (contacts, presentments, escalation) until the day after it ends.
 * - A promise to pay pauses contacts until its pay-by date; presentments go on (the borrower's mandate).
 *   Past the pay-by date with less paid than promised it is broken: one `promise-broken` action, and
 *   contacts resume.
 * - Pre-due reminders only before the due date; follow-ups only after it, while unpaid. When the business
 *   date jumps past several steps at once, only the latest step is sent and the earlier ones are settled
 *   with it (`settles`): a borrower never gets three stale reminders in one morning.
 * - One presentment per unpaid installment on or after its due date, never skipped (retries of a returned
 *   debit follow the rail's rules, not this plan). No follow-up while a debit of the installment is still out.
 * - Escalation to the highest queue whose DPD threshold the loan has reached, once per queue.
 */

export const CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type ContactChannel = (typeof CHANNELS)[number];

const contactStepSchema = (min: number, max: number) =>
  z.object({ offsetDays: z.number().int().min(min).max(max), channel: z.enum(CHANNELS), templateKey: z.string().min(1).max(64) }).strict();

/** A product's collection schedule, as stored with the product. */
export const collectionScheduleSchema = z
  .object({
    /** Days before the due date (negative), e.g. −3 and −1. */
    preDue: z.array(contactStepSchema(-30, -1)).max(10),
    /** Present the auto-debit on the due date. */
    autoDebit: z.boolean(),
    /** Days after the due date while unpaid, e.g. 1, 3, 7. */
    followUps: z.array(contactStepSchema(1, 180)).max(20),
    /** A human queue per DPD threshold, lowest first. */
    escalation: z.array(z.object({ minDpd: z.number().int().min(1).max(3_650), queue: z.string().min(1).max(32), priority: z.number().int().min(1).max(10) }).strict()).max(10),
  })
  .strict()
  .superRefine((s, ctx) => {
    const offsets = (steps: readonly { offsetDays: number; channel: string }[], path: string) => {
      const seen = new Set<string>();
      steps.forEach((step, i) => {
        const key = `${step.offsetDays}:${step.channel}`;
        if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [path, i], message: `two ${step.channel} steps at offset ${step.offsetDays}` });
        seen.add(key);
      });
    };
    offsets(s.preDue, 'preDue');
    offsets(s.followUps, 'followUps');
    s.escalation.forEach((step, i) => {
      if (i > 0 && step.minDpd <= s.escalation[i - 1]!.minDpd) ctx.addIssue({ code: 'custom', path: ['escalation', i, 'minDpd'], message: 'escalation thresholds must rise' });
    });
  });
export type CollectionSchedule = z.infer<typeof collectionScheduleSchema>;

/** T−3 and T−1 reminders, auto-debit on the due date, T+1, T+3 and T+7 follow-ups, queues at 30, 60 and 90 DPD. */
export const DEFAULT_COLLECTION_SCHEDULE: CollectionSchedule = {
  preDue: [{ offsetDays: -3, channel: 'sms', templateKey: 'payment-reminder' }, { offsetDays: -1, channel: 'whatsapp', templateKey: 'payment-reminder' }],
  autoDebit: true,
  followUps: [
    { offsetDays: 1, channel: 'sms', templateKey: 'payment-overdue' },
    { offsetDays: 3, channel: 'email', templateKey: 'payment-overdue' },
    { offsetDays: 7, channel: 'whatsapp', templateKey: 'payment-overdue' },
  ],
  escalation: [{ minDpd: 30, queue: 'early', priority: 1 }, { minDpd: 60, queue: 'late', priority: 2 }, { minDpd: 90, queue: 'recovery', priority: 3 }],
};

export interface PlannedInstallment {
  readonly number: number;
  readonly dueDate: string;
  readonly paid: boolean;
  /** What the debit presents; null when the LMS has not said yet (then no presentment is planned). */
  readonly amountDue: Money | null;
  /** An auto-debit of it is out with the rail (scheduled, sent, awaiting its result): no overdue follow-up meanwhile. */
  readonly debitPending?: boolean;
}

export interface PlanInput {
  readonly status: 'open' | 'closed' | 'charged-off';
  readonly disputed: boolean;
  readonly hold: { readonly until: string } | null;
  /** The latest promise to pay; `paidSince` is what arrived since it was made. */
  readonly promise: { readonly madeOn: string; readonly payBy: string; readonly amount: Money; readonly paidSince: Money } | null;
  readonly dpd: number;
  readonly installments: readonly PlannedInstallment[];
  /** Keys of actions already carried out (or settled). */
  readonly done: ReadonlySet<string>;
  /**
   * Days before the due date the debit is handed to the rail's schedule (0: on the due date). Rails that present
   * ahead of the charge date need it (NACH's input file, UPI AutoPay's pre-debit notification ≥ 24 h before).
   */
  readonly presentLeadDays?: number;
}

export type CollectionAction =
  | { readonly kind: 'contact'; readonly key: string; readonly on: string; readonly installmentNumber: number; readonly channel: ContactChannel; readonly templateKey: string; readonly settles: readonly string[] }
  | { readonly kind: 'present'; readonly key: string; readonly on: string; readonly installmentNumber: number; readonly dueDate: string; readonly amount: Money; readonly settles: readonly string[] }
  | { readonly kind: 'escalate'; readonly key: string; readonly on: string; readonly queue: string; readonly priority: number; readonly dpd: number; readonly settles: readonly string[] }
  | { readonly kind: 'promise-broken'; readonly key: string; readonly on: string; readonly promisedAmount: Money; readonly paid: Money; readonly settles: readonly string[] };

/** `date` plus `days` (may be negative), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

const contactKey = (n: number, step: { offsetDays: number; channel: string }) => `contact:${n}:${step.offsetDays}:${step.channel}`;
const presentKey = (n: number) => `present:${n}`;
const escalateKey = (queue: string) => `escalate:${queue}`;
const promiseKey = (madeOn: string) => `promise-broken:${madeOn}`;

function promiseState(input: PlanInput, today: string): 'none' | 'active' | 'kept' | 'broken' {
  const p = input.promise;
  if (!p) return 'none';
  if (BigInt(p.paidSince.amount) >= BigInt(p.amount.amount)) return 'kept';
  return today <= p.payBy ? 'active' : 'broken';
}

const stopped = (input: PlanInput, today: string) => input.status !== 'open' || input.disputed || (input.hold !== null && today <= input.hold.until);

/** The latest of `steps` whose date has come and that is not done; the earlier ones not done are settled with it. */
function latestDue(steps: readonly { key: string; on: string }[], done: ReadonlySet<string>, today: string): { key: string; on: string; settles: string[] } | undefined {
  const due = steps.filter((s) => s.on <= today && !done.has(s.key)).sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : a.key < b.key ? -1 : 1));
  const last = due.at(-1);
  return last && { ...last, settles: due.slice(0, -1).map((s) => s.key) };
}

/** What to do on `today` (the business date), in a stable order: presentments, contacts, escalation, flags. */
export function actionsDue(schedule: CollectionSchedule, input: PlanInput, today: string): CollectionAction[] {
  if (stopped(input, today)) return [];
  const actions: CollectionAction[] = [];
  const promise = promiseState(input, today);
  const contactsPaused = promise === 'active';
  for (const i of [...input.installments].sort((a, b) => a.number - b.number)) {
    if (i.paid) continue;
    const presentOn = addDays(i.dueDate, -(input.presentLeadDays ?? 0));
    if (schedule.autoDebit && i.amountDue && presentOn <= today && !input.done.has(presentKey(i.number))) {
      actions.push({ kind: 'present', key: presentKey(i.number), on: presentOn, installmentNumber: i.number, dueDate: i.dueDate, amount: i.amountDue, settles: [] });
    }
    if (contactsPaused) continue;
    // A debit still out (a weekend due date settles on the next banking day): not overdue to the borrower yet.
    if (today >= i.dueDate && i.debitPending) continue;
    const before = today < i.dueDate ? schedule.preDue : schedule.followUps;
    const steps = before.map((step) => ({ key: contactKey(i.number, step), on: addDays(i.dueDate, step.offsetDays), step }));
    const latest = latestDue(steps, input.done, today);
    if (latest) {
      const { step } = steps.find((s) => s.key === latest.key)!;
      // Reminders of the other phase that never went out are settled too (a pre-due step after the due date).
      const stale = (today < i.dueDate ? [] : schedule.preDue.map((s) => contactKey(i.number, s))).filter((k) => !input.done.has(k));
      actions.push({ kind: 'contact', key: latest.key, on: latest.on, installmentNumber: i.number, channel: step.channel, templateKey: step.templateKey, settles: [...stale, ...latest.settles] });
    }
  }
  const reached = schedule.escalation.filter((e) => e.minDpd <= input.dpd);
  const top = reached.at(-1);
  if (top && !input.done.has(escalateKey(top.queue))) {
    actions.push({ kind: 'escalate', key: escalateKey(top.queue), on: today, queue: top.queue, priority: top.priority, dpd: input.dpd, settles: reached.slice(0, -1).map((e) => escalateKey(e.queue)).filter((k) => !input.done.has(k)) });
  }
  if (promise === 'broken' && !input.done.has(promiseKey(input.promise!.madeOn))) {
    actions.push({ kind: 'promise-broken', key: promiseKey(input.promise!.madeOn), on: addDays(input.promise!.payBy, 1), promisedAmount: input.promise!.amount, paid: input.promise!.paidSince, settles: [] });
  }
  return actions;
}

/**
 * The next business date after `today` on which the plan may have something to do (a reminder, a due date,
 * a follow-up, the end of a hold or a promise), or null when nothing is scheduled (escalation waits for a
 * DPD change, which arrives as a signal).
 */
export function nextPlanDate(schedule: CollectionSchedule, input: PlanInput, today: string): string | null {
  if (input.status !== 'open' || input.disputed) return null;
  const candidates: string[] = [];
  if (input.hold && today <= input.hold.until) candidates.push(addDays(input.hold.until, 1));
  if (input.promise && promiseState(input, today) === 'active') candidates.push(addDays(input.promise.payBy, 1));
  for (const i of input.installments) {
    if (i.paid) continue;
    for (const step of [...schedule.preDue, ...schedule.followUps]) candidates.push(addDays(i.dueDate, step.offsetDays));
    candidates.push(i.dueDate);
    if (schedule.autoDebit && input.presentLeadDays) candidates.push(addDays(i.dueDate, -input.presentLeadDays));
  }
  const future = candidates.filter((d) => d > today).sort();
  return future[0] ?? null;
}

/** Patterns that precede default, each raised once per occurrence by the workflow (CollectionsFlagRaised). */
export type EarlyWarning = 'bounced-twice' | 'promise-broken' | 'dpd-rising';

/**
 * bounced-twice: the last two presentments both returned unpaid. promise-broken: a promise was broken.
 * dpd-rising: DPD at the last three month ends rose each month (two consecutive rises).
 */
export function earlyWarnings(history: { readonly presentmentOutcomes: readonly ('paid' | 'returned')[]; readonly promiseBroken: boolean; readonly monthEndDpd: readonly number[] }): EarlyWarning[] {
  const flags: EarlyWarning[] = [];
  const last2 = history.presentmentOutcomes.slice(-2);
  if (last2.length === 2 && last2.every((o) => o === 'returned')) flags.push('bounced-twice');
  if (history.promiseBroken) flags.push('promise-broken');
  const [a, b, c] = history.monthEndDpd.slice(-3);
  if (a !== undefined && b !== undefined && c !== undefined && b > a && c > b) flags.push('dpd-rising');
  return flags;
}
