import { repaymentChannelSchema } from '@lendstack/contracts';
import { loanDateString } from '@lendstack/loan-engine';

/** The columns of a repayment file, in the order the README documents (the header may order them otherwise). */
export const COLUMNS = ['loan_id', 'amount', 'currency', 'scale', 'value_date', 'channel', 'reference'] as const;
export type Column = (typeof COLUMNS)[number];

/** Why a row was not posted: the column it is about (or `row` for the whole row) and the rule it broke. */
export interface RowError {
  readonly field: Column | 'row' | 'header';
  readonly rule: string;
  readonly detail: string;
}

/** A row as it is stored before processing: its raw text fields by column. */
export type RowFields = Readonly<Record<Column, string>>;

export type RowCheck =
  | { readonly ok: true; readonly fields: RowFields }
  | { readonly ok: false; readonly fields: Partial<RowFields>; readonly error: RowError };

/** The column positions a header names, or why the header is refused (every column once, no others). */
export function readHeader(header: readonly string[]): { ok: true; positions: Record<Column, number> } | { ok: false; error: RowError } {
  const names = header.map((h) => h.trim().toLowerCase());
  const unknown = names.filter((n) => !(COLUMNS as readonly string[]).includes(n));
  const missing = COLUMNS.filter((c) => !names.includes(c));
  const repeated = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length > 0 || missing.length > 0 || repeated.length > 0) {
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : '', repeated.length ? `repeated ${repeated.join(', ')}` : ''].filter(Boolean);
    return { ok: false, error: { field: 'header', rule: 'header-columns', detail: `the header must name exactly ${COLUMNS.join(',')} (${parts.join('; ')})` } };
  }
  return { ok: true, positions: Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<Column, number> };
}

const MAX_MINOR_DIGITS = 18; // below 2^63: a BIGINT of minor units
const MAX_TEXT = { loan_id: 64, reference: 100 } as const;

/**
 * The syntactic checks of one record (what can be known without the loan): the column count, each
 * field's form. Semantic checks (unknown loan, currency or scale of the loan, value date after the
 * business date, a closed loan) belong to the repayment use case when the row is posted.
 */
export function checkRow(record: readonly string[], positions: Record<Column, number>): RowCheck {
  const fields = Object.fromEntries(COLUMNS.map((c) => [c, (record[positions[c]] ?? '').trim()])) as Record<Column, string>;
  if (record.length !== COLUMNS.length) return { ok: false, fields, error: { field: 'row', rule: 'column-count', detail: `has ${record.length} columns; the header has ${COLUMNS.length}` } };
  const fail = (field: Column, rule: string, detail: string): RowCheck => ({ ok: false, fields, error: { field, rule, detail } });
  for (const c of COLUMNS) if (fields[c] === '') return fail(c, 'required', 'must not be empty');
  if (fields.loan_id.length > MAX_TEXT.loan_id) return fail('loan_id', 'too-long', `at most ${MAX_TEXT.loan_id} characters`);
  if (!new RegExp(`^\\d{1,${MAX_MINOR_DIGITS}}$`).test(fields.amount)) return fail('amount', 'malformed-amount', 'must be a whole number of minor units (digits only, no sign, point or separator)');
  if (BigInt(fields.amount) <= 0n) return fail('amount', 'not-positive', 'must be more than zero');
  if (!/^[A-Z]{3}$/.test(fields.currency)) return fail('currency', 'malformed-currency', 'must be an ISO 4217 code such as INR');
  if (!/^\d$/.test(fields.scale)) return fail('scale', 'malformed-scale', 'must be a digit 0-9 (minor-unit decimal places)');
  const date = loanDateString.safeParse(fields.value_date);
  if (!date.success) return fail('value_date', 'malformed-date', date.error.issues[0]?.message ?? 'must be YYYY-MM-DD');
  if (!repaymentChannelSchema.safeParse(fields.channel).success) return fail('channel', 'unknown-channel', `must be one of ${repaymentChannelSchema.options.join(', ')}`);
  if (fields.reference.length > MAX_TEXT.reference) return fail('reference', 'too-long', `at most ${MAX_TEXT.reference} characters`);
  return { ok: true, fields };
}

/** Rows that repeat an earlier row of the same file are not posted: the same loan, channel and reference. */
export const duplicateKey = (f: RowFields) => `${f.loan_id}\u0000${f.channel}\u0000${f.reference}`;

/** The request field a servicing failure names, as the file column it came from. */
export function columnOf(pointer: string): Column | 'row' {
  const map: Record<string, Column> = { '/params/id': 'loan_id', '/amount/amount': 'amount', '/amount/currency': 'currency', '/amount/scale': 'scale', '/valueDate': 'value_date', '/channel': 'channel', '/reference': 'reference' };
  return map[pointer] ?? 'row';
}
