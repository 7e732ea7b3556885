/** The ACH sandbox as a process: lifecycle (pid file, idempotent start) and the ODFI file API it speaks. */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNachaFile, readReturnsAndChanges, writeNachaFile, type NachaEntryInput, type NachaFileInput } from '@lendstack/nacha';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../src/wait.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../lib/index.js';
import { achSandboxStatus, startAchSandbox, stopAchSandbox } from '../src/control.js';
import { ACH_SANDBOX_DEFAULTS } from '../src/defaults.js';
import { testPort } from '../../../src/ports.js';

const PORT = await testPort();
const cache = process.env.LENDSTACK_CACHE || fileURLToPath(new URL('../../../../../.cache', import.meta.url));
const files = { pidFile: join(cache, `ach-sandbox-${PORT}.pid`), logFile: join(cache, 'logs', `ach-sandbox-${PORT}.log`) };
const url = `http://127.0.0.1:${PORT}`;
const auth = `Bearer ${ACH_SANDBOX_DEFAULTS.apiKey}`;
const json = (response: Response): Promise<any> => response.json();

let receiver: WebhookReceiver;
let modifier = 0;

const entry = (accountNumber: string, traceSequence: number, overrides: Partial<NachaEntryInput> = {}): NachaEntryInput => ({
  transactionCode: 22, rdfiRouting: '021000021', accountNumber, amountCents: 125_000n, individualId: `LN${traceSequence}`, individualName: 'Jordan Lee', traceSequence, ...overrides,
});
const fileOf = (entries: NachaEntryInput[], overrides: Partial<NachaFileInput> & { companyId?: string } = {}) => {
  modifier += 1;
  const input: NachaFileInput = {
    immediateDestination: ACH_SANDBOX_DEFAULTS.odfiRouting, immediateDestinationName: 'SANDBOX ODFI', immediateOrigin: ACH_SANDBOX_DEFAULTS.odfiRouting, immediateOriginName: 'LENDSTACK',
    creationDate: '2026-12-02', creationTime: '1000', fileIdModifier: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[modifier % 36]!,
    batches: [{ companyName: 'LENDSTACK', companyId: overrides.companyId ?? '1234567890', secCode: 'PPD', entryDescription: 'LOAN', effectiveEntryDate: '2026-12-03', odfiIdentification: ACH_SANDBOX_DEFAULTS.odfiRouting.slice(0, 8), batchNumber: 1, entries }],
    ...overrides,
  };
  const written = writeNachaFile(input);
  if (!written.ok) throw new Error(JSON.stringify(written.issues));
  return written.file;
};
const upload = (body: string, key: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/files`, { method: 'POST', headers: { authorization: auth, 'content-type': 'text/plain', 'idempotency-key': key, ...headers }, body });
const events = (type: string) => receiver.received.map((r) => ({ ...r, event: JSON.parse(r.body) })).filter((r) => r.event.type === type);

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  await stopAchSandbox(files);
  await startAchSandbox({ port: PORT, ...files, env: { ACH_WEBHOOK_URL: receiver.url, ACH_SANDBOX_SETTLE_DELAY_MS: '50', ACH_SANDBOX_LATE_RETURN_DELAY_MS: '50', ACH_SANDBOX_MAX_ENTRY_CENTS: '500000', LOG_LEVEL: 'warn' } });
});

afterAll(async () => {
  await stopAchSandbox(files);
  await receiver?.close();
});

describe('ACH sandbox (ODFI file API)', () => {
  it('start is idempotent and status reports it', async () => {
    const again = await startAchSandbox({ port: PORT, ...files });
    expect(again.alreadyRunning).toBe(true);
    expect(await achSandboxStatus({ port: PORT, ...files })).toMatchObject({ up: true, pid: again.pid });
  });

  it('acknowledges a file, returns R03 before settling, sends a NOC C01, settles the rest, then a late R03', async () => {
    const file = fileOf([entry('5550003', 1), entry('123456789', 2, { rdfiRouting: '121000358' }), entry('5550103', 3), entry('777000777', 4)]);
    const response = await upload(file.text, 'sbx-ach-1');
    expect(response.status).toBe(201);
    const ack = await json(response);
    expect(ack).toMatchObject({ id: expect.stringMatching(/^file_/), status: 'accepted', entries: file.entries.map((e) => ({ traceNumber: e.traceNumber, status: 'pending' })) });
    const settled = await eventually(async () => events('file.settled').find((r) => r.event.data.fileId === ack.id), { what: 'file.settled' });
    const [t1, t2, t3, t4] = file.entries.map((e) => e.traceNumber);
    expect(settled.event.data).toEqual({ fileId: ack.id, settlementDate: '2026-12-03', traceNumbers: [t2, t3, t4] });
    const [t, v1] = String(settled.headers['x-ach-signature']).split(',');
    expect(v1).toBe(`v1=${createHmac('sha256', ACH_SANDBOX_DEFAULTS.webhookSecret).update(`${t!.slice(2)}.${settled.body}`).digest('hex')}`);
    const notices = await eventually(async () => { const n = events('returns.available').filter((r) => r.event.data.fileIds.includes(ack.id)); return n.length === 2 ? n : undefined; }, { what: 'two returns files' });
    const read = async (id: string) => {
      const r = await fetch(`${url}/v1/return-files/${id}`, { headers: { authorization: auth } });
      expect(r.headers['get']('content-type')).toMatch(/text\/plain/);
      const parsed = parseNachaFile(await r.text());
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.issue));
      return readReturnsAndChanges(parsed.file);
    };
    const first = await read(notices[0]!.event.data.returnFileId);
    expect(first.returns.map((x) => [x.code, x.originalTraceNumber, x.amountCents])).toEqual([['R03', t1, 125_000n]]);
    expect(first.changes.map((x) => [x.code, x.originalTraceNumber, x.corrected])).toEqual([['C01', t2, { accountNumber: '123456780' }]]);
    const late = await read(notices[1]!.event.data.returnFileId);
    expect(late.returns.map((x) => [x.code, x.originalTraceNumber])).toEqual([['R03', t3]]);
    const status = await json(await fetch(`${url}/v1/files/${ack.id}`, { headers: { authorization: auth } }));
    expect(status.entries.map((e: any) => [e.traceNumber, e.status, e.returnCode ?? null, e.changeCode ?? null])).toEqual([[t1, 'returned', 'R03', null], [t2, 'settled', null, 'C01'], [t3, 'returned', 'R03', null], [t4, 'settled', null, null]]);
  });

  it('the same key and bytes answer the first acknowledgement; the same key with other bytes is 409', async () => {
    const file = fileOf([entry('777000777', 1)]);
    const first = await json(await upload(file.text, 'sbx-ach-2'));
    const again = await upload(file.text, 'sbx-ach-2');
    expect(again.status).toBe(200);
    expect((await json(again)).id).toBe(first.id);
    const conflict = await upload(fileOf([entry('777000778', 1)]).text, 'sbx-ach-2');
    expect(conflict.status).toBe(409);
    expect(await json(conflict)).toMatchObject({ title: 'idempotency-conflict', field: 'Idempotency-Key' });
  });

  it('rejects a malformed file with 422 naming the record number and rule; the same bytes under a key stay rejected', async () => {
    const text = fileOf([entry('777000777', 1)]).text.replace(/^(6.{28})\d{10}/m, '$10000999999');
    const response = await upload(text, 'sbx-ach-3');
    expect(response.status).toBe(422);
    expect(await json(response)).toMatchObject({ status: 'rejected', error: { record: 4, rule: 'batch-credit-total', field: 'totalCredit' } });
    expect((await upload(text, 'sbx-ach-3')).status).toBe(422);
    const short = await upload('101 231380104 231380104\n', 'sbx-ach-4');
    expect(await json(short)).toMatchObject({ error: { record: 1, rule: 'record-length' } });
  });

  it("applies the bank's own rules: enrolled company, exposure limit, this ODFI, no duplicate header", async () => {
    const company = await json(await upload(fileOf([entry('777000777', 1)], { companyId: '9999999999' }).text, 'sbx-ach-5'));
    expect(company.error).toMatchObject({ record: 2, field: 'companyIdentification', rule: 'company-not-enrolled' });
    const limit = await json(await upload(fileOf([entry('777000777', 1), entry('777000778', 2, { amountCents: 500_001n })]).text, 'sbx-ach-6'));
    expect(limit.error).toMatchObject({ record: 4, field: 'amount', rule: 'exposure-limit' });
    const elsewhere = await json(await upload(fileOf([entry('777000777', 1)], { immediateDestination: '021000021' }).text, 'sbx-ach-7'));
    expect(elsewhere.error).toMatchObject({ record: 1, rule: 'destination-is-this-odfi' });
    const original = fileOf([entry('777000777', 1)]);
    expect((await upload(original.text, 'sbx-ach-8')).status).toBe(201);
    const duplicate = await json(await upload(original.text.replace('JORDAN LEE', 'JORDAN LEA'), 'sbx-ach-9'));
    expect(duplicate.error).toMatchObject({ record: 1, rule: 'duplicate-file' });
  });

  it('refuses a missing api key and a missing Idempotency-Key', async () => {
    expect((await upload('x', 'sbx-ach-10', { authorization: 'Bearer nope' })).status).toBe(401);
    const noKey = await fetch(`${url}/v1/files`, { method: 'POST', headers: { authorization: auth, 'content-type': 'text/plain' }, body: 'x' });
    expect(noKey.status).toBe(400);
    expect(await json(noKey)).toMatchObject({ field: 'Idempotency-Key' });
  });

  it('stop ends the process and removes the pid file; status says down', async () => {
    expect(await stopAchSandbox(files)).toBe(true);
    expect(await achSandboxStatus({ port: PORT, ...files })).toMatchObject({ up: false });
  });
});
