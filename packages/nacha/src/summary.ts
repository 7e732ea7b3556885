import { BLOCKING_FACTOR } from './fields.js';
import { parseNachaFile, splitRecords, type ParsedAddenda } from './parser.js';
import { CHANGE_REASONS, RETURN_REASONS } from './returns.js';
import { CREDIT_CODES, entryHashOf } from './writer.js';

/**
 * A NACHA file as plain JSON for people and scripts (`pnpm -s ach parse FILE`): the header, each batch with its
 * entries, addenda and control totals, and the file's control totals; amounts are strings of cents. An invalid
 * file answers the first problem: its record number, field and rule.
 */
export type NachaSummary =
  | { readonly valid: true; readonly file: Record<string, unknown> }
  | { readonly valid: false; readonly error: { readonly record?: number; readonly field: string; readonly rule: string; readonly detail: string } };

const addendaView = (a: ParsedAddenda) => {
  if (a.typeCode === '99') return { type: 'return', code: a.returnCode, reason: RETURN_REASONS[a.returnCode], originalTraceNumber: a.originalTraceNumber, originalRdfi: a.originalRdfi, info: a.info, ...(a.dateOfDeath ? { dateOfDeath: a.dateOfDeath } : {}) };
  if (a.typeCode === '98') return { type: 'notification-of-change', code: a.changeCode, reason: CHANGE_REASONS[a.changeCode], originalTraceNumber: a.originalTraceNumber, originalRdfi: a.originalRdfi, correctedData: a.correctedData };
  return { type: 'payment-related', paymentInfo: a.paymentInfo, sequence: a.sequence };
};

export function summariseNachaFile(text: string): NachaSummary {
  const parsed = parseNachaFile(text);
  if (!parsed.ok) return { valid: false, error: parsed.issue };
  const f = parsed.file;
  const records = splitRecords(text).length;
  const batches = f.batches.map((b) => {
    const debit = b.entries.filter((e) => !CREDIT_CODES.has(e.transactionCode)).reduce((s, e) => s + e.amountCents, 0n);
    const credit = b.entries.filter((e) => CREDIT_CODES.has(e.transactionCode)).reduce((s, e) => s + e.amountCents, 0n);
    return {
      record: b.record, batchNumber: b.batchNumber, serviceClassCode: b.serviceClassCode, secCode: b.secCode, companyName: b.companyName, companyId: b.companyId, entryDescription: b.entryDescription,
      effectiveEntryDate: b.effectiveEntryDate, odfiIdentification: b.odfiIdentification,
      control: { entryAddendaCount: b.entries.reduce((n, e) => n + 1 + e.addenda.length, 0), entryHash: entryHashOf(b.entries.map((e) => e.rdfiRouting.slice(0, 8))), totalDebitCents: debit.toString(), totalCreditCents: credit.toString() },
      entries: b.entries.map((e) => ({
        record: e.record, transactionCode: e.transactionCode, rdfiRouting: e.rdfiRouting, accountNumber: e.accountNumber, amountCents: e.amountCents.toString(), individualId: e.individualId, individualName: e.individualName,
        traceNumber: e.traceNumber, ...(e.addenda.length > 0 ? { addenda: e.addenda.map(addendaView) } : {}),
      })),
    };
  });
  const hash = (batches.reduce((s, b) => s + BigInt(b.control.entryHash), 0n) % 10_000_000_000n).toString().padStart(10, '0');
  return {
    valid: true,
    file: {
      header: f.header, records, batches,
      control: { batchCount: f.batches.length, blockCount: records / BLOCKING_FACTOR, entryAddendaCount: f.entryAddendaCount, entryHash: hash, totalDebitCents: f.totalDebitCents.toString(), totalCreditCents: f.totalCreditCents.toString() },
    },
  };
}
