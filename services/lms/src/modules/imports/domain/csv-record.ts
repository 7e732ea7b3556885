// The CSV form of an import record: one row per loan, its history in one column. Pure.
import type { RecordError } from './import-record.js';

export const REQUIRED_COLUMNS = ['external_id', 'product_code', 'principal', 'currency', 'scale', 'annual_rate_percent', 'term_periods', 'frequency', 'disbursement_date', 'borrower_reference'] as const;
export const OPTIONAL_COLUMNS = ['schedule_method', 'interest_calculation', 'day_count', 'first_due_date', 'region', 'history'] as const;
export type CsvColumn = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
const ALL: readonly CsvColumn[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];

export type CsvHeader = { readonly ok: true; readonly positions: ReadonlyMap<CsvColumn, number> } | { readonly ok: false; readonly error: RecordError };

/** The header row: every required column once, nothing the format does not define. */
export function readCsvHeader(record: readonly string[]): CsvHeader {
  const positions = new Map<CsvColumn, number>();
  for (const [i, raw] of record.entries()) {
    const name = raw.trim().toLowerCase() as CsvColumn;
    if (!ALL.includes(name)) return { ok: false, error: { field: 'header', rule: 'unknown-column', detail: `column ${JSON.stringify(raw)} is not one of ${ALL.join(', ')}` } };
    if (positions.has(name)) return { ok: false, error: { field: 'header', rule: 'duplicate-column', detail: `column ${name} appears twice` } };
    positions.set(name, i);
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !positions.has(c));
  if (missing.length > 0) return { ok: false, error: { field: 'header', rule: 'missing-column', detail: `the header must name ${missing.join(', ')}` } };
  return { ok: true, positions };
}

const integer = (s: string): number | string => (/^\d{1,9}$/.test(s) ? Number(s) : s);

/**
 * A CSV row as the JSON form of the record (the same rules check both). `history` holds the events
 * separated by `;`, each `kind:id:value_date:amount[:reference]` (disbursement, repayment) or
 * `reversal:id:value_date:target_id[:reason]`; a repayment's channel is `other`. Empty optional cells
 * are left out. A malformed event is the column's error.
 */
export function csvToRecord(row: readonly string[], positions: ReadonlyMap<CsvColumn, number>): { ok: true; record: Record<string, unknown> } | { ok: false; error: RecordError } {
  const cell = (c: CsvColumn) => (positions.has(c) ? (row[positions.get(c)!] ?? '').trim() : '');
  if (row.length !== positions.size) return { ok: false, error: { field: 'row', rule: 'column-count', detail: `has ${row.length} columns; the header has ${positions.size}` } };
  const optional = (c: CsvColumn, key: string) => (cell(c) === '' ? {} : { [key]: cell(c) });
  const history: Record<string, unknown>[] = [];
  const text = cell('history');
  if (text !== '') {
    for (const [i, part] of text.split(';').entries()) {
      const [kind = '', id = '', valueDate = '', value = '', ...rest] = part.trim().split(':');
      const extra = rest.join(':');
      if (!kind || !id || !valueDate || !value) return { ok: false, error: { field: 'history', rule: 'malformed-event', detail: `event ${i + 1} (${JSON.stringify(part)}) is not kind:id:value_date:amount-or-target[:reference]` } };
      history.push(kind === 'reversal'
        ? { kind, id, valueDate, targetId: value, ...(extra ? { reason: extra } : {}) }
        : { kind, id, valueDate, amount: value, ...(kind === 'repayment' && extra ? { reference: extra } : {}) });
    }
  }
  return {
    ok: true,
    record: {
      externalId: cell('external_id'), productCode: cell('product_code'),
      principal: { amount: cell('principal'), currency: cell('currency'), scale: integer(cell('scale')) },
      annualRatePercent: cell('annual_rate_percent'), termPeriods: integer(cell('term_periods')), frequency: cell('frequency'),
      ...optional('schedule_method', 'scheduleMethod'), ...optional('interest_calculation', 'interestCalculation'), ...optional('day_count', 'dayCount'),
      disbursementDate: cell('disbursement_date'), ...optional('first_due_date', 'firstDueDate'),
      borrower: { reference: cell('borrower_reference'), ...optional('region', 'region') },
      history,
    },
  };
}

const COLUMN_OF: Record<string, CsvColumn> = {
  externalId: 'external_id', productCode: 'product_code', annualRatePercent: 'annual_rate_percent', termPeriods: 'term_periods', frequency: 'frequency',
  scheduleMethod: 'schedule_method', interestCalculation: 'interest_calculation', dayCount: 'day_count', disbursementDate: 'disbursement_date', firstDueDate: 'first_due_date', history: 'history',
};

/** A record error's JSON pointer as the CSV column it came from (a history event's field: `history`, the event named in the detail). */
export function csvError(e: RecordError): RecordError {
  const [, head = '', sub = '', ...rest] = e.field.split('/');
  if (head === 'principal') return { ...e, field: sub === 'currency' ? 'currency' : sub === 'scale' ? 'scale' : 'principal' };
  if (head === 'borrower') return { ...e, field: sub === 'region' ? 'region' : 'borrower_reference' };
  if (head === 'history' && sub !== '') return { ...e, field: 'history', detail: `event ${Number(sub) + 1}${rest.length ? ` (${rest.join('/')})` : ''}: ${e.detail}` };
  return { ...e, field: COLUMN_OF[head] ?? 'row' };
}
