import { describe, expect, it } from 'vitest';
import { isRoutingNumber, routingCheckDigit } from './fields.js';
import { parseNachaFile } from './parser.js';
import { readReturnsAndChanges, writeReturnFile } from './returns.js';
import { SAMPLE } from './sample.js';
import { writeNachaFile } from './writer.js';


const written = () => {
  const r = writeNachaFile(SAMPLE);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.file;
};
const lines = (text: string) => text.trimEnd().split('\n');

describe('routing numbers', () => {
  it('computes the ABA check digit with weights 3, 7, 1', () => {
    expect(routingCheckDigit('02100002')).toBe(1);
    expect(routingCheckDigit('01100001')).toBe(5);
    expect(isRoutingNumber('021000021')).toBe(true);
    expect(isRoutingNumber('021000022')).toBe(false);
    expect(isRoutingNumber('02100002')).toBe(false);
  });
});

describe('NACHA writer', () => {
  it('writes 94-character records blocked by 10, with the known header, entry, control and filler records', () => {
    const file = written();
    const records = lines(file.text);
    expect(records).toHaveLength(10);
    expect(records.every((r) => r.length === 94)).toBe(true);
    expect(records[0]).toBe('101 011000015 2313801042612021405A094101FEDERAL RESERVE BANK   LENDSTACK ODFI                 ');
    expect(records[1]).toBe('5220LENDSTACK                           1234567890PPDLOAN            261203   1231380100000001');
    expect(records[2]).toBe('622021000021123456789        0000150000LN8F3A2C91D4E5 JORDAN LEE              0231380100000001');
    expect(records[3]).toBe('632011000015987654321        0000002500LN00000002     SAM ORTIZ               0231380100000002');
    // Entry hash 02100002 + 01100001 = 0003200003; credits 1,525.00.
    expect(records[4]).toBe('82200000020003200003000000000000000000152500123456789' + '0' + ' '.repeat(25) + '231380100000001');
    expect(records[5]).toBe('9000001000001000000020003200003000000000000000000152500' + ' '.repeat(39));
    expect(records.slice(6)).toEqual(Array(4).fill('9'.repeat(94)));
    expect(file).toMatchObject({ entryHash: '0003200003', totalCreditCents: 152_500n, totalDebitCents: 0n, blockCount: 1 });
    expect(file.entries.map((e) => [e.traceNumber, e.record])).toEqual([['231380100000001', 3], ['231380100000002', 4]]);
  });

  it('is deterministic and round-trips through the parser', () => {
    expect(written().text).toBe(written().text);
    const parsed = parseNachaFile(written().text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.file.header).toMatchObject({ immediateDestination: '011000015', immediateOrigin: '231380104', creationDate: '2026-12-02', fileIdModifier: 'A' });
    expect(parsed.file.batches[0]).toMatchObject({ serviceClassCode: '220', secCode: 'PPD', companyId: '1234567890', effectiveEntryDate: '2026-12-03', batchNumber: 1 });
    expect(parsed.file.batches[0]!.entries.map((e) => [e.transactionCode, e.rdfiRouting, e.accountNumber, e.amountCents, e.individualId, e.individualName, e.traceNumber])).toEqual([
      [22, '021000021', '123456789', 150_000n, 'LN8F3A2C91D4E5', 'JORDAN LEE', '231380100000001'],
      [32, '011000015', '987654321', 2_500n, 'LN00000002', 'SAM ORTIZ', '231380100000002'],
    ]);
  });

  it('needs a second block for an eleventh record; a debit batch is service class 225 and a mixed one 200', () => {
    const entries = Array.from({ length: 7 }, (_, i) => ({ ...SAMPLE.batches[0]!.entries[0]!, traceSequence: i + 1 }));
    const big = writeNachaFile({ ...SAMPLE, batches: [{ ...SAMPLE.batches[0]!, entries }] });
    expect(big.ok && lines(big.file.text).length).toBe(20);
    expect(big.ok && big.file.blockCount).toBe(2);
    const debit = writeNachaFile({ ...SAMPLE, batches: [{ ...SAMPLE.batches[0]!, entries: [{ ...SAMPLE.batches[0]!.entries[0]!, transactionCode: 27 }] }] });
    expect(debit.ok && lines(debit.file.text)[1]!.slice(1, 4)).toBe('225');
    const mixed = writeNachaFile({ ...SAMPLE, batches: [{ ...SAMPLE.batches[0]!, entries: [SAMPLE.batches[0]!.entries[0]!, { ...SAMPLE.batches[0]!.entries[1]!, transactionCode: 37 }] }] });
    expect(mixed.ok && lines(mixed.file.text)[1]!.slice(1, 4)).toBe('200');
  });

  it('refuses what a bank would reject, naming each field and rule', () => {
    const e = SAMPLE.batches[0]!.entries[0]!;
    const bad = writeNachaFile({
      ...SAMPLE,
      fileIdModifier: 'a',
      batches: [{ ...SAMPLE.batches[0]!, odfiIdentification: '02100002', entries: [{ ...e, rdfiRouting: '021000022' }, { ...e, amountCents: 0n, traceSequence: 1 }, { ...e, accountNumber: '12345678901234567890', traceSequence: 3 }] }],
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => `${i.field}:${i.rule}`)).toEqual([
      'fileIdModifier:file-id-modifier',
      'batches[0].entries[0].rdfiRouting:routing-check-digit',
      'batches[0].entries[1].amountCents:amount-positive',
      'batches[0].entries[1].traceSequence:trace-ascending',
      'batches[0].entries[2].accountNumber:dfi-account',
      'batches[0].odfiIdentification:odfi-matches-origin',
    ]);
  });
});

