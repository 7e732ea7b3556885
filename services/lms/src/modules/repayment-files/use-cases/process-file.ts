import { eachLimited } from '@lendstack/platform';
import { requestHash } from '../../servicing/domain/servicing.js';
import { applyMoneyEvent, type ServicingDeps } from '../../servicing/use-cases/apply-money-event.js';
import { columnOf, type RowFields } from '../domain/repayment-row.js';
import { countAttempt, fileById, markRow, pendingRows, repaymentWithReference, setFileStatus, transactionIdByKey, type RepaymentFile, type StoredRow } from '../adapters/repayment-files.repository.js';

export interface ProcessOptions {
  /** Pending rows read per pass (file order); default 200. */
  readonly chunkRows?: number;
  /** Loans posted at once within a chunk (each loan's rows stay in file order); default 8. */
  readonly loanConcurrency?: number;
  /** An exception on a row more than this many times fails the row (`internal-error`); default 3. */
  readonly maxAttempts?: number;
  /** Tests: throw after posting this many rows and BEFORE marking the last one, as a killed process would. */
  readonly abortAfterRows?: number;
}

export class FileProcessingAborted extends Error {}

/** The deterministic Idempotency-Key of a row's repayment: posting a row twice returns the first transaction. */
export const rowIdempotencyKey = (fileId: string, rowNumber: number) => `repayment-file:${fileId}:${rowNumber}`;

/**
 * Posts (or resumes posting) a file's pending rows, in chunks in file order. Each row goes through
 * applyMoneyEvent, the use case of POST /v1/loans/{id}/repayments, under the key
 * rowIdempotencyKey(file, row) and the same request hash that route computes, so a process killed
 * between posting a row and marking it finds the row's transaction on the next pass and marks it
 * posted, never posting it twice. A refusal fails the row naming its column and rule; one row never
 * blocks the others. Within a chunk the rows of one loan run in file order, loans concurrently.
 */
export async function processRepaymentFile(deps: ServicingDeps, fileId: string, options: ProcessOptions = {}): Promise<RepaymentFile | undefined> {
  const file = await fileById(deps.pool, fileId);
  if (!file || file.status === 'completed') return file;
  await setFileStatus(deps.pool, fileId, 'processing');
  const budget = { posted: 0, stopped: false };
  for (;;) {
    const rows = await pendingRows(deps.pool, fileId, options.chunkRows ?? 200);
    if (rows.length === 0) break;
    const byLoan = new Map<string, StoredRow[]>();
    for (const r of rows) byLoan.set(r.loanId ?? '', [...(byLoan.get(r.loanId ?? '') ?? []), r]);
    await eachLimited([...byLoan.values()], options.loanConcurrency ?? 8, async (loanRows) => {
      for (const row of loanRows) await processRow(deps, file, row, options, budget);
    });
  }
  await setFileStatus(deps.pool, fileId, 'completed');
  return fileById(deps.pool, fileId);
}

async function processRow(deps: ServicingDeps, file: RepaymentFile, row: StoredRow, options: ProcessOptions, budget: { posted: number; stopped: boolean }): Promise<void> {
  if (budget.stopped) throw new FileProcessingAborted('stopped: another row of this pass failed');
  try {
    const outcome = await postRow(deps, file, row);
    if (options.abortAfterRows !== undefined && ++budget.posted >= options.abortAfterRows) {
      budget.stopped = true;
      throw new FileProcessingAborted(`aborted after ${budget.posted} rows`);
    }
    await markRow(deps.pool, file.id, row.rowNumber, outcome);
  } catch (error) {
    if (error instanceof FileProcessingAborted) throw error;
    // An exception is a bug or the infrastructure: retried on the next pass, failed after maxAttempts.
    const attempts = await countAttempt(deps.pool, file.id, row.rowNumber);
    if (attempts < (options.maxAttempts ?? 3)) {
      budget.stopped = true;
      throw error;
    }
    await markRow(deps.pool, file.id, row.rowNumber, { status: 'failed', error: { field: 'row', rule: 'internal-error', detail: `could not be posted after ${attempts} attempts` } });
  }
}

type RowOutcome = Parameters<typeof markRow>[3];

async function postRow(deps: ServicingDeps, file: RepaymentFile, row: StoredRow): Promise<RowOutcome> {
  const f = row.fields as RowFields;
  const key = rowIdempotencyKey(file.id, row.rowNumber);
  const body = { amount: { amount: f.amount, currency: f.currency, scale: Number(f.scale) }, valueDate: f.value_date, channel: f.channel, reference: f.reference };
  const request = {
    tenantId: file.tenantId, loanId: f.loan_id, actor: file.uploadedBy, idempotencyKey: key, correlationId: `repayment-file:${file.id}`,
    command: { kind: 'repayment' as const, ...body }, requestHash: requestHash(['repayment', f.loan_id, body]),
  };
  // A row this file already posted (a pass killed before marking it) is its own transaction, not a duplicate.
  const own = await transactionIdByKey(deps.pool, file.tenantId, key);
  if (own) return { status: 'posted', transactionId: own };
  const earlier = await repaymentWithReference(deps.pool, file.tenantId, f.loan_id, f.channel, f.reference);
  if (earlier) return { status: 'duplicate', duplicateOf: `transaction:${earlier}` };
  const result = await applyMoneyEvent(deps, request);
  if (result.ok) return { status: 'posted', transactionId: result.value.id };
  return { status: 'failed', error: { field: columnOf(result.error.pointer), rule: result.error.code, detail: result.error.detail } };
}
