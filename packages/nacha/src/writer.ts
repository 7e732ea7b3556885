import { alpha, BLOCKING_FACTOR, isIsoDate, isPrintable, isRoutingNumber, numeric, RECORD_LENGTH, yymmdd, type NachaIssue } from './fields.js';

/**
 * Writes an originated NACHA file (Nacha Operating Rules, Appendix One record formats; the layout moov-io/ach
 * reads): file header (1), per batch a batch header (5), entry details (6) and a batch control (8), the file
 * control (9), then records of all nines to fill the last block of 10. Pure: the creation time, the file id
 * modifier and the trace sequences come in as arguments, so the same input always gives the same bytes.
 */

/** 22/32 credit checking/savings, 27/37 debit, 23/33 and 28/38 the zero-dollar prenotes of each. */
export type OriginationTransactionCode = 22 | 23 | 27 | 28 | 32 | 33 | 37 | 38;
export const CREDIT_CODES: ReadonlySet<number> = new Set([21, 22, 23, 24, 31, 32, 33, 34, 41, 42, 43, 44, 51, 52, 53, 54]);
const PRENOTE_CODES: ReadonlySet<number> = new Set([23, 28, 33, 38]);

export interface NachaEntryInput {
  readonly transactionCode: OriginationTransactionCode;
  /** The receiver's bank: 9-digit ABA routing number, check digit included. */
  readonly rdfiRouting: string;
  /** DFI account number, at most 17 characters. */
  readonly accountNumber: string;
  /** Cents, at most 99,999,999.99 dollars (10 digits); 0 only for a prenote. */
  readonly amountCents: bigint;
  /** Individual identification number (15), e.g. the loan's short id. */
  readonly individualId: string;
  /** Receiver's name (22). */
  readonly individualName: string;
  readonly discretionaryData?: string;
  /** Trace sequence (7 digits) after the ODFI's 8 digits; strictly ascending within a batch. */
  readonly traceSequence: number;
}

export interface NachaBatchInput {
  /** The originator's name on the receiver's statement (16). */
  readonly companyName: string;
  readonly companyDiscretionaryData?: string;
  /** Company identification (10), commonly "1" + the EIN. */
  readonly companyId: string;
  readonly secCode: 'PPD' | 'CCD' | 'WEB';
  /** Company entry description (10) shown to the receiver, e.g. LOAN or RETRY PYMT. */
  readonly entryDescription: string;
  readonly descriptiveDate?: string;
  /** Effective entry date (YYYY-MM-DD): the banking day the originator intends the entries to settle. */
  readonly effectiveEntryDate: string;
  /** Originating DFI identification: the first 8 digits of the ODFI's routing number. */
  readonly odfiIdentification: string;
  readonly batchNumber: number;
  readonly entries: readonly NachaEntryInput[];
}

export interface NachaFileInput {
  /** 9-digit routing number of the receiving point (the ODFI's ACH operator or the ODFI itself). */
  readonly immediateDestination: string;
  readonly immediateDestinationName: string;
  /** 9-digit routing number of the sender, the ODFI here (the trace numbers' prefix must match it). */
  readonly immediateOrigin: string;
  readonly immediateOriginName: string;
  /** YYYY-MM-DD and HHMM, in the sender's time zone. */
  readonly creationDate: string;
  readonly creationTime: string;
  /** A–Z or 0–9: tells apart files of one origin created on the same date. */
  readonly fileIdModifier: string;
  readonly referenceCode?: string;
  readonly batches: readonly NachaBatchInput[];
}

export interface WrittenEntry {
  readonly batchNumber: number;
  readonly traceNumber: string;
  /** 1-based record number of the entry detail in the file. */
  readonly record: number;
}

export interface WrittenFile {
  readonly text: string;
  readonly entries: readonly WrittenEntry[];
  readonly entryHash: string;
  readonly totalDebitCents: bigint;
  readonly totalCreditCents: bigint;
  readonly blockCount: number;
}

export type WriteResult = { readonly ok: true; readonly file: WrittenFile } | { readonly ok: false; readonly issues: readonly NachaIssue[] };

const MAX_AMOUNT_CENTS = 9_999_999_999n;
const MAX_ENTRIES_PER_BATCH = 9_999;

