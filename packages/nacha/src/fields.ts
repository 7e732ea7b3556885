/**
 * Fixed-width field helpers of the NACHA format: every record is 94 characters; alphanumeric fields are
 * left-justified and blank-filled, numeric fields right-justified and zero-filled (Nacha Operating Rules,
 * Appendix One, "General Instructions"; the same layout moov-io/ach implements).
 */

export const RECORD_LENGTH = 94;
export const BLOCKING_FACTOR = 10;

/** What the writer and the parser refuse: the field (path or record field name), the rule, and what was wrong. */
export interface NachaIssue {
  /** 1-based record (line) number in the file, when the issue is in a file being read. */
  readonly record?: number;
  readonly field: string;
  readonly rule: string;
  readonly detail: string;
}

/** Characters an alphanumeric field may hold: printable ASCII; the writer upper-cases letters. */
const PRINTABLE = /^[\x20-\x7E]*$/;

export const isPrintable = (s: string): boolean => PRINTABLE.test(s);

/** Upper-cases and drops anything outside printable ASCII, then cuts to `width` and blank-fills. */
export function alpha(value: string, width: number): string {
  const clean = value.normalize('NFKD').replace(/[^\x20-\x7E]/g, '').toUpperCase();
  return clean.slice(0, width).padEnd(width, ' ');
}

/** Zero-filled from the left; throws if the value does not fit (callers validate first). */
export function numeric(value: bigint | number | string, width: number): string {
  const text = typeof value === 'string' ? value : value.toString();
  if (!/^\d*$/.test(text) || text.length > width) throw new RangeError(`${text} does not fit a ${width}-digit numeric field`);
  return text.padStart(width, '0');
}

/** ABA routing check digit over the first 8 digits: weights 3, 7, 1 repeated; (10 − sum mod 10) mod 10. */
export function routingCheckDigit(first8: string): number {
  const weights = [3, 7, 1, 3, 7, 1, 3, 7];
  let sum = 0;
  for (let i = 0; i < 8; i += 1) sum += Number(first8[i]) * weights[i]!;
  return (10 - (sum % 10)) % 10;
}

/** A 9-digit ABA routing transit number whose ninth digit is its check digit. */
export function isRoutingNumber(value: string): boolean {
  return /^\d{9}$/.test(value) && routingCheckDigit(value.slice(0, 8)) === Number(value[8]);
}

/** YYYY-MM-DD → YYMMDD. */
export function yymmdd(isoDate: string): string {
  return `${isoDate.slice(2, 4)}${isoDate.slice(5, 7)}${isoDate.slice(8, 10)}`;
}

/** YYMMDD → YYYY-MM-DD (20YY: ACH files are of this century). */
export function isoFromYymmdd(value: string): string {
  return `20${value.slice(0, 2)}-${value.slice(2, 4)}-${value.slice(4, 6)}`;
}

export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function isYymmdd(value: string): boolean {
  return /^\d{6}$/.test(value) && isIsoDate(isoFromYymmdd(value));
}
