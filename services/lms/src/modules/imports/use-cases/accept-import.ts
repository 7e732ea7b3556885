import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type pg from 'pg';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { csvError, csvToRecord, readCsvHeader, type CsvColumn } from '../domain/csv-record.js';
import { parseRecord, type RecordError } from '../domain/import-record.js';
import { finishUpload, importById, importByKey, insertImport, insertImportRows, storableJson, type ImportFormat, type LoanImport, type NewImportRow } from '../adapters/imports.repository.js';

export interface AcceptImportDeps {
  readonly pool: pg.Pool;
  readonly newId: () => string;
  /** Records per INSERT while an upload is stored; default 500. */
  readonly chunkRows?: number;
  /** Records an import may have; default 1,000,000. */
  readonly maxRows?: number;
  /** The largest upload (bytes); default 1 GiB. */
  readonly maxBytes?: number;
}

export interface AcceptImportRequest {
  readonly tenantId: string;
  readonly actor: string;
  readonly idempotencyKey: string;
  readonly format: ImportFormat;
  /** The upload as it arrives: read once, chunk by chunk, never held whole. */
  readonly body: Readable;
}

export type AcceptImportOutcome =
  | { readonly ok: true; readonly import: LoanImport; readonly replayed: boolean }
  | { readonly ok: false; readonly error: 'idempotency-key-reused' | 'invalid-file' | 'too-large'; readonly detail: string; readonly recordError?: RecordError };

/** The longest record read (bytes): a runaway line or quoted field cannot take the heap. */
export const MAX_RECORD_BYTES = 1024 * 1024;

class UploadRefused extends Error {
  constructor(readonly outcome: Extract<AcceptImportOutcome, { ok: false }>) { super(outcome.detail); }
}

/**
 * Stores an uploaded book and all its records in ONE transaction (an import exists only complete),
 * one INSERT per chunk while the body is stream-parsed and hashed; nothing is booked here (the runner
 * books in the background, or the CLI in its process). A record whose shape breaks the format, or
 * whose external id an earlier record of the file used, is stored already decided (rejected /
 * duplicate). The import key (Idempotency-Key) is required: the same key and bytes return the first
 * import (`replayed`); other bytes are refused, nothing written. Failures: idempotency-key-reused,
 * invalid-file (CSV header, unclosed quote, too many records), too-large (bytes or one record).
 */
export async function acceptImport(deps: AcceptImportDeps, r: AcceptImportRequest): Promise<AcceptImportOutcome> {
  try {
    return await inTransaction(deps.pool, async (client): Promise<AcceptImportOutcome> => {
      const id = deps.newId();
      const inserted = await insertImport(client, { id, tenantId: r.tenantId, idempotencyKey: r.idempotencyKey, format: r.format, createdBy: r.actor });
      if (!inserted) {
        const prior = (await importByKey(client, r.tenantId, r.idempotencyKey))!;
        const { sha256 } = await drain(r.body, deps.maxBytes);
        if (prior.sha256 === sha256 && prior.format === r.format) return { ok: true, import: prior, replayed: true };
        return { ok: false, error: 'idempotency-key-reused', detail: `the import key was already used for import ${prior.id} with other bytes` };
      }
      const guard = uploadGuard(deps.maxBytes ?? 1024 ** 3, r.format === 'ndjson');
      const stored = await storeRecords(client, deps, id, r, r.body.pipe(guard));
      await finishUpload(client, id, { sha256: guard.sha256(), byteSize: guard.bytes(), ...stored });
      return { ok: true, import: (await importById(client, id))!, replayed: false };
    });
  } catch (error) {
    if (error instanceof UploadRefused) return error.outcome;
    throw error;
  }
}

/** Hashes and counts the bytes going through; refuses more than maxBytes, and (JSON lines) a line longer than MAX_RECORD_BYTES. */
function uploadGuard(maxBytes: number, lines: boolean) {
  const hash = createHash('sha256');
  let bytes = 0;
  let sinceNewline = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      hash.update(chunk);
      if (bytes > maxBytes) return done(new UploadRefused({ ok: false, error: 'too-large', detail: `the upload is larger than ${maxBytes} bytes` }));
      if (lines) {
        const last = chunk.lastIndexOf(0x0a);
        sinceNewline = last === -1 ? sinceNewline + chunk.length : chunk.length - last - 1;
        if (sinceNewline > MAX_RECORD_BYTES) return done(new UploadRefused({ ok: false, error: 'too-large', detail: `a line is longer than ${MAX_RECORD_BYTES} bytes` }));
      }
      done(null, chunk);
    },
  });
  return Object.assign(t, { sha256: () => hash.digest('hex'), bytes: () => bytes });
}

async function drain(body: Readable, maxBytes = 1024 ** 3): Promise<{ sha256: string }> {
  const guard = uploadGuard(maxBytes, false);
  for await (const _chunk of body.pipe(guard)) { /* hashed by the guard */ }
  return { sha256: guard.sha256() };
}

type Stored = { rowsTotal: number; rejected: number; duplicate: number };

