import { writeNachaFile, type NachaBatchInput, type NachaEntryInput, type NachaIssue, type WrittenFile } from '@lendstack/nacha';
import type { PresentmentBatch } from '../ports.js';
import { debitTransactionCode, RETRY_DESCRIPTION } from './ach-rules.js';

/**
 * A presentment batch as one NACHA debit file (packages/nacha writes and checks the bytes). Entries are grouped
 * into batches by SEC code (PPD, WEB), effective date and kind: first presentments are described `LOAN PYMT`,
 * reinitiations go in their own batches described `RETRY PYMT` (Nacha 2.12.4), with the same company name and
 * id. Within a batch entries ascend by trace sequence; a batch holds at most 9,999 entries. Pure: the same batch
 * and account numbers give the same bytes, so a resend is the same file.
 */

export interface AchOriginator {
  readonly companyName: string;
  /** Company identification (10), commonly "1" + the EIN. */
  readonly companyId: string;
  /** The ODFI's 9-digit routing number: immediate origin and the trace numbers' prefix. */
  readonly odfiRouting: string;
  readonly odfiName: string;
  /** Where the file goes (the ODFI itself here). */
  readonly destinationRouting: string;
  readonly destinationName: string;
  /** Company entry description of first presentments (10). */
  readonly entryDescription: string;
}

/**
 * File id modifiers of debit files, in the order a day uses them. ACH payouts send files from the same ODFI
 * origin and take A, B, C… for each minute's files, and a bank refuses a second file with the same origin,
 * date, time and modifier; debit files start from the other end (9, 8, … 0, Z, Y, …), so the two meet only
 * when one minute holds more than 26 payout files and a debit file.
 */
export const FILE_ID_MODIFIERS = '9876543210ZYXWVUTSRQPONMLKJIHGFEDCBA';
const MAX_ENTRIES_PER_BATCH = 9_999;

export type DebitFileResult =
  | { readonly ok: true; readonly file: WrittenFile; readonly traceOf: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly issues: readonly NachaIssue[] };

/** YYYY-MM-DD and HHMM of a UTC instant (the ODFI's files are stamped in UTC here). */
const stamp = (at: Date) => ({ date: at.toISOString().slice(0, 10), time: at.toISOString().slice(11, 16).replace(':', '') });

export function buildAchDebitFile(originator: AchOriginator, batch: PresentmentBatch, accountNumberOf: ReadonlyMap<string, string>): DebitFileResult {
  if (batch.sequenceOfDay < 0 || batch.sequenceOfDay >= FILE_ID_MODIFIERS.length) {
    return { ok: false, issues: [{ field: 'sequenceOfDay', rule: 'file-id-modifier', detail: `at most ${FILE_ID_MODIFIERS.length} files a day (A–Z, 0–9)` }] };
  }
  const groups = new Map<string, { sec: 'PPD' | 'WEB'; date: string; retry: boolean; entries: { id: string; entry: NachaEntryInput }[] }>();
  const issues: NachaIssue[] = [];
  batch.presentments.forEach((p, i) => {
    const accountNumber = accountNumberOf.get(p.presentmentId);
    if (!accountNumber) issues.push({ field: `presentments[${i}].account`, rule: 'account-resolved', detail: `the account of presentment ${p.presentmentId} could not be resolved` });
    if (p.rail !== 'us-ach' || p.amount.currency !== 'USD' || p.amount.scale !== 2) issues.push({ field: `presentments[${i}].amount`, rule: 'usd-ach', detail: 'an ACH debit is in USD cents' });
    const sec = p.account.achSecCode ?? 'PPD';
    const retry = p.attempt > 1;
    const key = `${sec}:${p.effectiveDate}:${retry ? 1 : 0}`;
    const group = groups.get(key) ?? { sec, date: p.effectiveDate, retry, entries: [] };
    groups.set(key, group);
    group.entries.push({
      id: p.presentmentId,
      entry: {
        transactionCode: debitTransactionCode(p.account.accountType), rdfiRouting: p.account.bankCode, accountNumber: accountNumber ?? '', amountCents: p.amount.amountMinor,
        individualId: p.loanId.replace(/-/g, '').slice(0, 15), individualName: p.account.holderName, traceSequence: p.railSequence,
      },
    });
  });
  if (issues.length > 0) return { ok: false, issues };
  const batches: NachaBatchInput[] = [];
  const order: string[][] = [];
  for (const key of [...groups.keys()].sort()) {
    const g = groups.get(key)!;
    const sorted = [...g.entries].sort((a, b) => a.entry.traceSequence - b.entry.traceSequence);
    for (let from = 0; from < sorted.length; from += MAX_ENTRIES_PER_BATCH) {
      const chunk = sorted.slice(from, from + MAX_ENTRIES_PER_BATCH);
      batches.push({
        companyName: originator.companyName, companyId: originator.companyId, secCode: g.sec, entryDescription: g.retry ? RETRY_DESCRIPTION : originator.entryDescription,
        effectiveEntryDate: g.date, odfiIdentification: originator.odfiRouting.slice(0, 8), batchNumber: batches.length + 1, entries: chunk.map((c) => c.entry),
      });
      order.push(chunk.map((c) => c.id));
    }
  }
  const { date, time } = stamp(batch.createdAt);
  const written = writeNachaFile({
    immediateDestination: originator.destinationRouting, immediateDestinationName: originator.destinationName, immediateOrigin: originator.odfiRouting, immediateOriginName: originator.odfiName,
    creationDate: date, creationTime: time, fileIdModifier: FILE_ID_MODIFIERS[batch.sequenceOfDay]!, batches,
  });
  if (!written.ok) return written;
  const flatIds = order.flat();
  const traceOf = new Map(written.file.entries.map((e, i) => [flatIds[i]!, e.traceNumber]));
  return { ok: true, file: written.file, traceOf };
}
