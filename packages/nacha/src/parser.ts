import { BLOCKING_FACTOR, isoFromYymmdd, isRoutingNumber, isYymmdd, RECORD_LENGTH, type NachaIssue } from './fields.js';
import { CREDIT_CODES, entryHashOf } from './writer.js';

/**
 * Reads and validates a whole NACHA file: record lengths, record order (1, then batches of 5 / 6 [7…] / 8,
 * then 9 and the all-nines filler), numeric fields, routing check digits, trace numbers (the batch's ODFI
 * prefix, ascending), every batch and file control total, and blocking. The first problem found is the answer,
 * with its 1-based record number, the field and the rule, so a bank can reject a file saying exactly where.
 */

export interface ParsedFileHeader {
  readonly immediateDestination: string;
  readonly immediateOrigin: string;
  readonly creationDate: string;
  readonly creationTime: string;
  readonly fileIdModifier: string;
  readonly immediateDestinationName: string;
  readonly immediateOriginName: string;
  readonly referenceCode: string;
}

export type ParsedAddenda =
  | { readonly typeCode: '05'; readonly paymentInfo: string; readonly sequence: number }
  | { readonly typeCode: '99'; readonly returnCode: string; readonly originalTraceNumber: string; readonly dateOfDeath: string; readonly originalRdfi: string; readonly info: string; readonly traceNumber: string }
  | { readonly typeCode: '98'; readonly changeCode: string; readonly originalTraceNumber: string; readonly originalRdfi: string; readonly correctedData: string; readonly traceNumber: string };

export interface ParsedEntry {
  readonly record: number;
  readonly transactionCode: number;
  readonly rdfiRouting: string;
  readonly accountNumber: string;
  readonly amountCents: bigint;
  readonly individualId: string;
  readonly individualName: string;
  readonly discretionaryData: string;
  readonly traceNumber: string;
  readonly addenda: ParsedAddenda[];
}

export interface ParsedBatch {
  readonly record: number;
  readonly serviceClassCode: string;
  readonly companyName: string;
  readonly companyDiscretionaryData: string;
  readonly companyId: string;
  readonly secCode: string;
  readonly entryDescription: string;
  readonly effectiveEntryDate: string;
  readonly odfiIdentification: string;
  readonly batchNumber: number;
  readonly entries: ParsedEntry[];
}

export interface ParsedFile {
  readonly header: ParsedFileHeader;
  readonly batches: ParsedBatch[];
  readonly totalDebitCents: bigint;
  readonly totalCreditCents: bigint;
  readonly entryAddendaCount: number;
}

export type ParseResult = { readonly ok: true; readonly file: ParsedFile } | { readonly ok: false; readonly issue: NachaIssue };

const SERVICE_CLASSES = new Set(['200', '220', '225']);
const SEC_CODES = new Set(['PPD', 'CCD', 'WEB', 'TEL', 'CTX', 'COR']);
const TRANSACTION_CODES = new Set([21, 22, 23, 24, 26, 27, 28, 29, 31, 32, 33, 34, 36, 37, 38, 39]);
const NINES = '9'.repeat(RECORD_LENGTH);

class Refusal extends Error {
  constructor(readonly issue: NachaIssue) {
    super(issue.detail);
  }
}

/**
 * The file's records: one a line (LF or CRLF, a final line break optional), or, as some banks send them,
 * 94-character records with no line breaks at all.
 */
export function splitRecords(text: string): string[] {
  const body = text.replace(/\r\n/g, '\n').replace(/\n$/, '');
  if (!body.includes('\n') && body.length > RECORD_LENGTH && body.length % RECORD_LENGTH === 0) {
    return Array.from({ length: body.length / RECORD_LENGTH }, (_, i) => body.slice(i * RECORD_LENGTH, (i + 1) * RECORD_LENGTH));
  }
  return body.split('\n');
}

export function parseNachaFile(text: string): ParseResult {
  try {
    return { ok: true, file: parse(text) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, issue: error.issue };
    throw error;
  }
}

