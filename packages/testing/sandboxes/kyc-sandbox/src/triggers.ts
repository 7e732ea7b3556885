/**
 * Deterministic outcomes chosen by test data, so tests (and people trying the API) pick a result without a
 * sandbox control call. Onfido: by the applicant's last name; PAN: by the last four digits of the PAN.
 */

/** What a request does before it is answered normally. */
export type Fault = 'none' | 'server-error' | 'timeout' | 'malformed-json';

export interface OnfidoBehaviour {
  readonly fault: Fault;
  /** Reports forced to `consider` (besides the documented sandbox field `consider[]` on POST /checks). */
  readonly consider: readonly string[];
  /** The document report's sub_result when it is `consider`. */
  readonly documentSubResult: 'caution' | 'suspected' | 'rejected';
  /** No webhook is sent for this applicant's checks: the client must poll GET /checks/{id}. */
  readonly silent: boolean;
}

/**
 * Last name (case-insensitive) → behaviour:
 * `Consider` → document report consider (sub_result caution; the first report when no document report runs); `Suspected` → consider, sub_result suspected;
 * `Rejected` → consider, sub_result rejected; `Watchlist` → watchlist report consider (a sanction hit);
 * `Error` → 500 on every call for this applicant; `Timeout` → POST /applicants never answers in time;
 * `Malformed` → POST /applicants answers 201 with a body that is not JSON; `Silent` → no webhook (poll).
 * Anything else: clear.
 */
export function onfidoBehaviour(lastName: string): OnfidoBehaviour {
  const name = lastName.trim().toLowerCase();
  const base: OnfidoBehaviour = { fault: 'none', consider: [], documentSubResult: 'caution', silent: false };
  switch (name) {
    case 'consider':
      return { ...base, consider: ['document'] };
    case 'suspected':
      return { ...base, consider: ['document'], documentSubResult: 'suspected' };
    case 'rejected':
      return { ...base, consider: ['document'], documentSubResult: 'rejected' };
    case 'watchlist':
      return { ...base, consider: ['watchlist_standard'] };
    case 'error':
      return { ...base, fault: 'server-error' };
    case 'timeout':
      return { ...base, fault: 'timeout' };
    case 'malformed':
      return { ...base, fault: 'malformed-json' };
    case 'silent':
      return { ...base, silent: true };
    default:
      return base;
  }
}

export interface PanRecord {
  readonly fault: Fault;
  readonly status: 'valid' | 'invalid';
  readonly remarks: string | null;
  readonly nameMatches: boolean;
  readonly dobMatches: boolean;
  readonly aadhaarSeeding: 'y' | 'n' | 'na';
}

/**
 * Last four digits of the PAN → the Income Tax record the sandbox holds:
 * 9100 invalid ("Invalid PAN"), 9101 "Marked as Fake", 9102 "Deleted", 9103 "Holder is Deceased",
 * 9110 name does not match, 9111 date of birth does not match, 9120 not seeded with Aadhaar,
 * 9500 answers 500, 9501 never answers in time, 9502 answers with a body that is not JSON.
 * Anything else: a valid PAN whose name and date of birth match what was sent, seeded with Aadhaar.
 */
export function panRecord(pan: string): PanRecord {
  const digits = pan.replace(/\D/g, '').slice(-4);
  const valid: PanRecord = { fault: 'none', status: 'valid', remarks: null, nameMatches: true, dobMatches: true, aadhaarSeeding: 'y' };
  const invalid = (remarks: string): PanRecord => ({ ...valid, status: 'invalid', remarks, nameMatches: false, dobMatches: false, aadhaarSeeding: 'na' });
  switch (digits) {
    case '9100':
      return invalid('Invalid PAN');
    case '9101':
      return invalid('Marked as Fake');
    case '9102':
      return invalid('Deleted');
    case '9103':
      return { ...valid, status: 'invalid', remarks: 'Holder is Deceased' };
    case '9110':
      return { ...valid, nameMatches: false };
    case '9111':
      return { ...valid, dobMatches: false };
    case '9120':
      return { ...valid, aadhaarSeeding: 'n' };
    case '9500':
      return { ...valid, fault: 'server-error' };
    case '9501':
      return { ...valid, fault: 'timeout' };
    case '9502':
      return { ...valid, fault: 'malformed-json' };
    default:
      return valid;
  }
}

/** PAN category by its fourth character (holder type). */
export function panCategory(pan: string): string {
  const byType: Record<string, string> = { P: 'individual', C: 'company', H: 'huf', F: 'firm', T: 'trust', G: 'government', A: 'association_of_persons', B: 'body_of_individuals', L: 'local_authority', J: 'artificial_judicial_person' };
  return byType[pan.charAt(3)] ?? 'individual';
}
