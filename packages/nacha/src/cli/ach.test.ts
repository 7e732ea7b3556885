/** `pnpm -s ach parse FILE` as operations staff run it: the real script in a child process, on files on disk. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SAMPLE } from '../sample.js';
import { writeNachaFile } from '../writer.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lendstack-ach-cli-'));
/** Through the root script (`pnpm -s ach`), or straight through tsx for the many invalid files (same script, faster). */
const run = (name: string, text: string, viaPnpm = false) => {
  const path = join(dir, name);
  writeFileSync(path, text, 'latin1');
  const r = viaPnpm
    ? spawnSync('pnpm', ['-s', 'ach', 'parse', path], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    : spawnSync(join(root, 'node_modules/.bin/tsx'), [join(root, 'packages/nacha/src/cli/ach.ts'), 'parse', path], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, json: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
};
const written = writeNachaFile({ ...SAMPLE, batches: [SAMPLE.batches[0]!, { ...SAMPLE.batches[0]!, batchNumber: 2, secCode: 'WEB', entryDescription: 'RETRY PYMT', entries: [{ transactionCode: 27, rdfiRouting: '021000021', accountNumber: '5550001', amountCents: 25_000n, individualId: 'LN1', individualName: 'Ana Diaz', traceSequence: 9 }] }] });
if (!written.ok) throw new Error('unwritable sample');
const text = written.file.text;

// Each case starts a process (tsx compiles the script): on two shared cores that is seconds, not milliseconds.
describe('pnpm -s ach parse', { timeout: 60_000 }, () => {
  it('prints batches, entries and control totals of a valid file, with or without line breaks', () => {
    const lined = run('lined.ach', text, true);
    expect(lined.status, lined.stderr).toBe(0);
    expect(lined.json.file.control).toEqual({ batchCount: 2, blockCount: 1, entryAddendaCount: 3, entryHash: '0005300005', totalDebitCents: '25000', totalCreditCents: '152500' });
    expect(lined.json.file.batches.map((b: any) => [b.secCode, b.entryDescription, b.serviceClassCode, b.control.totalDebitCents, b.entries.length])).toEqual([['PPD', 'LOAN', '220', '0', 2], ['WEB', 'RETRY PYMT', '225', '25000', 1]]);
    expect(lined.json.file.batches[1].entries[0]).toMatchObject({ record: 7, transactionCode: 27, amountCents: '25000', traceNumber: '231380100000009' });
    const flat = run('flat.ach', text.replace(/\n/g, ''));
    expect(flat.status).toBe(0);
    expect(flat.json).toEqual(lined.json);
  });

  it('exits 2 naming the record, field and rule: check digit, entry hash, counts, totals, record order', () => {
    const lines = text.split('\n').filter(Boolean);
    const edit = (i: number, from: number, to: number, value: string) => lines.map((l, k) => (k === i ? l.slice(0, from - 1) + value + l.slice(to) : l)).join('\n');
    const cases: [string, string, object][] = [
      ['check-digit.ach', edit(2, 4, 12, '021000022'), { record: 3, field: 'rdfiRouting', rule: 'routing-check-digit' }],
      ['hash.ach', edit(4, 11, 20, '0000000001'), { record: 5, field: 'entryHash', rule: 'batch-entry-hash' }],
      ['count.ach', edit(7, 5, 10, '000002'), { record: 8, field: 'entryAddendaCount', rule: 'batch-entry-count' }],
      ['total.ach', edit(8, 32, 43, '000000025001'), { record: 9, field: 'totalDebit', rule: 'file-debit-total' }],
      ['order.ach', [lines[0], lines[2], lines[1], ...lines.slice(3)].join('\n'), { record: 2, field: 'recordType', rule: 'batch-header-expected' }],
      ['length.ach', edit(3, 94, 94, ''), { record: 4, rule: 'record-length' }],
    ];
    for (const [name, bad, error] of cases) {
      const r = run(name, bad);
      expect(r.status, name).toBe(2);
      expect(r.json, name).toMatchObject({ valid: false, error });
    }
  });
});