function checkEntry(entry: NachaEntryInput, path: string, issues: NachaIssue[]): void {
  const issue = (field: string, rule: string, detail: string) => issues.push({ field: `${path}.${field}`, rule, detail });
  if (!isRoutingNumber(entry.rdfiRouting)) issue('rdfiRouting', 'routing-check-digit', `${entry.rdfiRouting} is not a 9-digit ABA routing number with a valid check digit`);
  if (!/^[A-Za-z0-9 -]{1,17}$/.test(entry.accountNumber) || !entry.accountNumber.trim()) issue('accountNumber', 'dfi-account', 'must be 1 to 17 letters, digits, hyphens or spaces');
  const prenote = PRENOTE_CODES.has(entry.transactionCode);
  if (entry.amountCents < 0n || entry.amountCents > MAX_AMOUNT_CENTS) issue('amountCents', 'amount-range', 'must be 0 to 9999999999 cents');
  else if (prenote !== (entry.amountCents === 0n)) issue('amountCents', prenote ? 'prenote-zero' : 'amount-positive', prenote ? 'a prenote carries no amount' : 'a live entry must move at least one cent');
  if (!isPrintable(entry.individualId) || entry.individualId.length > 15) issue('individualId', 'alphanumeric', 'at most 15 printable characters');
  if (!entry.individualName.trim() || !isPrintable(alpha(entry.individualName, 22))) issue('individualName', 'required', 'the receiver is named');
  if (!Number.isInteger(entry.traceSequence) || entry.traceSequence < 1 || entry.traceSequence > 9_999_999) issue('traceSequence', 'trace-sequence', 'must be 1 to 9999999');
}

function checkBatch(batch: NachaBatchInput, path: string, issues: NachaIssue[]): void {
  const issue = (field: string, rule: string, detail: string) => issues.push({ field: `${path}.${field}`, rule, detail });
  if (!batch.companyName.trim()) issue('companyName', 'required', 'the originator is named');
  if (!/^[A-Za-z0-9 ]{1,10}$/.test(batch.companyId) || !batch.companyId.trim()) issue('companyId', 'company-id', 'must be 1 to 10 letters or digits');
  if (!batch.entryDescription.trim() || batch.entryDescription.length > 10) issue('entryDescription', 'required', '1 to 10 characters');
  if (!isIsoDate(batch.effectiveEntryDate)) issue('effectiveEntryDate', 'date', 'must be a YYYY-MM-DD date');
  if (!/^\d{8}$/.test(batch.odfiIdentification)) issue('odfiIdentification', 'odfi', 'the first 8 digits of the ODFI routing number');
  if (!Number.isInteger(batch.batchNumber) || batch.batchNumber < 1 || batch.batchNumber > 9_999_999) issue('batchNumber', 'batch-number', 'must be 1 to 9999999');
  if (batch.entries.length === 0 || batch.entries.length > MAX_ENTRIES_PER_BATCH) issue('entries', 'entry-count', `a batch holds 1 to ${MAX_ENTRIES_PER_BATCH} entries`);
  batch.entries.forEach((e, i) => {
    checkEntry(e, `${path}.entries[${i}]`, issues);
    const before = batch.entries[i - 1];
    if (before && e.traceSequence <= before.traceSequence) issues.push({ field: `${path}.entries[${i}].traceSequence`, rule: 'trace-ascending', detail: 'trace numbers ascend within a batch' });
  });
}

function checkFile(input: NachaFileInput): NachaIssue[] {
  const issues: NachaIssue[] = [];
  const issue = (field: string, rule: string, detail: string) => issues.push({ field, rule, detail });
  if (!isRoutingNumber(input.immediateDestination)) issue('immediateDestination', 'routing-check-digit', `${input.immediateDestination} is not a routing number with a valid check digit`);
  if (!isRoutingNumber(input.immediateOrigin)) issue('immediateOrigin', 'routing-check-digit', `${input.immediateOrigin} is not a routing number with a valid check digit`);
  if (!isIsoDate(input.creationDate)) issue('creationDate', 'date', 'must be a YYYY-MM-DD date');
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(input.creationTime)) issue('creationTime', 'time', 'must be HHMM');
  if (!/^[A-Z0-9]$/.test(input.fileIdModifier)) issue('fileIdModifier', 'file-id-modifier', 'one of A–Z or 0–9');
  if (input.batches.length === 0) issue('batches', 'batch-count', 'a file holds at least one batch');
  input.batches.forEach((b, i) => {
    checkBatch(b, `batches[${i}]`, issues);
    if (b.odfiIdentification !== input.immediateOrigin.slice(0, 8)) issue(`batches[${i}].odfiIdentification`, 'odfi-matches-origin', 'the ODFI identification is the immediate origin\'s first 8 digits');
    const before = input.batches[i - 1];
    if (before && b.batchNumber <= before.batchNumber) issue(`batches[${i}].batchNumber`, 'batch-ascending', 'batch numbers ascend within a file');
  });
  return issues;
}

