import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveLocation } from './borrower-location.js';
import { CONDUCT_REGIMES, decideContact, type ConductContext, type ContactChannel, type PastContact } from './conduct-policy.js';
import { localParts, zonedInstant, daysBetween } from './local-time.js';

const usZones = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'];
const anyZone = fc.constantFrom(...usZones, 'Asia/Kolkata', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu');
const regime = fc.constantFrom(CONDUCT_REGIMES['us-reg-f'], CONDUCT_REGIMES['in-rbi']);
// 2026–2027, so both US DST changes of each year are inside.
const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }).map((ms) => new Date(ms));
// Instants within 36 hours of a US DST change (8 Mar and 1 Nov 2026, 14 Mar and 7 Nov 2027 at 07:00Z ± zone).
const dstChanges = [Date.UTC(2026, 2, 8, 7), Date.UTC(2026, 10, 1, 6), Date.UTC(2027, 2, 14, 7), Date.UTC(2027, 10, 7, 6)];
const nearDst = fc.tuple(fc.constantFrom(...dstChanges), fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 })).map(([t, d]) => new Date(t + d));
const channel = fc.constantFrom<ContactChannel>('email', 'sms', 'whatsapp', 'call');

const ctx = (over: Partial<ConductContext> = {}): ConductContext => ({ regime: CONDUCT_REGIMES['us-reg-f'], timeZones: ['America/New_York'], optedOut: new Set(), history: [], ...over });
const at = (iso: string) => new Date(iso);

