import { createHash } from 'node:crypto';
import { numeric } from '@lendstack/nacha';
import type { AchAccountResolver } from '../../payouts/adapters/ach-account.resolver.js';
import type { AchBankClient } from '../../payouts/adapters/ach-bank.client.js';
import { PayoutRailUnavailableError } from '../../payouts/ports.js';
import { buildAchDebitFile, FILE_ID_MODIFIERS, type AchOriginator } from '../domain/ach-debit-file.js';
import { readAchResultFile } from '../domain/ach-results.js';
import { CollectionRailUnavailableError, type CollectionRailPort, type PresentmentResult, type ResultDocument, type UnreadableDocument } from '../ports.js';

export interface AchCollectionRailOptions {
  readonly originator: AchOriginator;
  /** The ODFI's file API (the same client ACH payouts use: bounded retries, same key and bytes on a retry). */
  readonly bank: AchBankClient;
  /** Token → account number, just before the file is written; a NOC's corrected number wins over it. */
  readonly resolveAccount: AchAccountResolver;
}

/**
 * US ACH as a collection rail: a presentment batch is one NACHA debit file (domain/ach-debit-file.ts) uploaded to
 * the ODFI under the batch id as Idempotency-Key; results are the ODFI's return/NOC files (GET /v1/return-files)
 * and, for batches still open, the entries it reports settled (GET /v1/files/{id}).
 */
export function createAchCollectionRail(options: AchCollectionRailOptions): CollectionRailPort {
  const odfi8 = options.originator.odfiRouting.slice(0, 8);
  const unavailable = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof PayoutRailUnavailableError) throw new CollectionRailUnavailableError(error.message);
      throw error;
    }
  };
  return {
    rail: 'us-ach',
    batchesPerDay: FILE_ID_MODIFIERS.length,
    referenceFor: (railSequence) => odfi8 + numeric(railSequence, 7),
    async present(batch) {
      const numbers = new Map<string, string>();
      for (const p of batch.presentments) {
        const number = p.account.correctedAccountNumber
          ?? (await options.resolveAccount({ accountToken: p.account.accountToken, bankCode: p.account.bankCode, holderName: p.account.holderName, ...(p.account.accountNumberMasked ? { accountNumberMasked: p.account.accountNumberMasked } : {}) }));
        if (number) numbers.set(p.presentmentId, number);
      }
      const built = buildAchDebitFile(options.originator, batch, numbers);
      if (!built.ok) return { kind: 'rejected', detail: built.issues.map((i) => `${i.field}: ${i.detail}`).join('; '), field: built.issues[0]!.field, rule: built.issues[0]!.rule };
      const sha256 = createHash('sha256').update(built.file.text).digest('hex');
      const answer = await unavailable(() => options.bank.upload(built.file.text, batch.batchId));
      if (answer.kind === 'accepted') return { kind: 'accepted', railBatchId: answer.bankFileId, references: built.traceOf, sha256 };
      if (answer.kind === 'conflict') return { kind: 'rejected', detail: `the ODFI holds other bytes under this batch id: ${answer.detail}`, rule: 'idempotency-conflict' };
      const r = answer.rejection;
      return { kind: 'rejected', detail: r.detail, ...(r.record !== undefined ? { record: r.record } : {}), ...(r.field ? { field: r.field } : {}), ...(r.rule ? { rule: r.rule } : {}) };
    },
    async results(openBatchIds, receivedOn) {
      const documents: ResultDocument[] = [];
      const unreadable: UnreadableDocument[] = [];
      for (const listed of await unavailable(() => options.bank.listReturnFiles())) {
        const text = await unavailable(() => options.bank.returnFile(listed.id));
        if (text === undefined) continue;
        const read = readAchResultFile(listed.id, text, receivedOn);
        if (read.ok) documents.push(read.document);
        else unreadable.push(read.unreadable);
      }
      // Settlements after returns: an entry returned early never settles, one returned late is reversed when its return comes.
      for (const bankFileId of openBatchIds) {
        const status = await unavailable(() => options.bank.fileStatus(bankFileId));
        if (!status) continue;
        const settled = status.entries.filter((e) => e.status === 'settled' && e.settlementDate);
        const byDate = new Map<string, PresentmentResult[]>();
        for (const e of settled) byDate.set(e.settlementDate!, [...(byDate.get(e.settlementDate!) ?? []), { kind: 'settled', reference: e.traceNumber, settlementDate: e.settlementDate! }]);
        for (const [date, results] of byDate) documents.push({ documentId: `settlement:${bankFileId}:${date}:${results.length}`, rail: 'us-ach', receivedOn, results });
      }
      return { documents, unreadable };
    },
  };
}