function parse(text: string): ParsedFile {
  const lines = splitRecords(text);
  let n = 0;
  const refuse = (field: string, rule: string, detail: string, record = n): never => {
    throw new Refusal({ record, field, rule, detail });
  };
  const at = (line: string, from: number, to: number) => line.slice(from - 1, to);
  const num = (line: string, from: number, to: number, field: string): string => {
    const v = at(line, from, to);
    if (!/^\d+$/.test(v)) refuse(field, 'numeric', `positions ${from}-${to} must be digits, got "${v}"`);
    return v;
  };
  const routing = (value: string, field: string) => {
    if (!isRoutingNumber(value)) refuse(field, 'routing-check-digit', `${value} is not a routing number with a valid check digit`);
  };
  const date = (line: string, from: number, field: string): string => {
    const v = num(line, from, from + 5, field);
    if (!isYymmdd(v)) refuse(field, 'date', `${v} is not a YYMMDD date`);
    return isoFromYymmdd(v);
  };

  for (const [i, line] of lines.entries()) if (line.length !== RECORD_LENGTH) refuse('record', 'record-length', `record is ${line.length} characters, not ${RECORD_LENGTH}`, i + 1);
  if (lines.length === 0 || lines.length % BLOCKING_FACTOR !== 0) refuse('file', 'blocking', `${lines.length} records is not a multiple of ${BLOCKING_FACTOR}`, lines.length);

  const first = lines[0]!;
  n = 1;
  if (first[0] !== '1') refuse('recordType', 'file-header-first', 'a file starts with its file header (1)');
  if (at(first, 2, 3) !== '01') refuse('priorityCode', 'priority-code', 'must be 01');
  if (at(first, 4, 4) !== ' ') refuse('immediateDestination', 'blank-then-routing', 'a blank, then the 9-digit routing number');
  routing(at(first, 5, 13), 'immediateDestination');
  const origin = at(first, 14, 23).trim();
  if (!/^\d{9,10}$/.test(origin)) refuse('immediateOrigin', 'numeric', 'a routing number or a 10-digit company identifier');
  if (origin.length === 9) routing(origin, 'immediateOrigin');
  const creationDate = date(first, 24, 'fileCreationDate');
  const creationTime = num(first, 30, 33, 'fileCreationTime');
  if (!/^[A-Z0-9]$/.test(at(first, 34, 34))) refuse('fileIdModifier', 'file-id-modifier', 'one of A–Z or 0–9');
  if (at(first, 35, 37) !== '094') refuse('recordSize', 'record-size', 'must be 094');
  if (at(first, 38, 39) !== '10') refuse('blockingFactor', 'blocking-factor', 'must be 10');
  if (at(first, 40, 40) !== '1') refuse('formatCode', 'format-code', 'must be 1');
  const header: ParsedFileHeader = {
    immediateDestination: at(first, 5, 13), immediateOrigin: origin, creationDate, creationTime, fileIdModifier: at(first, 34, 34),
    immediateDestinationName: at(first, 41, 63).trim(), immediateOriginName: at(first, 64, 86).trim(), referenceCode: at(first, 87, 94).trim(),
  };

  const batches: ParsedBatch[] = [];
  let fileCount = 0;
  let fileHash = 0n;
  let fileDebit = 0n;
  let fileCredit = 0n;
  for (n = 2; n <= lines.length; n += 1) {
    const line = lines[n - 1]!;
    if (line[0] === '9') break;
    if (line[0] !== '5') refuse('recordType', 'batch-header-expected', `expected a batch header (5) or the file control (9), got record type ${line[0]}`);
    const serviceClassCode = at(line, 2, 4);
    if (!SERVICE_CLASSES.has(serviceClassCode)) refuse('serviceClassCode', 'service-class', `${serviceClassCode} is not 200, 220 or 225`);
    const secCode = at(line, 51, 53);
    if (!SEC_CODES.has(secCode)) refuse('standardEntryClassCode', 'sec-code', `${secCode} is not a SEC code this reader knows`);
    if (!at(line, 41, 50).trim()) refuse('companyIdentification', 'required', 'the company identification is blank');
    const odfi = num(line, 80, 87, 'odfiIdentification');
    const batch: ParsedBatch = {
      record: n, serviceClassCode, companyName: at(line, 5, 20).trim(), companyDiscretionaryData: at(line, 21, 40).trim(), companyId: at(line, 41, 50).trim(), secCode,
      entryDescription: at(line, 54, 63).trim(), effectiveEntryDate: date(line, 70, 'effectiveEntryDate'), odfiIdentification: odfi, batchNumber: Number(num(line, 88, 94, 'batchNumber')), entries: [],
    };
    const previous = batches.at(-1);
    if (previous && batch.batchNumber <= previous.batchNumber) refuse('batchNumber', 'batch-ascending', 'batch numbers ascend within a file');
    let count = 0;
    let debit = 0n;
    let credit = 0n;
    for (n += 1; n <= lines.length && lines[n - 1]![0] !== '8'; n += 1) {
      const e = lines[n - 1]!;
      if (e[0] !== '6') refuse('recordType', 'entry-expected', `expected an entry detail (6) or the batch control (8), got record type ${e[0]}`);
      const transactionCode = Number(num(e, 2, 3, 'transactionCode'));
      if (!TRANSACTION_CODES.has(transactionCode)) refuse('transactionCode', 'transaction-code', `${transactionCode} is not a demand or savings transaction code`);
      routing(at(e, 4, 12), 'rdfiRouting');
      if (!at(e, 13, 29).trim()) refuse('dfiAccountNumber', 'required', 'the DFI account number is blank');
      const amountCents = BigInt(num(e, 30, 39, 'amount'));
      const traceNumber = num(e, 80, 94, 'traceNumber');
      if (traceNumber.slice(0, 8) !== odfi) refuse('traceNumber', 'trace-odfi', `trace number ${traceNumber} does not start with the batch's ODFI identification ${odfi}`);
      const last = batch.entries.at(-1);
      if (last && traceNumber <= last.traceNumber) refuse('traceNumber', 'trace-ascending', 'trace numbers ascend within a batch');
      const indicator = at(e, 79, 79);
      if (indicator !== '0' && indicator !== '1') refuse('addendaRecordIndicator', 'addenda-indicator', 'must be 0 or 1');
      if (serviceClassCode === '220' && !CREDIT_CODES.has(transactionCode)) refuse('transactionCode', 'credits-only', `a 220 batch holds credits only, ${transactionCode} is a debit`);
      if (serviceClassCode === '225' && CREDIT_CODES.has(transactionCode)) refuse('transactionCode', 'debits-only', `a 225 batch holds debits only, ${transactionCode} is a credit`);
      const entry: ParsedEntry = {
        record: n, transactionCode, rdfiRouting: at(e, 4, 12), accountNumber: at(e, 13, 29).trim(), amountCents, individualId: at(e, 40, 54).trim(), individualName: at(e, 55, 76).trim(),
        discretionaryData: at(e, 77, 78).trim(), traceNumber, addenda: [],
      };
      count += 1;
      if (CREDIT_CODES.has(transactionCode)) credit += amountCents;
      else debit += amountCents;
      while (lines[n]?.[0] === '7') {
        n += 1;
        if (indicator !== '1') refuse('addendaRecordIndicator', 'addenda-indicator', 'an addenda follows an entry whose indicator is 0');
        entry.addenda.push(readAddenda(lines[n - 1]!, entry, { refuse, num, at, routing }));
        count += 1;
      }
      if (indicator === '1' && entry.addenda.length === 0) refuse('addendaRecordIndicator', 'addenda-missing', 'the entry says an addenda follows, none does', entry.record);
      batch.entries.push(entry);
    }
    if (n > lines.length) refuse('recordType', 'batch-control-missing', `batch ${batch.batchNumber} has no batch control (8)`, lines.length);
    const c = lines[n - 1]!;
    if (batch.entries.length === 0) refuse('entries', 'entry-count', 'a batch holds at least one entry');
    if (at(c, 2, 4) !== serviceClassCode) refuse('serviceClassCode', 'control-matches-header', 'differs from the batch header\'s');
    if (Number(num(c, 5, 10, 'entryAddendaCount')) !== count) refuse('entryAddendaCount', 'batch-entry-count', `says ${Number(at(c, 5, 10))}, the batch holds ${count}`);
    const hash = entryHashOf(batch.entries.map((x) => x.rdfiRouting.slice(0, 8)));
    if (num(c, 11, 20, 'entryHash') !== hash) refuse('entryHash', 'batch-entry-hash', `says ${at(c, 11, 20)}, the entries' routing numbers sum to ${hash}`);
    if (BigInt(num(c, 21, 32, 'totalDebit')) !== debit) refuse('totalDebit', 'batch-debit-total', `says ${at(c, 21, 32)}, the debits add up to ${debit}`);
    if (BigInt(num(c, 33, 44, 'totalCredit')) !== credit) refuse('totalCredit', 'batch-credit-total', `says ${at(c, 33, 44)}, the credits add up to ${credit}`);
    if (at(c, 45, 54).trim() !== batch.companyId) refuse('companyIdentification', 'control-matches-header', 'differs from the batch header\'s');
    if (at(c, 80, 87) !== odfi || Number(at(c, 88, 94)) !== batch.batchNumber) refuse('batchNumber', 'control-matches-header', 'the ODFI or batch number differs from the batch header\'s');
    if (serviceClassCode === '220' && debit > 0n) refuse('serviceClassCode', 'credits-only', 'a 220 batch holds credits only');
    if (serviceClassCode === '225' && credit > 0n) refuse('serviceClassCode', 'debits-only', 'a 225 batch holds debits only');
    batches.push(batch);
    fileCount += count;
    fileHash += BigInt(hash);
    fileDebit += debit;
    fileCredit += credit;
  }
  if (n > lines.length) refuse('recordType', 'file-control-missing', 'the file has no file control (9)', lines.length);
  const f = lines[n - 1]!;
  if (f === NINES) refuse('recordType', 'file-control-missing', 'filler before the file control', n);
  if (Number(num(f, 2, 7, 'batchCount')) !== batches.length) refuse('batchCount', 'file-batch-count', `says ${Number(at(f, 2, 7))}, the file holds ${batches.length}`);
  if (Number(num(f, 8, 13, 'blockCount')) !== lines.length / BLOCKING_FACTOR) refuse('blockCount', 'file-block-count', `says ${Number(at(f, 8, 13))}, the file has ${lines.length / BLOCKING_FACTOR} blocks`);
  if (Number(num(f, 14, 21, 'entryAddendaCount')) !== fileCount) refuse('entryAddendaCount', 'file-entry-count', `says ${Number(at(f, 14, 21))}, the batches hold ${fileCount}`);
  const hash = (fileHash % 10_000_000_000n).toString().padStart(10, '0');
  if (num(f, 22, 31, 'entryHash') !== hash) refuse('entryHash', 'file-entry-hash', `says ${at(f, 22, 31)}, the batches sum to ${hash}`);
  if (BigInt(num(f, 32, 43, 'totalDebit')) !== fileDebit) refuse('totalDebit', 'file-debit-total', `says ${at(f, 32, 43)}, the batches' debits add up to ${fileDebit}`);
  if (BigInt(num(f, 44, 55, 'totalCredit')) !== fileCredit) refuse('totalCredit', 'file-credit-total', `says ${at(f, 44, 55)}, the batches' credits add up to ${fileCredit}`);
  for (let k = n + 1; k <= lines.length; k += 1) if (lines[k - 1] !== NINES) refuse('record', 'filler', 'after the file control only records of all nines fill the block', k);
  return { header, batches, totalDebitCents: fileDebit, totalCreditCents: fileCredit, entryAddendaCount: fileCount };
}

