/**
 * An ODFI's file API, as banks that take NACHA files over HTTPS offer it (the SFTP drop box's HTTP twin):
 * - `POST /v1/files` — the NACHA file as the raw body (text/plain), `Authorization: Bearer <api key>`,
 *   `Idempotency-Key` (1–64 characters; the same key and bytes answer the first acknowledgement, other bytes 409).
 *   201 acknowledgement `{ id, status: 'accepted', entries: [{ traceNumber, amountCents, status }] }`, or 422
 *   `{ id, status: 'rejected', error: { record, field, rule, detail } }` naming the record number and the rule:
 *   the format (packages/nacha's validating parser) and the bank's own rules (the file is addressed to this
 *   ODFI, each batch's ODFI is this bank, the company is enrolled, each entry within the exposure limit, no
 *   duplicate of an accepted file's header).
 * - `GET /v1/files/{id}` — the file's entries with their status (pending, settled, returned) and codes.
 * - `GET /v1/return-files` and `GET /v1/return-files/{id}` — return and NOC files, NACHA text, as the RDFIs sent them.
 * - webhooks (webhooks.ts): `returns.available { returnFileId, fileIds }` and `file.settled { fileId,
 *   settlementDate, traceNumbers }`.
 * An accepted file settles after `settleDelayMs`: entries the receiving bank returns at once are in a returns
 * file sent before the settlement notice; late returns follow `lateReturnDelayMs` after it (triggers.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseNachaFile, writeReturnFile, type BankAnswer, type NachaIssue, type ParsedBatch, type ParsedEntry, type ParsedFile } from '@lendstack/nacha';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { randomId, registerFaultControl } from '../../lib/index.js';
import { decideFate } from './triggers.js';
import { createAchWebhookSender, type AchWebhookSenderOptions } from './webhooks.js';

export interface AchSandboxOptions {
  readonly apiKey: string;
  readonly odfiRouting: string;
  readonly odfiName?: string;
  readonly rdfiRouting: string;
  readonly companyIds: readonly string[];
  readonly settleDelayMs: number;
  readonly lateReturnDelayMs: number;
  readonly maxEntryCents: number;
  /** Bound on files kept in memory; the oldest is forgotten first. */
  readonly maxFiles: number;
  readonly webhook: Omit<AchWebhookSenderOptions, 'log'>;
  readonly logger?: boolean | { level: string };
}

type EntryStatus = 'pending' | 'settled' | 'returned';
interface StoredEntry {
  readonly traceNumber: string;
  readonly amountCents: string;
  readonly transactionCode: number;
  status: EntryStatus;
  returnCode?: string;
  changeCode?: string;
  settlementDate?: string;
}
interface StoredFile {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly sha256: string;
  readonly receivedAt: string;
  readonly status: 'accepted' | 'rejected';
  readonly error?: NachaIssue;
  readonly headerKey?: string;
  readonly parsed?: ParsedFile;
  readonly entries: StoredEntry[];
  timers: NodeJS.Timeout[];
}
interface ReturnFile {
  readonly id: string;
  readonly createdAt: string;
  readonly fileIds: string[];
  readonly text: string;
}

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const KEY = /^[A-Za-z0-9_:.-]{1,64}$/;

const problem = (status: number, title: string, detail: string, extra: Record<string, unknown> = {}) => ({ type: `https://ach-sandbox.lendstack.local/problems/${title}`, title, status, detail, ...extra });