async function storeRecords(client: pg.PoolClient, deps: AcceptImportDeps, importId: string, r: AcceptImportRequest, input: Readable): Promise<Stored> {
  const chunkRows = deps.chunkRows ?? 500;
  const maxRows = deps.maxRows ?? 1_000_000;
  const counts: Stored = { rowsTotal: 0, rejected: 0, duplicate: 0 };
  const seen = new Map<string, number>();
  let chunk: NewImportRow[] = [];
  const add = async (row: NewImportRow) => {
    const first = row.externalId !== null && row.status === 'pending' ? seen.get(row.externalId) : undefined;
    const decided: NewImportRow = first !== undefined ? { ...row, status: 'duplicate', duplicateOf: `record:${first}` } : row;
    if (decided.status === 'pending' && decided.externalId !== null) seen.set(decided.externalId, decided.recordNumber);
    counts.rowsTotal += 1;
    if (decided.status === 'rejected') counts.rejected += 1;
    if (decided.status === 'duplicate') counts.duplicate += 1;
    if (counts.rowsTotal > maxRows) throw new UploadRefused({ ok: false, error: 'invalid-file', detail: `at most ${maxRows} records per import`, recordError: { field: 'row', rule: 'too-many-records', detail: `at most ${maxRows} records per import` } });
    chunk.push(decided);
    if (chunk.length >= chunkRows) {
      await insertImportRows(client, importId, r.tenantId, chunk);
      chunk = [];
    }
  };
  for await (const row of r.format === 'ndjson' ? ndjsonRows(input) : csvRows(input)) await add(row);
  await insertImportRows(client, importId, r.tenantId, chunk);
  return counts;
}

const rejected = (recordNumber: number, record: unknown, error: RecordError, externalId: string | null = null): NewImportRow =>
  ({ recordNumber, externalId, record, status: 'rejected', error, duplicateOf: null });

function decide(recordNumber: number, raw: unknown, mapError: (e: RecordError) => RecordError = (e) => e): NewImportRow {
  const ext = typeof (raw as { externalId?: unknown })?.externalId === 'string' ? ((raw as { externalId: string }).externalId.slice(0, 64) || null) : null;
  // A NUL or a lone surrogate cannot be stored (jsonb) or booked as the other system wrote it.
  if (storableJson(raw) !== JSON.stringify(raw)) return rejected(recordNumber, raw, { field: '/', rule: 'invalid-character', detail: 'a text field holds a NUL character or a lone surrogate' }, ext);
  const checked = parseRecord(raw);
  if (!checked.ok) return rejected(recordNumber, raw, mapError(checked.error), ext);
  return { recordNumber, externalId: checked.record.externalId, record: checked.record, status: 'pending', error: null, duplicateOf: null };
}

/** JSON lines: one record per line, blank lines skipped; the record number is the line number. */
async function* ndjsonRows(input: Readable): AsyncGenerator<NewImportRow> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      yield rejected(line, { line: text.slice(0, 200) }, { field: '/', rule: 'malformed-json', detail: (error as Error).message });
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      yield rejected(line, { line: text.slice(0, 200) }, { field: '/', rule: 'invalid-type', detail: 'each line must be a JSON object' });
      continue;
    }
    yield decide(line, raw);
  }
}

/** CSV with a header row (columns in any order); the record number is the line a row ends on. */
async function* csvRows(input: Readable): AsyncGenerator<NewImportRow> {
  const skipped: NewImportRow[] = [];
  let unclosedQuote = false;
  const parser = input.pipe(parse({
    bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true, max_record_size: MAX_RECORD_BYTES,
    on_skip: (err: CsvError | undefined) => {
      if (err?.code === 'CSV_QUOTE_NOT_CLOSED') unclosedQuote = true;
      skipped.push(rejected(Number(err?.['lines'] ?? 0), {}, { field: 'row', rule: 'csv-syntax', detail: err?.message ?? 'not valid CSV' }));
      return undefined;
    },
  }));
  let positions: ReadonlyMap<CsvColumn, number> | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    if (!positions) {
      const header = readCsvHeader(record);
      if (!header.ok) throw new UploadRefused({ ok: false, error: 'invalid-file', detail: header.error.detail, recordError: header.error });
      positions = header.positions;
      continue;
    }
    const mapped = csvToRecord(record, positions);
    yield mapped.ok ? decide(info.lines, mapped.record, csvError) : rejected(info.lines, { cells: record.slice(0, 32) }, mapped.error, (record[positions.get('external_id')!] ?? '').trim().slice(0, 64) || null);
  }
  yield* skipped.splice(0);
  if (unclosedQuote) throw new UploadRefused({ ok: false, error: 'invalid-file', detail: 'a quoted field is never closed, so the rows after it cannot be read', recordError: { field: 'row', rule: 'quote-not-closed', detail: 'a quoted field is never closed' } });
  if (!positions) throw new UploadRefused({ ok: false, error: 'invalid-file', detail: 'the file is empty: a header line is required', recordError: { field: 'header', rule: 'header-required', detail: 'a header line is required' } });
}