interface Readers {
  refuse: (field: string, rule: string, detail: string) => never;
  num: (line: string, from: number, to: number, field: string) => string;
  at: (line: string, from: number, to: number) => string;
  routing: (value: string, field: string) => void;
}

function readAddenda(a: string, entry: ParsedEntry, { refuse, num, at }: Readers): ParsedAddenda {
  const typeCode = at(a, 2, 3);
  if (typeCode === '05') return { typeCode, paymentInfo: at(a, 4, 83).trim(), sequence: Number(num(a, 84, 87, 'addendaSequenceNumber')) };
  if (typeCode === '99') {
    const returnCode = at(a, 4, 6);
    if (!/^R\d\d$/.test(returnCode)) refuse('returnReasonCode', 'return-code', `${returnCode} is not an R-code`);
    return { typeCode, returnCode, originalTraceNumber: num(a, 7, 21, 'originalEntryTraceNumber'), dateOfDeath: at(a, 22, 27).trim(), originalRdfi: num(a, 28, 35, 'originalReceivingDfi'), info: at(a, 36, 79).trim(), traceNumber: num(a, 80, 94, 'traceNumber') };
  }
  if (typeCode === '98') {
    const changeCode = at(a, 4, 6);
    if (!/^C\d\d$/.test(changeCode)) refuse('changeCode', 'change-code', `${changeCode} is not a C-code`);
    if (entry.amountCents !== 0n) refuse('amount', 'noc-zero', 'a notification of change moves no money');
    return { typeCode, changeCode, originalTraceNumber: num(a, 7, 21, 'originalEntryTraceNumber'), originalRdfi: num(a, 28, 35, 'originalReceivingDfi'), correctedData: at(a, 36, 64).trim(), traceNumber: num(a, 80, 94, 'traceNumber') };
  }
  return refuse('addendaTypeCode', 'addenda-type', `${typeCode} is not 05, 98 or 99`);
}
