/**
 * Which conduct regime and which time zone(s) apply to a borrower, from the explicit zone the lender
 * recorded (contact preferences) or else the postal address on the loan. A US address without a state
 * maps to every zone of the 50 states, so Regulation F's hours hold wherever the borrower is.
 */
import { CONDUCT_REGIMES, type ConductRegime } from './conduct-policy.js';
import { isTimeZone } from './local-time.js';

const US_ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu'] as const;

/** The zone most of each state's population lives in (USPS codes). */
const US_STATE_ZONE: Record<string, (typeof US_ZONES)[number]> = {
  AL: 'America/Chicago', AK: 'America/Anchorage', AZ: 'America/Phoenix', AR: 'America/Chicago', CA: 'America/Los_Angeles',
  CO: 'America/Denver', CT: 'America/New_York', DE: 'America/New_York', DC: 'America/New_York', FL: 'America/New_York',
  GA: 'America/New_York', HI: 'Pacific/Honolulu', ID: 'America/Denver', IL: 'America/Chicago', IN: 'America/New_York',
  IA: 'America/Chicago', KS: 'America/Chicago', KY: 'America/New_York', LA: 'America/Chicago', ME: 'America/New_York',
  MD: 'America/New_York', MA: 'America/New_York', MI: 'America/New_York', MN: 'America/Chicago', MS: 'America/Chicago',
  MO: 'America/Chicago', MT: 'America/Denver', NE: 'America/Chicago', NV: 'America/Los_Angeles', NH: 'America/New_York',
  NJ: 'America/New_York', NM: 'America/Denver', NY: 'America/New_York', NC: 'America/New_York', ND: 'America/Chicago',
  OH: 'America/New_York', OK: 'America/Chicago', OR: 'America/Los_Angeles', PA: 'America/New_York', RI: 'America/New_York',
  SC: 'America/New_York', SD: 'America/Chicago', TN: 'America/Chicago', TX: 'America/Chicago', UT: 'America/Denver',
  VT: 'America/New_York', VA: 'America/New_York', WA: 'America/Los_Angeles', WV: 'America/New_York', WI: 'America/Chicago',
  WY: 'America/Denver',
};

export interface BorrowerLocation {
  readonly country?: string | undefined;
  readonly region?: string | undefined;
  /** An IANA zone the lender recorded for the borrower; wins over the address. */
  readonly timeZone?: string | undefined;
}

export type LocationResolution =
  | { readonly ok: true; readonly regime: ConductRegime; readonly timeZones: readonly string[] }
  | { readonly ok: false; readonly reason: string };

export function resolveLocation(location: BorrowerLocation): LocationResolution {
  const country = location.country?.toUpperCase();
  const regime = country === 'US' ? CONDUCT_REGIMES['us-reg-f'] : country === 'IN' ? CONDUCT_REGIMES['in-rbi'] : undefined;
  if (!regime) return { ok: false, reason: `no conduct regime for country ${location.country ?? '(none)'}` };
  if (location.timeZone) {
    if (!isTimeZone(location.timeZone)) return { ok: false, reason: `unknown time zone ${location.timeZone}` };
    return { ok: true, regime, timeZones: [location.timeZone] };
  }
  if (country === 'IN') return { ok: true, regime, timeZones: ['Asia/Kolkata'] };
  const state = location.region?.toUpperCase();
  const zone = state ? US_STATE_ZONE[state] : undefined;
  return { ok: true, regime, timeZones: zone ? [zone] : [...US_ZONES] };
}
