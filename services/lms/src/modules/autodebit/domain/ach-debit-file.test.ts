/**
 * Debit files of presentment batches, read back by packages/nacha and by moov-io/ach's achcli (the independent
 * oracle, built by infra/local/achcli.sh; skipped saying why only where Go is absent), and return/NOC files read
 * as results: valid ones give each return and change, malformed ones are refused naming the record and rule.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNachaFile, writeReturnFile, type BankAnswer } from '@lendstack/nacha';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Presentment, PresentmentBatch } from '../ports.js';
import { buildAchDebitFile, type AchOriginator } from './ach-debit-file.js';
import { readAchResultFile } from './ach-results.js';

const script = fileURLToPath(new URL('../../../../../../infra/local/achcli.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lendstack-autodebit-'));
let achcli: string | undefined;
let unavailable = '';
beforeAll(() => {
  const built = spawnSync('bash', [script], { encoding: 'utf8', timeout: 280_000 });
  if (built.status === 0) achcli = built.stdout.trim();
  else if (built.status === 3) unavailable = `achcli oracle skipped: ${built.stderr.trim() || 'Go is not installed'}`;
  else throw new Error(`infra/local/achcli.sh failed (exit ${built.status}):\n${built.stderr}`);
}, 300_000);

export const ORIGINATOR: AchOriginator = {
  companyName: 'LENDSTACK', companyId: '1234567890', odfiRouting: '231380104', odfiName: 'LENDSTACK ODFI', destinationRouting: '231380104', destinationName: 'SANDBOX ODFI', entryDescription: 'LOAN PYMT',
};

const presentment = (n: number, over: Partial<Presentment> = {}): Presentment => ({
  presentmentId: `p-${n}`, tenantId: 't1', loanId: `0000000${n}-aaaa-bbbb-cccc-dddddddddddd`, installmentNumber: 1, amount: { amountMinor: BigInt(10_000 + n), currency: 'USD', scale: 2 }, rail: 'us-ach', attempt: 1,
  effectiveDate: '2026-03-02', railSequence: n, account: { accountToken: `tok${n}`, bankCode: '021000021', accountType: 'checking', holderName: `Borrower ${n}`, authorisationId: `auth-${n}`, achSecCode: 'PPD' }, ...over,
});

const batchOf = (presentments: Presentment[]): PresentmentBatch => ({ batchId: 'b1', rail: 'us-ach', createdAt: new Date('2026-02-27T14:05:00Z'), sequenceOfDay: 1, presentments });
const numbers = (ps: Presentment[]) => new Map(ps.map((p) => [p.presentmentId, `55500${p.railSequence}99`]));

const presentments = [
  presentment(1), presentment(2, { account: { ...presentment(2).account, accountType: 'savings' } }), presentment(3, { account: { ...presentment(3).account, achSecCode: 'WEB' } }),
  presentment(4, { attempt: 2, originalPresentmentId: 'p-0' }), presentment(5, { attempt: 3, originalPresentmentId: 'p-00', account: { ...presentment(5).account, bankCode: '011000015' } }),
];

describe('ACH debit file of a presentment batch', () => {
  it('puts first presentments and reinitiations (RETRY PYMT) in separate batches, debits 27/37, and achcli reads it with the same totals', (ctx) => {
    const built = buildAchDebitFile(ORIGINATOR, batchOf(presentments), numbers(presentments));
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    const parsed = parseNachaFile(built.file.text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issue));
    expect(parsed.file.batches.map((b) => [b.secCode, b.entryDescription, b.serviceClassCode, b.entries.map((e) => e.transactionCode)])).toEqual([
      ['PPD', 'LOAN PYMT', '225', [27, 37]], ['PPD', 'RETRY PYMT', '225', [27, 27]], ['WEB', 'LOAN PYMT', '225', [27]],
    ]);
    expect(parsed.file.totalDebitCents).toBe(50_015n);
    expect(built.file.text.split('\n').filter(Boolean).every((l) => l.length === 94)).toBe(true);
    expect(built.file.text.split('\n').filter(Boolean).length % 10).toBe(0);
    expect(built.traceOf.get('p-4')).toBe('231380100000004');
    // The day's second debit file: modifier 8 (debit files count down from 9, payouts up from A).
    expect(built.file.text.slice(33, 34)).toBe('8');
    // Same input, same bytes: a resend is the same file.
    const again = buildAchDebitFile(ORIGINATOR, batchOf([...presentments].reverse()), numbers(presentments));
    expect(again.ok && again.file.text).toBe(built.file.text);
    if (!achcli) return ctx.skip(unavailable);
    writeFileSync(join(dir, 'debits.ach'), built.file.text);
    const run = spawnSync(achcli, ['-reformat=json', join(dir, 'debits.ach')], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as { batches: { batchHeader: { companyEntryDescription: string; standardEntryClassCode: string } }[]; fileControl: { totalDebit: number; totalCredit: number; entryHash: number; entryAddendaCount: number } };
    expect(json.fileControl).toMatchObject({ totalDebit: 50_015, totalCredit: 0, entryHash: Number(built.file.entryHash), entryAddendaCount: 5 });
    expect(json.batches.map((b) => b.batchHeader.companyEntryDescription)).toEqual(['LOAN PYMT', 'RETRY PYMT', 'LOAN PYMT']);
  });

  it('refuses a batch whose account cannot be resolved or is not in USD cents, naming the presentment', () => {
    const built = buildAchDebitFile(ORIGINATOR, batchOf([presentment(1), presentment(2, { amount: { amountMinor: 5n, currency: 'INR', scale: 2 } })]), new Map([['p-2', '1']]));
    expect(built.ok).toBe(false);
    expect(!built.ok && built.issues.map((i) => [i.field, i.rule])).toEqual([['presentments[0].account', 'account-resolved'], ['presentments[1].amount', 'usd-ach']]);
  });
});

describe('ACH return and NOC files as results', () => {
  const built = buildAchDebitFile(ORIGINATOR, batchOf(presentments), numbers(presentments));
  const parsed = built.ok ? parseNachaFile(built.file.text) : undefined;
  const file = parsed?.ok ? parsed.file : undefined;
  const answer = (batch: number, entry: number, a: { kind: 'return'; code: string } | { kind: 'change'; code: string; correctedData: string }): BankAnswer =>
    ({ ...a, original: file!.batches[batch]!.entries[entry]!, originalBatch: file!.batches[batch]! }) as BankAnswer;
  const returnFile = (answers: BankAnswer[]) => {
    const w = writeReturnFile({ odfiRouting: '231380104', odfiName: 'LENDSTACK ODFI', bankRouting: '021000021', bankName: 'RDFI', creationDate: '2026-03-04', creationTime: '0900', fileIdModifier: 'A', answers });
    if (!w.ok) throw new Error(JSON.stringify(w.issues));
    return w.text;
  };

  it('reads returns (R01, R07) and changes (C01, C05) by original trace number', (ctx) => {
    const text = returnFile([answer(0, 0, { kind: 'return', code: 'R01' }), answer(2, 0, { kind: 'return', code: 'R07' }), answer(0, 1, { kind: 'change', code: 'C05', correctedData: '27' }), answer(1, 0, { kind: 'change', code: 'C01', correctedData: '5550004100' })]);
    const read = readAchResultFile('rtf_1', text, '2026-03-04');
    if (!read.ok) throw new Error(JSON.stringify(read.unreadable));
    expect(read.document.results).toEqual([
      { kind: 'returned', reference: '231380100000001', code: 'R01', description: 'Insufficient funds', returnedOn: '2026-03-04', record: 4 },
      { kind: 'returned', reference: '231380100000003', code: 'R07', description: 'Authorization revoked by customer', returnedOn: '2026-03-04', record: 8 },
      { kind: 'changed', reference: '231380100000002', code: 'C05', description: 'Incorrect transaction code', correction: { accountType: 'checking' }, record: 12 },
      { kind: 'changed', reference: '231380100000004', code: 'C01', description: 'Incorrect DFI account number', correction: { accountNumber: '5550004100' }, record: 16 },
    ]);
    if (!achcli) return ctx.skip(unavailable);
    writeFileSync(join(dir, 'returns.ach'), text);
    const run = spawnSync(achcli, ['-reformat=json', join(dir, 'returns.ach')], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });

  it('refuses a return file with a bad record length, a bad entry hash or an unknown return code, naming the record and rule', () => {
    const text = returnFile([answer(0, 0, { kind: 'return', code: 'R01' })]);
    const lines = text.split('\n');
    const short = [...lines.slice(0, 2), lines[2]!.slice(0, 90), ...lines.slice(3)].join('\n');
    expect(readAchResultFile('x', short, '2026-03-04')).toMatchObject({ ok: false, unreadable: { record: 3, rule: 'record-length' } });
    const badHash = lines.map((l) => (l.startsWith('8') ? `${l.slice(0, 10)}0000000001${l.slice(20)}` : l)).join('\n');
    expect(readAchResultFile('x', badHash, '2026-03-04')).toMatchObject({ ok: false, unreadable: { record: 5, field: 'entryHash', rule: 'batch-entry-hash' } });
    const unknown = lines.map((l) => (l.startsWith('799R01') ? `799R77${l.slice(6)}` : l)).join('\n');
    expect(readAchResultFile('x', unknown, '2026-03-04')).toMatchObject({ ok: false, unreadable: { record: 4, field: 'returnReasonCode', rule: 'return-code-known' } });
  });
});