describe('NACHA parser', () => {
  const corrupt = (record: number, from: number, value: string) => {
    const rs = lines(written().text);
    const r = rs[record - 1]!;
    rs[record - 1] = r.slice(0, from - 1) + value + r.slice(from - 1 + value.length);
    return `${rs.join('\n')}\n`;
  };
  it.each([
    ['a short record', written().text.replace('LENDSTACK ODFI   ', 'LENDSTACK ODFI'), 1, 'record-length'],
    ['a routing number with a bad check digit', corrupt(3, 4, '021000022'), 3, 'routing-check-digit'],
    ['a trace number of another ODFI', corrupt(3, 80, '021000020000001'), 3, 'trace-odfi'],
    ['an amount with letters', corrupt(4, 30, '00000025O0'), 4, 'numeric'],
    ['a wrong batch entry hash', corrupt(5, 11, '0003200004'), 5, 'batch-entry-hash'],
    ['a wrong batch credit total', corrupt(5, 33, '000000152501'), 5, 'batch-credit-total'],
    ['a wrong file block count', corrupt(6, 8, '000002'), 6, 'file-block-count'],
    ['a filler that is not all nines', corrupt(10, 1, '8'), 10, 'filler'],
    ['nine records', `${lines(written().text).slice(0, 9).join('\n')}\n`, 9, 'blocking'],
  ])('rejects %s with the record number and rule', (_what, text, record, rule) => {
    const parsed = parseNachaFile(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.issue).toMatchObject({ record, rule });
  });
});

describe('returns and notifications of change', () => {
  it('the bank writes a return (R03) and a NOC (C01) that the reader maps back to the original trace numbers', () => {
    const original = parseNachaFile(written().text);
    if (!original.ok) throw new Error('unparsable');
    const [first, second] = original.file.batches[0]!.entries;
    const batch = original.file.batches[0]!;
    const file = writeReturnFile({
      odfiRouting: '231380104', odfiName: 'LENDSTACK ODFI', bankRouting: '021000021', bankName: 'RDFI SANDBOX', creationDate: '2026-12-04', creationTime: '0900', fileIdModifier: 'A',
      answers: [
        { kind: 'return', original: first!, originalBatch: batch, code: 'R03', info: 'NO ACCOUNT' },
        { kind: 'change', original: second!, originalBatch: batch, code: 'C01', correctedData: '987654329' },
      ],
    });
    expect(file.ok).toBe(true);
    if (!file.ok) return;
    const records = lines(file.text);
    expect(records[2]).toBe('621231380104123456789        0000150000LN8F3A2C91D4E5 JORDAN LEE              1021000020000001');
    expect(records[3]).toBe('799R03231380100000001      02100002NO ACCOUNT                                  021000020000001');
    const parsed = parseNachaFile(file.text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.file.batches.map((b) => b.secCode)).toEqual(['PPD', 'COR']);
    const { returns, changes } = readReturnsAndChanges(parsed.file);
    expect(returns).toEqual([{ record: 4, code: 'R03', description: 'No account / unable to locate account', originalTraceNumber: '231380100000001', traceNumber: '021000020000001', transactionCode: 21, amountCents: 150_000n, individualId: 'LN8F3A2C91D4E5', info: 'NO ACCOUNT' }]);
    expect(changes).toEqual([{ record: 8, code: 'C01', description: 'Incorrect DFI account number', originalTraceNumber: '231380100000002', traceNumber: '021000020000002', correctedData: '987654329', corrected: { accountNumber: '987654329' } }]);
  });
});

describe('files as banks send them', () => {
  it('reads 94-character records with no line breaks, and with CRLF', () => {
    const file = writeNachaFile(SAMPLE);
    if (!file.ok) throw new Error('unwritable');
    const records = file.file.text.split('\n').filter(Boolean);
    expect(parseNachaFile(records.join('')).ok).toBe(true);
    expect(parseNachaFile(`${records.join('\r\n')}\r\n`).ok).toBe(true);
  });

  it('refuses a debit in a credits-only (220) batch with its record number', () => {
    const file = writeNachaFile(SAMPLE);
    if (!file.ok) throw new Error('unwritable');
    const text = file.file.text.replace('622021000021', '627021000021');
    expect(parseNachaFile(text)).toMatchObject({ ok: false, issue: { record: 3, field: 'transactionCode', rule: 'credits-only' } });
  });
});
