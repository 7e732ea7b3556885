/**
 * Conduct limits on contacting a borrower, one pure decision every contact goes through (notifications'
 * contactBorrower and the collectors' call log alike). Rules are data per regime (CONDUCT_REGIMES), so a
 * stricter state or lender rule is a new regime, not new code.
 *
 * US, Regulation F (12 CFR 1006), adopted as policy by a first-party lender:
 * - 1006.14(b)(2)(i)(A): more than 7 calls about one debt within 7 consecutive days is presumed harassment,
 *   so an 8th call is refused while 7 were placed in the 7 local days ending today.
 * - 1006.14(b)(2)(i)(B): no call within 7 consecutive days after a telephone conversation about the debt;
 *   the conversation's date is day 1, so a Monday conversation allows the next call the following Monday.
 * - 1006.6(b)(1)(i): before 08:00 or after 21:00 at the consumer's location is inconvenient; where the
 *   location is uncertain (several possible zones), a time must be convenient in every one of them.
 * India, RBI (recovery agents circular of 12 Aug 2022, fair practices code): contact only 08:00–19:00 local
 * time, no persistent calling; "persistent" is made concrete as at most 3 contacts per local day, all
 * channels together (the lender's documented cap).
 * Both: a channel the borrower opted out of is never used (until the opt-out is withdrawn).
 */
import { addDays, daysBetween, localParts, zonedInstant } from './local-time.js';

export type ContactChannel = 'email' | 'sms' | 'whatsapp' | 'call';
export const CONTACT_CHANNELS: readonly ContactChannel[] = ['email', 'sms', 'whatsapp', 'call'];

export type ConductRule =
  | 'opt-out'
  | 'reg-f-contact-hours'
  | 'reg-f-call-frequency'
  | 'reg-f-conversation-quiet-period'
  | 'rbi-contact-hours'
  | 'rbi-daily-contact-cap';

export interface ConductRegime {
  readonly id: 'us-reg-f' | 'in-rbi';
  /** Local minutes after midnight: contact allowed from `windowStartMinute` up to, not including, `windowEndMinute`. */
  readonly windowStartMinute: number;
  readonly windowEndMinute: number;
  readonly hoursRule: ConductRule;
  /** Calls about one debt allowed within `callWindowDays` consecutive local days (null: no such cap). */
  readonly maxCallsInWindow: number | null;
  readonly callWindowDays: number;
  /** Days, the conversation's own counted as day 1, in which no call follows a telephone conversation. */
  readonly conversationQuietDays: number | null;
  /** Contacts of any channel per local day (null: no cap). */
  readonly maxContactsPerLocalDay: number | null;
}

export const CONDUCT_REGIMES = {
  'us-reg-f': {
    id: 'us-reg-f',
    windowStartMinute: 8 * 60,
    windowEndMinute: 21 * 60,
    hoursRule: 'reg-f-contact-hours',
    maxCallsInWindow: 7,
    callWindowDays: 7,
    conversationQuietDays: 7,
    maxContactsPerLocalDay: null,
  },
  'in-rbi': {
    id: 'in-rbi',
    windowStartMinute: 8 * 60,
    windowEndMinute: 19 * 60,
    hoursRule: 'rbi-contact-hours',
    maxCallsInWindow: null,
    callWindowDays: 7,
    conversationQuietDays: null,
    maxContactsPerLocalDay: 3,
  },
} as const satisfies Record<string, ConductRegime>;

/** A contact already placed about this debt (blocked or failed-before-sending attempts are not contacts). */
export interface PastContact {
  readonly at: Date;
  readonly channel: ContactChannel;
  /** A call that reached the borrower and was a conversation about the debt. */
  readonly conversation?: boolean;
}

export interface ConductContext {
  readonly regime: ConductRegime;
  /** The borrower's IANA zone, or every zone their location may be in (all must be convenient). */
  readonly timeZones: readonly string[];
  readonly optedOut: ReadonlySet<ContactChannel>;
  readonly history: readonly PastContact[];
}

export type ConductDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly rule: ConductRule;
      readonly detail: string;
      /**
       * The earliest instant every rule allows this contact, given the same history; null: none (an opt-out
       * until withdrawn, or candidate zones whose windows never overlap).
       */
      readonly nextAllowedAt: Date | null;
    };

