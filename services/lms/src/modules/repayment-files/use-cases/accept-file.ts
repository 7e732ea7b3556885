import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type pg from 'pg';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { checkRow, duplicateKey, readHeader, type Column, type RowError } from '../domain/repayment-row.js';
import { fileByKey, fileBySha, insertFile, insertRows, setRowsTotal, type NewRow, type RepaymentFile } from '../adapters/repayment-files.repository.js';

export interface AcceptDeps {
  readonly pool: pg.Pool;
  readonly newId: () => string;
  /** Rows per INSERT while a file is stored; default 500. */
  readonly chunkRows?: number;
  /** Rows a file may have; default 100,000. */
  readonly maxRows?: number;
}

export interface AcceptRequest {
  readonly tenantId: string;
  readonly actor: string;
  readonly body: Buffer;
  readonly idempotencyKey?: string;
}

export type AcceptOutcome =
  | { readonly ok: true; readonly file: RepaymentFile | { id: string }; readonly replayed: boolean }
  | { readonly ok: false; readonly error: 'idempotency-key-reused' | 'duplicate-file' | 'invalid-file'; readonly detail: string; readonly rowError?: RowError; readonly earlier?: RepaymentFile };

/** The longest record csv-parse buffers (bytes): a runaway quoted field cannot take the heap. */
const MAX_RECORD_BYTES = 64 * 1024;

/**
 * Stores an uploaded repayment file and all its rows in ONE transaction (so a file exists only
 * complete), one INSERT per chunk of rows while the CSV is stream-parsed; nothing is posted here (the
 * runner does it in the background). Rows that fail the syntactic checks (column count, CSV syntax,
 * each field's form) or repeat an earlier row's loan, channel and reference are stored already
 * decided. Failures, nothing written: idempotency-key-reused (the key with other bytes),
 * duplicate-file (the same bytes were accepted before under another or no key; `earlier`),
 * invalid-file (no header, a header that does not name the seven columns, an unclosed
 * quote, too many rows).
 * The same key with the same bytes returns the first file (`replayed`).
 */
export async function acceptRepaymentFile(deps: AcceptDeps, request: AcceptRequest): Promise<AcceptOutcome> {
  const sha256 = createHash('sha256').update(request.body).digest('hex');
  return inTransaction(deps.pool, async (client): Promise<AcceptOutcome> => {
    if (request.idempotencyKey) {
      const prior = await fileByKey(client, request.tenantId, request.idempotencyKey);
      if (prior && prior.sha256 === sha256) return { ok: true, file: prior, replayed: true };
      if (prior) return { ok: false, error: 'idempotency-key-reused', detail: `Idempotency-Key already used for file ${prior.id} with other bytes` };
    }
    const earlier = await fileBySha(client, request.tenantId, sha256);
    if (earlier) return { ok: false, error: 'duplicate-file', detail: `the same file (SHA-256 ${sha256}) was uploaded as ${earlier.id}`, earlier };
    const id = deps.newId();
    await insertFile(client, { id, tenantId: request.tenantId, sha256, byteSize: request.body.length, idempotencyKey: request.idempotencyKey ?? null, uploadedBy: request.actor });
    const stored = await storeRows(client, deps, id, request);
    if (!stored.ok) return stored;
    await setRowsTotal(client, id, stored.rows);
    return { ok: true, file: { id }, replayed: false };
  });
}

/** Parses the CSV in a stream and inserts its rows chunk by chunk; the count, or why the file is refused. */
async function storeRows(client: pg.PoolClient, deps: AcceptDeps, fileId: string, request: AcceptRequest): Promise<{ ok: true; rows: number } | Extract<AcceptOutcome, { ok: false }>> {
  const chunkRows = deps.chunkRows ?? 500;
  const maxRows = deps.maxRows ?? 100_000;
  const skipped: NewRow[] = [];
  let unclosedQuote = false;
  const parser = Readable.from([request.body]).pipe(parse({
    // relax_quotes keeps a stray quote inside its field (the field's own check then fails the row).
    bom: true, info: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true, max_record_size: MAX_RECORD_BYTES,
    on_skip: (err: CsvError | undefined) => {
      const line = Number(err?.['lines'] ?? 0);
      // An unclosed quote swallows every line after it: no row can be delimited, so the file is refused.
      if (err?.code === 'CSV_QUOTE_NOT_CLOSED') unclosedQuote = true;
      skipped.push({ rowNumber: line, loanId: null, fields: {}, status: 'failed', error: { field: 'row', rule: 'csv-syntax', detail: err?.message ?? 'not valid CSV' }, duplicateOf: null });
      return undefined;
    },
  }));
  let positions: Record<Column, number> | undefined;
  const seen = new Map<string, number>();
  let chunk: NewRow[] = [];
  let total = 0;
  const flush = async () => {
    chunk.push(...skipped.splice(0));
    total += chunk.length;
    if (total > maxRows) return false;
    await insertRows(client, fileId, request.tenantId, chunk);
    chunk = [];
    return true;
  };
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!positions) {
      const header = readHeader(record);
      if (!header.ok) return { ok: false, error: 'invalid-file', detail: header.error.detail, rowError: header.error };
      positions = header.positions;
      continue;
    }
    chunk.push(toRow(record, positions, info.lines, seen));
    if (chunk.length >= chunkRows && !(await flush())) break;
  }
  if (!positions) return { ok: false, error: 'invalid-file', detail: 'the file is empty: a header line is required', rowError: { field: 'header', rule: 'header-required', detail: 'a header line is required' } };
  if (unclosedQuote) return { ok: false, error: 'invalid-file', detail: 'a quoted field is never closed, so the rows after it cannot be read', rowError: { field: 'row', rule: 'quote-not-closed', detail: 'a quoted field is never closed' } };
  if (total <= maxRows) await flush();
  if (total > maxRows) return { ok: false, error: 'invalid-file', detail: `at most ${maxRows} rows per file`, rowError: { field: 'row', rule: 'too-many-rows', detail: `at most ${maxRows} rows per file` } };
  return { ok: true, rows: total };
}

function toRow(record: string[], positions: Record<Column, number>, line: number, seen: Map<string, number>): NewRow {
  const checked = checkRow(record, positions);
  const loanId = checked.fields.loan_id || null;
  if (!checked.ok) return { rowNumber: line, loanId, fields: checked.fields, status: 'failed', error: checked.error, duplicateOf: null };
  const key = duplicateKey(checked.fields);
  const first = seen.get(key);
  if (first !== undefined) return { rowNumber: line, loanId, fields: checked.fields, status: 'duplicate', error: null, duplicateOf: `row:${first}` };
  seen.set(key, line);
  return { rowNumber: line, loanId, fields: checked.fields, status: 'pending', error: null, duplicateOf: null };
}
