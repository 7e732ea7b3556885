import { describe, expect, it } from 'vitest';
import { csvError, csvToRecord, readCsvHeader } from './csv-record.js';
import { checkRecord, importedLoanId, parseRecord, transactionsOf, type ImportRecord } from './import-record.js';

const base = {
  externalId: 'OLD-1', productCode: 'PL', principal: { amount: '10000000', currency: 'INR', scale: 2 }, annualRatePercent: '12', termPeriods: 6,
  frequency: 'monthly', disbursementDate: '2026-01-01', borrower: { reference: 'c-1' },
};
const ctx = { businessDate: '2026-04-30', products: null };
const parsed = (raw: object): ImportRecord => {
  const r = parseRecord(raw);
  if (!r.ok) throw new Error(r.error.detail);
  return r.record;
};
const pay = (id: string, valueDate: string) => ({ kind: 'repayment', id, valueDate, amount: '100' });

describe('import record', () => {
  it('given the JSON form, applies the defaults and names a broken field by its JSON pointer and rule', () => {
    expect(parsed(base)).toMatchObject({ scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', fees: [], history: [] });
    expect(parseRecord({ ...base, termPeriods: undefined })).toMatchObject({ ok: false, error: { field: '/termPeriods', rule: 'required' } });
    expect(parseRecord({ ...base, termPeriods: '6' })).toMatchObject({ ok: false, error: { field: '/termPeriods', rule: 'invalid-type' } });
    expect(parseRecord({ ...base, colour: 'red' })).toMatchObject({ ok: false, error: { field: '/colour', rule: 'unknown-field' } });
    expect(parseRecord({ ...base, history: [{ kind: 'refund', id: 'x', valueDate: '2026-01-02' }] })).toMatchObject({ ok: false, error: { field: '/history/0/kind' } });
    expect(parseRecord({ ...base, history: [{ ...pay('r', '2026-02-30') }] })).toMatchObject({ ok: false, error: { field: '/history/0/valueDate' } });
  });

  it('given the rules no schema states, refuses each naming the event field', () => {
    const check = (history: object[], extra: object = {}) => checkRecord(parsed({ ...base, history, ...extra }), ctx);
    expect(check([pay('a', '2026-02-01'), pay('a', '2026-03-01')])).toMatchObject({ ok: false, error: { field: '/history/1/id', rule: 'duplicate-event-id' } });
    expect(check([pay('a', '2025-12-31')])).toMatchObject({ ok: false, error: { field: '/history/0/valueDate', rule: 'before-disbursement-date' } });
    expect(check([{ kind: 'reversal', id: 'x', valueDate: '2026-02-01', targetId: 'a' }, pay('a', '2026-02-01')])).toMatchObject({ ok: false, error: { rule: 'unknown-reversal-target' } });
    expect(check([pay('a', '2026-02-05'), { kind: 'reversal', id: 'x', valueDate: '2026-02-01', targetId: 'a' }])).toMatchObject({ ok: false, error: { field: '/history/1/valueDate', rule: 'before-target' } });
    expect(check([{ kind: 'disbursement', id: 'd', valueDate: '2026-01-02', amount: '100' }])).toMatchObject({ ok: false, error: { field: '/history/0/valueDate', rule: 'first-disbursement-not-on-disbursement-date' } });
    expect(check([{ kind: 'disbursement', id: 'd', valueDate: '2026-01-01', amount: '5' }, { kind: 'reversal', id: 'x', valueDate: '2026-02-01', targetId: 'd' }])).toMatchObject({ ok: false, error: { rule: 'not-reversible' } });
    expect(checkRecord(parsed(base), { ...ctx, products: new Map([['PL', { currency: 'USD' }]]) })).toMatchObject({ ok: false, error: { field: '/principal/currency', rule: 'not-product-currency' } });
    expect(checkRecord(parsed(base), { ...ctx, products: new Map([['SME', { currency: 'INR' }]]) })).toMatchObject({ ok: false, error: { field: '/productCode', rule: 'unknown-product' } });
    expect(check([pay('a', '2026-02-01'), { kind: 'reversal', id: 'x', valueDate: '2026-02-02', targetId: 'a' }]).ok).toBe(true);
  });

  it('given no disbursement in the history, disburses the whole principal on the disbursement date; ids derive from the tenant and external id', () => {
    const loanId = importedLoanId('t1', 'OLD-1');
    expect(loanId).toBe(importedLoanId('t1', 'OLD-1'));
    expect(loanId).not.toBe(importedLoanId('t2', 'OLD-1'));
    const txs = transactionsOf(parsed({ ...base, history: [pay('a', '2026-02-01'), { kind: 'reversal', id: 'x', valueDate: '2026-02-02', targetId: 'a' }] }), loanId);
    expect(txs.map((t) => [t.kind, t.valueDate, t.amountMinor])).toEqual([['disbursement', '2026-01-01', 10000000n], ['repayment', '2026-02-01', 100n], ['reversal', '2026-02-02', null]]);
    expect(txs[2]!.targetId).toBe(txs[1]!.id);
  });

  it('given a CSV row, maps its columns and history onto the JSON form, and an error back onto its column', () => {
    const header = readCsvHeader(['external_id', 'product_code', 'principal', 'currency', 'scale', 'annual_rate_percent', 'term_periods', 'frequency', 'disbursement_date', 'borrower_reference', 'history']);
    if (!header.ok) throw new Error('header');
    const row = csvToRecord(['OLD-1', 'PL', '10000000', 'INR', '2', '12', '6', 'monthly', '2026-01-01', 'c-1', 'repayment:a:2026-02-01:100:UTR:9;reversal:x:2026-02-02:a'], header.positions);
    expect(row.ok && parsed(row.record).history).toEqual([
      { kind: 'repayment', id: 'a', valueDate: '2026-02-01', amount: '100', channel: 'other', reference: 'UTR:9' },
      { kind: 'reversal', id: 'x', valueDate: '2026-02-02', targetId: 'a' },
    ]);
    expect(readCsvHeader(['external_id'])).toMatchObject({ ok: false, error: { rule: 'missing-column' } });
    expect(readCsvHeader(['external_id', 'colour'])).toMatchObject({ ok: false, error: { rule: 'unknown-column' } });
    expect(csvError({ field: '/principal/scale', rule: 'invalid', detail: 'x' }).field).toBe('scale');
    expect(csvError({ field: '/history/1/targetId', rule: 'unknown-reversal-target', detail: 'no a' })).toEqual({ field: 'history', rule: 'unknown-reversal-target', detail: 'event 2 (targetId): no a' });
    expect(csvError({ field: '/termPeriods', rule: 'too-small', detail: 'x' }).field).toBe('term_periods');
  });
});
