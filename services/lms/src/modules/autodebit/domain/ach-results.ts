import { parseNachaFile, readReturnsAndChanges, unknownCode } from '@lendstack/nacha';
import type { PresentmentResult, ResultDocument, UnreadableDocument } from '../ports.js';

/**
 * An ODFI's return/NOC file as results for our debits. The whole file is refused (nothing applied) when it is not
 * a valid NACHA file (record length, order, counts, entry hash, totals: packages/nacha's parser) or names a
 * return or change code that Appendices Four and Five do not define. Returns of credits (transaction codes 21,
 * 31) answer payouts, not debits, and are left to the payouts module; returns name our entries by their original
 * trace number.
 */
export function readAchResultFile(documentId: string, text: string, receivedOn: string): { ok: true; document: ResultDocument } | { ok: false; unreadable: UnreadableDocument } {
  const parsed = parseNachaFile(text);
  if (!parsed.ok) return { ok: false, unreadable: { documentId, ...parsed.issue } };
  const unknown = unknownCode(parsed.file);
  if (unknown) return { ok: false, unreadable: { documentId, ...unknown } };
  const { returns, changes } = readReturnsAndChanges(parsed.file);
  const isDebit = (code: number) => code % 10 >= 6;
  const results: PresentmentResult[] = [
    ...returns.filter((r) => isDebit(r.transactionCode)).map((r): PresentmentResult => ({ kind: 'returned', reference: r.originalTraceNumber, code: r.code, description: r.description, returnedOn: receivedOn, record: r.record })),
    ...changes
      .filter((c) => isDebit(transactionCodeOf(parsed.file, c.traceNumber)))
      .map((c): PresentmentResult => {
        const accountType = c.corrected.transactionCode === undefined ? undefined : Math.floor(c.corrected.transactionCode / 10) === 2 ? 'checking' as const : 'savings' as const;
        const correction = {
          ...(c.corrected.accountNumber ? { accountNumber: c.corrected.accountNumber } : {}),
          ...(c.corrected.routingNumber ? { bankCode: c.corrected.routingNumber } : {}),
          ...(accountType ? { accountType } : {}),
          ...(c.code === 'C04' ? { holderName: c.correctedData.slice(0, 22) } : {}),
        };
        return { kind: 'changed', reference: c.originalTraceNumber, code: c.code, description: c.description, correction, record: c.record };
      }),
  ];
  return { ok: true, document: { documentId, rail: 'us-ach', receivedOn, results } };
}

function transactionCodeOf(file: Parameters<typeof readReturnsAndChanges>[0], traceNumber: string): number {
  for (const b of file.batches) for (const e of b.entries) if (e.traceNumber === traceNumber) return e.transactionCode;
  return 0;
}