/** Sum of the 8-digit RDFI routing numbers, its rightmost 10 digits. */
export const entryHashOf = (routings8: readonly string[]): string => (routings8.reduce((sum, r) => sum + BigInt(r), 0n) % 10_000_000_000n).toString().padStart(10, '0');

export function writeNachaFile(input: NachaFileInput): WriteResult {
  const issues = checkFile(input);
  if (issues.length > 0) return { ok: false, issues };
  const lines: string[] = [];
  const entries: WrittenEntry[] = [];
  lines.push(
    '1' + '01' + ` ${input.immediateDestination}` + ` ${input.immediateOrigin}` + yymmdd(input.creationDate) + input.creationTime + input.fileIdModifier +
      '094' + numeric(BLOCKING_FACTOR, 2) + '1' + alpha(input.immediateDestinationName, 23) + alpha(input.immediateOriginName, 23) + alpha(input.referenceCode ?? '', 8),
  );
  let fileEntries = 0;
  let fileHash = 0n;
  let fileDebit = 0n;
  let fileCredit = 0n;
  for (const batch of input.batches) {
    const credits = batch.entries.filter((e) => CREDIT_CODES.has(e.transactionCode)).length;
    const serviceClass = credits === batch.entries.length ? '220' : credits === 0 ? '225' : '200';
    lines.push(
      '5' + serviceClass + alpha(batch.companyName, 16) + alpha(batch.companyDiscretionaryData ?? '', 20) + alpha(batch.companyId, 10) + batch.secCode +
        alpha(batch.entryDescription, 10) + alpha(batch.descriptiveDate ?? '', 6) + yymmdd(batch.effectiveEntryDate) + '   ' + '1' + batch.odfiIdentification + numeric(batch.batchNumber, 7),
    );
    let debit = 0n;
    let credit = 0n;
    for (const e of batch.entries) {
      const traceNumber = batch.odfiIdentification + numeric(e.traceSequence, 7);
      lines.push(
        '6' + String(e.transactionCode) + e.rdfiRouting + alpha(e.accountNumber, 17) + numeric(e.amountCents, 10) + alpha(e.individualId, 15) + alpha(e.individualName, 22) +
          alpha(e.discretionaryData ?? '', 2) + '0' + traceNumber,
      );
      entries.push({ batchNumber: batch.batchNumber, traceNumber, record: lines.length });
      if (CREDIT_CODES.has(e.transactionCode)) credit += e.amountCents;
      else debit += e.amountCents;
    }
    const hash = entryHashOf(batch.entries.map((e) => e.rdfiRouting.slice(0, 8)));
    lines.push(
      '8' + serviceClass + numeric(batch.entries.length, 6) + hash + numeric(debit, 12) + numeric(credit, 12) + alpha(batch.companyId, 10) + ' '.repeat(19) + ' '.repeat(6) +
        batch.odfiIdentification + numeric(batch.batchNumber, 7),
    );
    fileEntries += batch.entries.length;
    fileHash += BigInt(hash);
    fileDebit += debit;
    fileCredit += credit;
  }
  const blockCount = Math.ceil((lines.length + 1) / BLOCKING_FACTOR);
  const entryHash = (fileHash % 10_000_000_000n).toString().padStart(10, '0');
  lines.push('9' + numeric(input.batches.length, 6) + numeric(blockCount, 6) + numeric(fileEntries, 8) + entryHash + numeric(fileDebit, 12) + numeric(fileCredit, 12) + ' '.repeat(39));
  while (lines.length % BLOCKING_FACTOR !== 0) lines.push('9'.repeat(RECORD_LENGTH));
  for (const [i, line] of lines.entries()) if (line.length !== RECORD_LENGTH) throw new Error(`record ${i + 1} is ${line.length} characters, not ${RECORD_LENGTH}`);
  return { ok: true, file: { text: `${lines.join('\n')}\n`, entries, entryHash, totalDebitCents: fileDebit, totalCreditCents: fileCredit, blockCount } };
}
