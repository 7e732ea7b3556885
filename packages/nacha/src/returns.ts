import { alpha, BLOCKING_FACTOR, isRoutingNumber, numeric, RECORD_LENGTH, yymmdd, type NachaIssue } from './fields.js';
import type { ParsedEntry, ParsedFile } from './parser.js';
import { entryHashOf } from './writer.js';

/**
 * Returns (addenda type 99, Nacha Appendix Four) and Notifications of Change (SEC code COR, addenda type 98,
 * Appendix Five): the reader an originator uses on the files its ODFI sends back, and the writer the bank side
 * (the ACH sandbox) uses to make them. Meanings: Nacha Operating Rules Appendices Four and Five as quoted by
 * processors (see the project's collections-rails research notes §1.2 and §1.4).
 */

export const RETURN_REASONS: Readonly<Record<string, string>> = {
  R01: 'Insufficient funds',
  R02: 'Account closed',
  R03: 'No account / unable to locate account',
  R04: 'Invalid account number structure',
  R05: 'Unauthorized debit to consumer account using corporate SEC code',
  R06: 'Returned per ODFI request',
  R07: 'Authorization revoked by customer',
  R08: 'Payment stopped',
  R09: 'Uncollected funds',
  R10: 'Customer advises originator is not known and/or is not authorized',
  R11: 'Customer advises entry not in accordance with the terms of the authorization',
  R14: 'Representative payee deceased or unable to continue in that capacity',
  R15: 'Beneficiary or account holder deceased',
  R16: 'Account frozen / entry returned per OFAC instruction',
  R17: 'File record edit criteria',
  R20: 'Non-transaction account',
  R23: 'Credit entry refused by receiver',
  R24: 'Duplicate entry',
  R29: 'Corporate customer advises not authorized',
};

export const CHANGE_REASONS: Readonly<Record<string, string>> = {
  C01: 'Incorrect DFI account number',
  C02: 'Incorrect routing number',
  C03: 'Incorrect routing number and DFI account number',
  C04: 'Incorrect individual name / receiving company name',
  C05: 'Incorrect transaction code',
  C06: 'Incorrect DFI account number and transaction code',
  C07: 'Incorrect routing number, DFI account number and transaction code',
  C09: 'Incorrect individual identification number',
  C10: 'Incorrect company name',
  C11: 'Incorrect company identification',
  C12: 'Incorrect company name and company identification',
  C13: 'Addenda format error',
};

export interface AchReturn {
  /** 1-based record number of the return's addenda (99) in the file. */
  readonly record: number;
  readonly code: string;
  readonly description: string;
  /** The trace number of the entry the originator sent: how it finds its payment. */
  readonly originalTraceNumber: string;
  readonly traceNumber: string;
  readonly transactionCode: number;
  readonly amountCents: bigint;
  readonly individualId: string;
  readonly dateOfDeath?: string;
  readonly info: string;
}

export interface AchChange {
  /** 1-based record number of the notification's addenda (98) in the file. */
  readonly record: number;
  readonly code: string;
  readonly description: string;
  readonly originalTraceNumber: string;
  readonly traceNumber: string;
  /** The corrected data as sent (29 characters, trimmed). */
  readonly correctedData: string;
  /** The same, read by change code where its layout is fixed. */
  readonly corrected: { readonly accountNumber?: string; readonly routingNumber?: string; readonly transactionCode?: number };
}

function correctedFields(code: string, data: string): AchChange['corrected'] {
  const padded = data.padEnd(29, ' ');
  const account = (from: number) => padded.slice(from, from + 17).trim();
  if (code === 'C01') return { accountNumber: account(0) };
  if (code === 'C02') return { routingNumber: padded.slice(0, 9) };
  if (code === 'C03') return { routingNumber: padded.slice(0, 9), accountNumber: account(12) };
  if (code === 'C05') return { transactionCode: Number(padded.slice(0, 2)) };
  if (code === 'C06') return { accountNumber: account(0), transactionCode: Number(padded.slice(20, 22)) };
  if (code === 'C07') return { routingNumber: padded.slice(0, 9), accountNumber: account(9), transactionCode: Number(padded.slice(26, 28)) };
  return {};
}

