/**
 * moov-io/ach's achcli (v1.61.0, built from the Go module proxy by infra/local/achcli.sh into the git-ignored
 * cache) as the oracle: every file the writer makes, and every return/NOC file the bank side makes, must read
 * without error (`achcli -reformat=json` exits 1 on any file it rejects) and give the same totals. A corrupted
 * file must be rejected, so the oracle is known to be listening. Skipped, saying why, only where Go is absent.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE } from './sample.js';
import { parseNachaFile } from './parser.js';
import { writeReturnFile } from './returns.js';
import { writeNachaFile, type NachaEntryInput, type NachaFileInput } from './writer.js';

const script = fileURLToPath(new URL('../../../infra/local/achcli.sh', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lendstack-achcli-'));
let achcli: string | undefined;
let unavailable = '';

beforeAll(() => {
  const built = spawnSync('bash', [script], { encoding: 'utf8', timeout: 280_000 });
  if (built.status === 0) achcli = built.stdout.trim();
  else if (built.status === 3) unavailable = `achcli oracle skipped: ${built.stderr.trim() || 'Go is not installed'}`;
  else throw new Error(`infra/local/achcli.sh failed (exit ${built.status}):\n${built.stderr}`);
}, 300_000);

interface AchcliJson {
  fileHeader: { immediateOrigin: string; fileIDModifier: string };
  batches: { batchHeader: { standardEntryClassCode: string }; entryDetails: { traceNumber: string; amount: number; addenda99?: { returnCode: string }; addenda98?: { changeCode: string } }[] }[];
  fileControl: { totalCredit: number; totalDebit: number; entryAddendaCount: number; entryHash: number; blockCount: number };
}

function oracle(name: string, text: string): { status: number; json?: AchcliJson; output: string } {
  const path = join(dir, name);
  writeFileSync(path, text);
  const run = spawnSync(achcli!, ['-reformat=json', path], { encoding: 'utf8', timeout: 30_000 });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}`, ...(run.status === 0 ? { json: JSON.parse(run.stdout) as AchcliJson } : {}) };
}

const need = (ctx: { skip: (note?: string) => void }) => {
  if (!achcli) {
    console.warn(unavailable);
    ctx.skip(unavailable);
  }
};

const write = (input: NachaFileInput) => {
  const r = writeNachaFile(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.file;
};

describe('achcli v1.61.0 as the oracle', () => {
  it('reads the sample PPD credit file with the totals and trace numbers the writer reported', (ctx) => {
    need(ctx);
    const file = write(SAMPLE);
    const { status, json, output } = oracle('sample.ach', file.text);
    expect(status, output).toBe(0);
    expect(json!.fileControl).toMatchObject({ totalCredit: 152_500, totalDebit: 0, entryAddendaCount: 2, entryHash: 3_200_003, blockCount: 1 });
    expect(json!.batches[0]!.entryDetails.map((e) => e.traceNumber)).toEqual(file.entries.map((e) => e.traceNumber));
  });

  it('reads a 3-batch, 40-entry file of checking and savings credits, prenotes and debits', (ctx) => {
    need(ctx);
    const routings = ['021000021', '011000015', '121000358', '091000019', '026009593', '322271627'];
    const codes = [22, 32, 23, 27, 37, 22] as const;
    let seq = 0;
    const entries = (n: number): NachaEntryInput[] => Array.from({ length: n }, (_, i) => {
      seq += 1;
      const transactionCode = codes[i % codes.length]!;
      return { transactionCode, rdfiRouting: routings[i % routings.length]!, accountNumber: `${100_000 + seq}`, amountCents: transactionCode === 23 ? 0n : BigInt(1_000 + seq * 37), individualId: `LN${seq}`, individualName: `Receiver ${seq}`, traceSequence: seq };
    });
    const batch = SAMPLE.batches[0]!;
    const input = { ...SAMPLE, fileIdModifier: 'Z', batches: [{ ...batch, entries: entries(13) }, { ...batch, batchNumber: 2, secCode: 'WEB' as const, entries: entries(20) }, { ...batch, batchNumber: 3, entryDescription: 'RETRY PYMT', entries: entries(7) }] };
    const file = write(input);
    const { status, json, output } = oracle('multi.ach', file.text);
    expect(status, output).toBe(0);
    expect(json!.fileControl).toMatchObject({ totalCredit: Number(file.totalCreditCents), totalDebit: Number(file.totalDebitCents), entryAddendaCount: 40, entryHash: Number(file.entryHash), blockCount: file.blockCount });
  });

  it('reads the return (R03) and NOC (C01, C02) file the bank side writes', (ctx) => {
    need(ctx);
    const parsed = parseNachaFile(write(SAMPLE).text);
    if (!parsed.ok) throw new Error('unparsable');
    const batch = parsed.file.batches[0]!;
    const [first, second] = batch.entries;
    const returns = writeReturnFile({
      odfiRouting: '231380104', odfiName: 'LENDSTACK ODFI', bankRouting: '021000021', bankName: 'RDFI SANDBOX', creationDate: '2026-12-04', creationTime: '0900', fileIdModifier: 'B',
      answers: [
        { kind: 'return', original: first!, originalBatch: batch, code: 'R03' },
        { kind: 'change', original: second!, originalBatch: batch, code: 'C01', correctedData: '987654329' },
        { kind: 'change', original: first!, originalBatch: batch, code: 'C02', correctedData: '121000358' },
      ],
    });
    if (!returns.ok) throw new Error(JSON.stringify(returns.issues));
    const { status, json, output } = oracle('returns.ach', returns.text);
    expect(status, output).toBe(0);
    expect(json!.batches.map((b) => b.batchHeader.standardEntryClassCode)).toEqual(['PPD', 'COR']);
    expect(json!.batches[0]!.entryDetails[0]!.addenda99?.returnCode).toBe('R03');
    expect(json!.batches[1]!.entryDetails.map((e) => e.addenda98?.changeCode)).toEqual(['C01', 'C02']);
  });

  it('rejects a file whose batch control miscounts its entries (the oracle is listening)', (ctx) => {
    need(ctx);
    const text = write(SAMPLE).text.split('\n').map((l) => (l.startsWith('8220000002') ? `8220000003${l.slice(10)}` : l)).join('\n');
    const { status, output } = oracle('bad.ach', text);
    expect(status).toBe(1);
    expect(output).toMatch(/EntryAddendaCount/);
  });
});