describe('local time', () => {
  it('zonedInstant is the inverse of localParts for every wall time that exists', () => {
    fc.assert(
      fc.property(fc.oneof(instant, nearDst), anyZone, (t, zone) => {
        const whole = new Date(Math.floor(t.getTime() / 60_000) * 60_000);
        const local = localParts(whole, zone);
        const back = zonedInstant(local.date, local.minuteOfDay, zone);
        // A repeated (fall-back) hour maps to its first occurrence, so at most one hour earlier.
        expect(localParts(back, zone)).toEqual(local);
        expect(whole.getTime() - back.getTime()).toBeGreaterThanOrEqual(0);
        expect(whole.getTime() - back.getTime()).toBeLessThanOrEqual(3_600_000);
      }),
    );
  });

  it('a wall time skipped by spring-forward moves forward by the gap', () => {
    expect(zonedInstant('2026-03-08', 150, 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(zonedInstant('2026-03-08', 8 * 60, 'America/New_York').toISOString()).toBe('2026-03-08T12:00:00.000Z');
    expect(zonedInstant('2026-11-01', 8 * 60, 'America/New_York').toISOString()).toBe('2026-11-01T13:00:00.000Z');
  });
});

describe('contact hours', () => {
  it('an allowed contact is inside the regime window in every candidate zone', () => {
    fc.assert(
      fc.property(fc.oneof(instant, nearDst), regime, fc.subarray(usZones.concat('Asia/Kolkata'), { minLength: 1 }), channel, (t, r, zones, ch) => {
        const decision = decideContact(ch, t, ctx({ regime: r, timeZones: zones }));
        const inside = zones.every((z) => {
          const m = localParts(t, z).minuteOfDay;
          return m >= r.windowStartMinute && m < r.windowEndMinute;
        });
        expect(decision.allowed).toBe(inside);
      }),
    );
  });

  it('a blocked contact names an instant after now at which the same context allows it', () => {
    fc.assert(
      fc.property(fc.oneof(instant, nearDst), regime, fc.subarray(usZones, { minLength: 1 }), channel, (t, r, zones, ch) => {
        const decision = decideContact(ch, t, ctx({ regime: r, timeZones: zones }));
        if (decision.allowed) return;
        expect(decision.nextAllowedAt!.getTime()).toBeGreaterThan(t.getTime());
        expect(decideContact(ch, decision.nextAllowedAt!, ctx({ regime: r, timeZones: zones })).allowed).toBe(true);
        // Nothing earlier is allowed: a minute before is still blocked (hours only, no history here).
        expect(decideContact(ch, new Date(decision.nextAllowedAt!.getTime() - 60_000), ctx({ regime: r, timeZones: zones })).allowed).toBe(false);
      }),
    );
  });

  it('Reg F: 07:59 and 21:00 New York time are refused, 08:00 and 20:59 allowed, across DST', () => {
    const r = { regime: CONDUCT_REGIMES['us-reg-f'] };
    // 8 Mar 2026: clocks go forward at 02:00, so 08:00 EDT is 12:00Z (the day before it was 13:00Z).
    expect(decideContact('sms', at('2026-03-08T11:59:00Z'), ctx(r))).toMatchObject({ allowed: false, rule: 'reg-f-contact-hours', nextAllowedAt: at('2026-03-08T12:00:00Z') });
    expect(decideContact('sms', at('2026-03-08T12:00:00Z'), ctx(r)).allowed).toBe(true);
    expect(decideContact('sms', at('2026-03-07T12:30:00Z'), ctx(r)).allowed).toBe(false);
    expect(decideContact('sms', at('2026-03-09T00:59:00Z'), ctx(r)).allowed).toBe(true); // 20:59 EDT
    expect(decideContact('sms', at('2026-03-09T01:00:00Z'), ctx(r))).toMatchObject({ allowed: false, nextAllowedAt: at('2026-03-09T12:00:00Z') });
    // 1 Nov 2026: back to EST, 08:00 is 13:00Z.
    expect(decideContact('email', at('2026-11-01T12:30:00Z'), ctx(r))).toMatchObject({ allowed: false, nextAllowedAt: at('2026-11-01T13:00:00Z') });
  });

  it('RBI: 08:00–19:00 IST only', () => {
    const r = { regime: CONDUCT_REGIMES['in-rbi'], timeZones: ['Asia/Kolkata'] };
    expect(decideContact('whatsapp', at('2026-12-02T02:29:00Z'), ctx(r))).toMatchObject({ allowed: false, rule: 'rbi-contact-hours', nextAllowedAt: at('2026-12-02T02:30:00Z') });
    expect(decideContact('whatsapp', at('2026-12-02T13:29:00Z'), ctx(r)).allowed).toBe(true); // 18:59
    expect(decideContact('whatsapp', at('2026-12-02T13:30:00Z'), ctx(r))).toMatchObject({ allowed: false, nextAllowedAt: at('2026-12-03T02:30:00Z') });
  });
});

describe('Regulation F call frequency', () => {
  const ny = (date: string, hour = 10) => zonedInstant(date, hour * 60, 'America/New_York');
  const calls = (dates: string[]): PastContact[] => dates.map((d) => ({ at: ny(d), channel: 'call' }));

  it('C1: 7 calls on days 1–6, the 8th on day 7 is refused and allowed on day 8', () => {
    const history = calls(['2026-03-02', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07']);
    const decision = decideContact('call', ny('2026-03-08', 11), ctx({ history }));
    // The window of 2–8 Mar holds 7; on 9 Mar the window 3–9 holds 5. (8 Mar is also the DST change.)
    expect(decision).toMatchObject({ allowed: false, rule: 'reg-f-call-frequency', nextAllowedAt: ny('2026-03-09', 8) });
    expect(decideContact('sms', ny('2026-03-08', 11), ctx({ history })).allowed).toBe(true);
  });

  it('no call within 7 days of a conversation, the conversation day counting as day 1', () => {
    const history: PastContact[] = [{ at: ny('2026-11-02', 9), channel: 'call', conversation: true }];
    expect(decideContact('call', ny('2026-11-02', 15), ctx({ history }))).toMatchObject({ allowed: false, rule: 'reg-f-conversation-quiet-period', nextAllowedAt: ny('2026-11-09', 8) });
    expect(decideContact('call', ny('2026-11-08', 20), ctx({ history })).allowed).toBe(false);
    expect(decideContact('call', ny('2026-11-09', 8), ctx({ history })).allowed).toBe(true);
    expect(decideContact('email', ny('2026-11-03', 10), ctx({ history })).allowed).toBe(true);
  });

  it('calls placed only when allowed never exceed 7 in any 7 consecutive local days, nor follow a conversation within 7', () => {
    const attempt = fc.record({ offsetMinutes: fc.integer({ min: 0, max: 60 * 24 * 3 }), conversation: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) });
    fc.assert(
      fc.property(instant, fc.array(attempt, { minLength: 1, maxLength: 60 }), fc.constantFrom('America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'), (start, attempts, zone) => {
        const history: PastContact[] = [];
        let t = start.getTime();
        for (const a of attempts) {
          t += a.offsetMinutes * 60_000;
          const decision = decideContact('call', new Date(t), ctx({ timeZones: [zone], history }));
          if (decision.allowed) history.push({ at: new Date(t), channel: 'call', conversation: a.conversation });
        }
        const days = history.map((c) => localParts(c.at, zone).date);
        for (const end of days) expect(days.filter((d) => daysBetween(d, end) >= 0 && daysBetween(d, end) < 7).length).toBeLessThanOrEqual(7);
        history.forEach((c, i) => {
          if (!c.conversation) return;
          for (const later of history.slice(i + 1)) expect(daysBetween(days[i]!, localParts(later.at, zone).date)).toBeGreaterThanOrEqual(7);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('opt-outs and the RBI daily cap', () => {
  it('an opted-out channel is refused with no retry time; others are not affected', () => {
    const c = ctx({ optedOut: new Set<ContactChannel>(['sms']) });
    expect(decideContact('sms', at('2026-06-01T15:00:00Z'), c)).toEqual({ allowed: false, rule: 'opt-out', detail: 'the borrower opted out of sms', nextAllowedAt: null });
    expect(decideContact('email', at('2026-06-01T15:00:00Z'), c).allowed).toBe(true);
  });

  it('RBI: a 4th contact on one IST day is refused until 08:00 the next day', () => {
    const day = (h: number, m = 0) => zonedInstant('2026-12-02', h * 60 + m, 'Asia/Kolkata');
    const history: PastContact[] = [
      { at: day(9), channel: 'sms' },
      { at: day(10), channel: 'email' },
      { at: day(11), channel: 'call' },
    ];
    const c = ctx({ regime: CONDUCT_REGIMES['in-rbi'], timeZones: ['Asia/Kolkata'], history });
    expect(decideContact('whatsapp', day(12), c)).toMatchObject({ allowed: false, rule: 'rbi-daily-contact-cap', nextAllowedAt: zonedInstant('2026-12-03', 480, 'Asia/Kolkata') });
    expect(decideContact('whatsapp', day(10, 30), ctx({ ...c, history: history.slice(0, 2) })).allowed).toBe(true);
  });
});

describe('borrower location', () => {
  it('maps the address to a regime and zones; an explicit zone wins; unknown countries are refused', () => {
    expect(resolveLocation({ country: 'IN', region: 'KA' })).toMatchObject({ ok: true, regime: { id: 'in-rbi' }, timeZones: ['Asia/Kolkata'] });
    expect(resolveLocation({ country: 'US', region: 'CA' })).toMatchObject({ ok: true, regime: { id: 'us-reg-f' }, timeZones: ['America/Los_Angeles'] });
    expect(resolveLocation({ country: 'US', region: 'TX', timeZone: 'America/Denver' })).toMatchObject({ ok: true, timeZones: ['America/Denver'] });
    expect(resolveLocation({ country: 'US' })).toMatchObject({ ok: true, timeZones: usZones });
    expect(resolveLocation({ country: 'US', timeZone: 'Mars/Olympus' })).toEqual({ ok: false, reason: 'unknown time zone Mars/Olympus' });
    expect(resolveLocation({ country: 'FR' }).ok).toBe(false);
  });
});