/** Every return and notification of change in a parsed file; entries with neither are not reported. */
export function readReturnsAndChanges(file: ParsedFile): { readonly returns: AchReturn[]; readonly changes: AchChange[] } {
  const returns: AchReturn[] = [];
  const changes: AchChange[] = [];
  for (const batch of file.batches) {
    for (const entry of batch.entries) {
      for (const [k, a] of entry.addenda.entries()) {
        const record = entry.record + k + 1;
        if (a.typeCode === '99') {
          returns.push({
            record, code: a.returnCode, description: RETURN_REASONS[a.returnCode] ?? 'Return reason not known to this reader', originalTraceNumber: a.originalTraceNumber, traceNumber: entry.traceNumber,
            transactionCode: entry.transactionCode, amountCents: entry.amountCents, individualId: entry.individualId, info: a.info, ...(a.dateOfDeath ? { dateOfDeath: a.dateOfDeath } : {}),
          });
        } else if (a.typeCode === '98') {
          changes.push({ record, code: a.changeCode, description: CHANGE_REASONS[a.changeCode] ?? 'Change code not known to this reader', originalTraceNumber: a.originalTraceNumber, traceNumber: entry.traceNumber, correctedData: a.correctedData, corrected: correctedFields(a.changeCode, a.correctedData) });
        }
      }
    }
  }
  return { returns, changes };
}

/**
 * The first return or change code this reader does not know (Appendices Four and Five as listed above), with
 * its record number: an originator must not guess what an unknown code asks of it, so it refuses the file.
 */
export function unknownCode(file: ParsedFile): NachaIssue | undefined {
  for (const batch of file.batches) {
    for (const entry of batch.entries) {
      for (const [k, a] of entry.addenda.entries()) {
        if (a.typeCode === '99' && !RETURN_REASONS[a.returnCode]) return { record: entry.record + k + 1, field: 'returnReasonCode', rule: 'return-code-known', detail: `${a.returnCode} is not a return reason code of Appendix Four` };
        if (a.typeCode === '98' && !CHANGE_REASONS[a.changeCode]) return { record: entry.record + k + 1, field: 'changeCode', rule: 'change-code-known', detail: `${a.changeCode} is not a change code of Appendix Five` };
      }
    }
  }
  return undefined;
}

/** What the receiving bank sends back about one original entry. */
export type BankAnswer =
  | { readonly kind: 'return'; readonly original: ParsedEntry; readonly originalBatch: ParsedFile['batches'][number]; readonly code: string; readonly info?: string }
  | { readonly kind: 'change'; readonly original: ParsedEntry; readonly originalBatch: ParsedFile['batches'][number]; readonly code: string; readonly correctedData: string };

export interface ReturnFileInput {
  /** The ODFI the file goes back to (the original file's immediate origin). */
  readonly odfiRouting: string;
  readonly odfiName: string;
  /** The returning bank (RDFI, or the operator on its behalf): origin of the file and prefix of its trace numbers. */
  readonly bankRouting: string;
  readonly bankName: string;
  readonly creationDate: string;
  readonly creationTime: string;
  readonly fileIdModifier: string;
  readonly answers: readonly BankAnswer[];
}

/** Return code of an original transaction code: 22 → 21, 27 → 26, 32 → 31, 37 → 36 (prenotes alike). */
const returnTransactionCode = (original: number): number => (original % 10 >= 7 ? original - (original % 10) + 6 : original - (original % 10) + 1);

/**
 * The bank side: one file of returns and notifications of change. Returns keep each original batch's SEC code,
 * company and effective date; changes go in COR batches. Amounts: a return carries the original amount, a
 * change none. Refuses (issues) if a routing number is not one.
 */