type Block = { rule: ConductRule; detail: string; retryAt: Date };

/** One rule pass at `at`: the first rule that blocks, with the earliest instant that rule alone allows. */
function firstBlock(channel: ContactChannel, at: Date, ctx: ConductContext): Block | null {
  const { regime } = ctx;
  for (const zone of ctx.timeZones) {
    const local = localParts(at, zone);
    if (local.minuteOfDay < regime.windowStartMinute || local.minuteOfDay >= regime.windowEndMinute) {
      const day = local.minuteOfDay < regime.windowStartMinute ? local.date : addDays(local.date, 1);
      return { rule: regime.hoursRule, detail: `${hhmm(local.minuteOfDay)} in ${zone} is outside ${hhmm(regime.windowStartMinute)}–${hhmm(regime.windowEndMinute)}`, retryAt: zonedInstant(day, regime.windowStartMinute, zone) };
    }
  }
  // Days are counted in the first (the borrower's own) zone.
  const zone = ctx.timeZones[0]!;
  const today = localParts(at, zone).date;
  const dayOf = (c: PastContact) => localParts(c.at, zone).date;
  const placedBefore = ctx.history.filter((c) => c.at.getTime() <= at.getTime());
  if (channel === 'call' && regime.conversationQuietDays !== null) {
    const last = placedBefore.filter((c) => c.channel === 'call' && c.conversation).map(dayOf).sort().at(-1);
    if (last !== undefined && daysBetween(last, today) < regime.conversationQuietDays) {
      const day = addDays(last, regime.conversationQuietDays);
      return { rule: 'reg-f-conversation-quiet-period', detail: `a telephone conversation on ${last}; no call before ${day}`, retryAt: zonedInstant(day, 0, zone) };
    }
  }
  if (channel === 'call' && regime.maxCallsInWindow !== null) {
    const calls = placedBefore.filter((c) => c.channel === 'call').map(dayOf);
    const inWindow = (end: string) => calls.filter((d) => daysBetween(d, end) >= 0 && daysBetween(d, end) < regime.callWindowDays).length;
    if (inWindow(today) >= regime.maxCallsInWindow) {
      let day = addDays(today, 1);
      while (inWindow(day) >= regime.maxCallsInWindow) day = addDays(day, 1);
      return { rule: 'reg-f-call-frequency', detail: `${inWindow(today)} calls in the ${regime.callWindowDays} days ending ${today}; at most ${regime.maxCallsInWindow}`, retryAt: zonedInstant(day, 0, zone) };
    }
  }
  if (regime.maxContactsPerLocalDay !== null) {
    const count = placedBefore.filter((c) => dayOf(c) === today).length;
    if (count >= regime.maxContactsPerLocalDay) {
      return { rule: 'rbi-daily-contact-cap', detail: `${count} contacts on ${today}; at most ${regime.maxContactsPerLocalDay} a day`, retryAt: zonedInstant(addDays(today, 1), 0, zone) };
    }
  }
  return null;
}

/** Bound on re-evaluations while looking for the next allowed instant (each moves at least to a later day or window). */
const MAX_PASSES = 64;

/**
 * May `channel` be used to contact the borrower at `at`? A refusal names the first rule that blocks and
 * the earliest later instant at which every rule (with this history) allows the contact.
 */
export function decideContact(channel: ContactChannel, at: Date, ctx: ConductContext): ConductDecision {
  if (ctx.timeZones.length === 0) throw new Error('decideContact: at least one time zone is required');
  if (ctx.optedOut.has(channel)) return { allowed: false, rule: 'opt-out', detail: `the borrower opted out of ${channel}`, nextAllowedAt: null };
  const first = firstBlock(channel, at, ctx);
  if (!first) return { allowed: true };
  let candidate = first.retryAt;
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    const next = firstBlock(channel, candidate, ctx);
    if (!next) return { allowed: false, rule: first.rule, detail: first.detail, nextAllowedAt: candidate };
    candidate = next.retryAt.getTime() > candidate.getTime() ? next.retryAt : new Date(candidate.getTime() + 60_000);
  }
  // Zones whose windows never overlap (or rules that keep pushing): no time can be named.
  return { allowed: false, rule: first.rule, detail: `${first.detail}; no instant allows it within ${MAX_PASSES} re-evaluations`, nextAllowedAt: null };
}

function hhmm(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}