export function buildAchSandbox(options: AchSandboxOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: MAX_FILE_BYTES });
  app.addContentTypeParser(['text/plain', 'application/octet-stream'], { parseAs: 'string', bodyLimit: MAX_FILE_BYTES }, (_r, body, done) => done(null, body));
  const files = new Map<string, StoredFile>();
  const byKey = new Map<string, string>();
  const acceptedHeaders = new Map<string, string>();
  const returnFiles: ReturnFile[] = [];
  const faults = registerFaultControl(app);
  const webhooks = createAchWebhookSender({ ...options.webhook, log: (message, fields) => app.log.warn(fields ?? {}, message) });
  const expectedAuth = Buffer.from(`Bearer ${options.apiKey}`);
  let returnSequence = 0;

  const authorised = (request: FastifyRequest) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  const bankRules = (file: ParsedFile): NachaIssue | undefined => {
    if (file.header.immediateDestination !== options.odfiRouting) return { record: 1, field: 'immediateDestination', rule: 'destination-is-this-odfi', detail: `the file is addressed to ${file.header.immediateDestination}, this ODFI is ${options.odfiRouting}` };
    for (const batch of file.batches) {
      if (batch.odfiIdentification !== options.odfiRouting.slice(0, 8)) return { record: batch.record, field: 'odfiIdentification', rule: 'odfi-is-this-bank', detail: `batch ${batch.batchNumber} names ODFI ${batch.odfiIdentification}` };
      if (!options.companyIds.includes(batch.companyId)) return { record: batch.record, field: 'companyIdentification', rule: 'company-not-enrolled', detail: `company ${batch.companyId} is not enrolled to originate through this ODFI` };
      if (batch.secCode === 'COR') return { record: batch.record, field: 'standardEntryClassCode', rule: 'originator-sec-code', detail: 'an originator does not send notifications of change' };
      for (const e of batch.entries) {
        if (e.amountCents > BigInt(options.maxEntryCents)) return { record: e.record, field: 'amount', rule: 'exposure-limit', detail: `${e.amountCents} cents is above the originator's per-entry limit of ${options.maxEntryCents}` };
      }
    }
    const headerKey = `${file.header.immediateOrigin}:${file.header.creationDate}:${file.header.creationTime}:${file.header.fileIdModifier}`;
    if (acceptedHeaders.has(headerKey)) return { record: 1, field: 'fileIdModifier', rule: 'duplicate-file', detail: `file ${acceptedHeaders.get(headerKey)} already has this origin, creation date, time and file id modifier` };
    return undefined;
  };

  const remember = (stored: StoredFile) => {
    while (files.size >= options.maxFiles) {
      const [oldestId, oldest] = files.entries().next().value as [string, StoredFile];
      oldest.timers.forEach(clearTimeout);
      files.delete(oldestId);
      byKey.delete(oldest.idempotencyKey);
      if (oldest.headerKey) acceptedHeaders.delete(oldest.headerKey);
    }
    files.set(stored.id, stored);
    byKey.set(stored.idempotencyKey, stored.id);
    if (stored.headerKey) acceptedHeaders.set(stored.headerKey, stored.id);
  };

  /** One returns file for these answers, kept for download and announced by webhook. */
  const sendBack = (file: StoredFile, answers: BankAnswer[]) => {
    if (answers.length === 0) return;
    returnSequence += 1;
    const now = new Date();
    const written = writeReturnFile({
      odfiRouting: options.odfiRouting, odfiName: options.odfiName ?? 'SANDBOX ODFI', bankRouting: options.rdfiRouting, bankName: 'SANDBOX RDFI',
      creationDate: now.toISOString().slice(0, 10), creationTime: now.toISOString().slice(11, 16).replace(':', ''), fileIdModifier: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[returnSequence % 36]!, answers,
    });
    if (!written.ok) throw new Error(`return file: ${JSON.stringify(written.issues)}`);
    const returnFile: ReturnFile = { id: randomId('rtf_'), createdAt: now.toISOString(), fileIds: [file.id], text: written.text };
    returnFiles.push(returnFile);
    if (returnFiles.length > options.maxFiles) returnFiles.splice(0, returnFiles.length - options.maxFiles);
    webhooks.send('returns.available', { returnFileId: returnFile.id, fileIds: returnFile.fileIds });
  };

  const settle = (file: StoredFile) => {
    const parsed = file.parsed!;
    const early: BankAnswer[] = [];
    const late: BankAnswer[] = [];
    const settled: string[] = [];
    const each = (fn: (entry: ParsedEntry, batch: ParsedBatch, stored: StoredEntry) => void) => {
      for (const batch of parsed.batches) for (const entry of batch.entries) fn(entry, batch, file.entries.find((s) => s.traceNumber === entry.traceNumber)!);
    };
    each((entry, batch, stored) => {
      const fate = decideFate(entry);
      if (fate.kind === 'return') {
        early.push({ kind: 'return', original: entry, originalBatch: batch, code: fate.code });
        Object.assign(stored, { status: 'returned', returnCode: fate.code });
        return;
      }
      Object.assign(stored, { status: 'settled', settlementDate: batch.effectiveEntryDate });
      settled.push(entry.traceNumber);
      if (fate.kind === 'settle-with-change') {
        early.push({ kind: 'change', original: entry, originalBatch: batch, code: fate.code, correctedData: fate.correctedData });
        stored.changeCode = fate.code;
      }
      if (fate.kind === 'late-return') late.push({ kind: 'return', original: entry, originalBatch: batch, code: fate.code });
    });
    sendBack(file, early);
    if (settled.length > 0) webhooks.send('file.settled', { fileId: file.id, settlementDate: parsed.batches[0]!.effectiveEntryDate, traceNumbers: settled });
    if (late.length > 0) {
      file.timers.push(setTimeout(() => {
        for (const a of late) Object.assign(file.entries.find((s) => s.traceNumber === a.original.traceNumber)!, { status: 'returned', returnCode: a.code });
        sendBack(file, late);
      }, options.lateReturnDelayMs));
    }
  };

  const view = (f: StoredFile) => ({ id: f.id, status: f.status, receivedAt: f.receivedAt, idempotencyKey: f.idempotencyKey, sha256: f.sha256, ...(f.error ? { error: f.error } : {}), entries: f.entries });

  app.get('/health', async () => ({ status: 'ok' }));

  app.post<{ Body: string }>('/v1/files', async (request, reply) => {
    if (!authorised(request)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !KEY.test(key)) return reply.status(400).send(problem(400, 'idempotency-key', 'Idempotency-Key is required: 1 to 64 letters, digits, _ : . -', { field: 'Idempotency-Key' }));
    if (typeof request.body !== 'string' || request.body.length === 0) return reply.status(400).send(problem(400, 'body', 'the body is the NACHA file as text/plain', { field: 'body' }));
    if (faults.before > 0) {
      faults.before -= 1;
      return reply.status(faults.status).send(problem(faults.status, 'sandbox-fault', 'sandbox fault before the file was received'));
    }
    const sha256 = createHash('sha256').update(request.body).digest('hex');
    const known = files.get(byKey.get(key) ?? '');
    if (known) {
      if (known.sha256 !== sha256) return reply.status(409).send(problem(409, 'idempotency-conflict', `Idempotency-Key ${key} was used for another file (${known.id})`, { field: 'Idempotency-Key' }));
      return reply.status(known.status === 'accepted' ? 200 : 422).send(view(known));
    }
    const parsed = parseNachaFile(request.body);
    const error = parsed.ok ? bankRules(parsed.file) : parsed.issue;
    const base = { id: randomId('file_'), idempotencyKey: key, sha256, receivedAt: new Date().toISOString(), timers: [] as NodeJS.Timeout[] };
    if (error || !parsed.ok) {
      const rejected: StoredFile = { ...base, status: 'rejected', error: error!, entries: [] };
      remember(rejected);
      request.log.info({ fileId: rejected.id, error }, 'file rejected');
      return reply.status(422).send(view(rejected));
    }
    const h = parsed.file.header;
    const entries = parsed.file.batches.flatMap((b) => b.entries.map((e): StoredEntry => ({ traceNumber: e.traceNumber, amountCents: e.amountCents.toString(), transactionCode: e.transactionCode, status: 'pending' })));
    const accepted: StoredFile = { ...base, status: 'accepted', parsed: parsed.file, entries, headerKey: `${h.immediateOrigin}:${h.creationDate}:${h.creationTime}:${h.fileIdModifier}` };
    remember(accepted);
    accepted.timers.push(setTimeout(() => settle(accepted), options.settleDelayMs));
    if (faults.after > 0) {
      // The file is in but the acknowledgement is lost: a retry with the same key must find it, not send it twice.
      faults.after -= 1;
      return reply.status(faults.status).send(problem(faults.status, 'sandbox-fault', 'sandbox fault after the file was received'));
    }
    return reply.status(201).send(view(accepted));
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id', async (request, reply) => {
    if (!authorised(request)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    const file = files.get(request.params.id);
    return file ? view(file) : reply.status(404).send(problem(404, 'not-found', `no file ${request.params.id}`));
  });

  app.get('/v1/return-files', async (request, reply) => {
    if (!authorised(request)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    return { returnFiles: returnFiles.map(({ id, createdAt, fileIds }) => ({ id, createdAt, fileIds })) };
  });

  app.get<{ Params: { id: string } }>('/v1/return-files/:id', async (request, reply) => {
    if (!authorised(request)) return reply.status(401).send(problem(401, 'unauthorized', 'a valid Bearer api key is required'));
    const file = returnFiles.find((r) => r.id === request.params.id);
    if (!file) return reply.status(404).send(problem(404, 'not-found', `no return file ${request.params.id}`));
    return reply.type('text/plain').send(file.text);
  });

  // Sandbox-only controls, not part of the protocol: inspect state (5xx faults: registerFaultControl above).
  app.get('/sandbox/state', async () => ({ files: [...files.values()].map(view), returnFiles: returnFiles.map(({ id, createdAt, fileIds }) => ({ id, createdAt, fileIds })), deliveries: webhooks.deliveries() }));

  app.addHook('onClose', async () => {
    webhooks.close();
    for (const f of files.values()) f.timers.forEach(clearTimeout);
  });
  return app;
}