export function writeReturnFile(input: ReturnFileInput): { ok: true; text: string } | { ok: false; issues: NachaIssue[] } {
  const issues: NachaIssue[] = [];
  if (!isRoutingNumber(input.odfiRouting)) issues.push({ field: 'odfiRouting', rule: 'routing-check-digit', detail: `${input.odfiRouting} is not a routing number` });
  if (!isRoutingNumber(input.bankRouting)) issues.push({ field: 'bankRouting', rule: 'routing-check-digit', detail: `${input.bankRouting} is not a routing number` });
  if (input.answers.length === 0) issues.push({ field: 'answers', rule: 'entry-count', detail: 'nothing to send back' });
  if (issues.length > 0) return { ok: false, issues };
  const bank8 = input.bankRouting.slice(0, 8);
  const lines: string[] = ['1' + '01' + ` ${input.odfiRouting}` + ` ${input.bankRouting}` + yymmdd(input.creationDate) + input.creationTime + input.fileIdModifier + '094' + '10' + '1' + alpha(input.odfiName, 23) + alpha(input.bankName, 23) + alpha('', 8)];
  // One batch per original batch and kind, in the order answers first name them.
  const groups = new Map<string, BankAnswer[]>();
  for (const a of input.answers) {
    const key = `${a.kind}:${a.originalBatch.record}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  let sequence = 0;
  let batchNumber = 0;
  let fileCount = 0;
  let fileHash = 0n;
  let fileDebit = 0n;
  let fileCredit = 0n;
  for (const answers of groups.values()) {
    const { originalBatch: ob, kind } = answers[0]!;
    batchNumber += 1;
    const entries = answers.map((a) => ({ a, code: returnTransactionCode(a.original.transactionCode), amount: a.kind === 'return' ? a.original.amountCents : 0n }));
    const credit = entries.filter((e) => e.code % 10 === 1).reduce((s, e) => s + e.amount, 0n);
    const debit = entries.filter((e) => e.code % 10 === 6).reduce((s, e) => s + e.amount, 0n);
    // By transaction code, not amount: a NOC moves nothing, yet a debit's NOC (26/36) belongs in a 225 batch.
    const credits = entries.filter((e) => e.code % 10 === 1).length;
    const serviceClass = credits === entries.length ? '220' : credits === 0 ? '225' : '200';
    const sec = kind === 'change' ? 'COR' : ob.secCode;
    lines.push('5' + serviceClass + alpha(ob.companyName, 16) + alpha(ob.companyDiscretionaryData, 20) + alpha(ob.companyId, 10) + sec + alpha(kind === 'change' ? 'NOC' : ob.entryDescription, 10) + alpha('', 6) + yymmdd(ob.effectiveEntryDate) + '   ' + '1' + bank8 + numeric(batchNumber, 7));
    for (const { a, code, amount } of entries) {
      sequence += 1;
      const trace = bank8 + numeric(sequence, 7);
      lines.push('6' + numeric(code, 2) + input.odfiRouting + alpha(a.original.accountNumber, 17) + numeric(amount, 10) + alpha(a.original.individualId, 15) + alpha(a.original.individualName, 22) + alpha('', 2) + '1' + trace);
      const addenda = a.kind === 'return'
        ? '7' + '99' + a.code + a.original.traceNumber + alpha('', 6) + a.original.rdfiRouting.slice(0, 8) + alpha(a.info ?? '', 44) + trace
        : '7' + '98' + a.code + a.original.traceNumber + alpha('', 6) + a.original.rdfiRouting.slice(0, 8) + alpha(a.correctedData, 29) + alpha('', 15) + trace;
      lines.push(addenda);
    }
    const hash = entryHashOf(entries.map(() => input.odfiRouting.slice(0, 8)));
    lines.push('8' + serviceClass + numeric(entries.length * 2, 6) + hash + numeric(debit, 12) + numeric(credit, 12) + alpha(ob.companyId, 10) + ' '.repeat(25) + bank8 + numeric(batchNumber, 7));
    fileCount += entries.length * 2;
    fileHash += BigInt(hash);
    fileDebit += debit;
    fileCredit += credit;
  }
  const blocks = Math.ceil((lines.length + 1) / BLOCKING_FACTOR);
  lines.push('9' + numeric(batchNumber, 6) + numeric(blocks, 6) + numeric(fileCount, 8) + (fileHash % 10_000_000_000n).toString().padStart(10, '0') + numeric(fileDebit, 12) + numeric(fileCredit, 12) + ' '.repeat(39));
  while (lines.length % BLOCKING_FACTOR !== 0) lines.push('9'.repeat(RECORD_LENGTH));
  for (const [i, line] of lines.entries()) if (line.length !== RECORD_LENGTH) throw new Error(`return file record ${i + 1} is ${line.length} characters`);
  return { ok: true, text: `${lines.join('\n')}\n` };
}
