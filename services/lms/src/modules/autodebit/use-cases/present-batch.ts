import type pg from 'pg';
import { accountsOf, batchPresentment, builtFiles, filesOfDay, finishFile, insertFile, lockScheduled, nextRailSequences, presentmentsOfFile, setStatus, type StoredAccount, type StoredFile, type StoredPresentment } from '../adapters/autodebit.repository.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { CollectionRailUnavailableError, type CollectionRailPort, type Presentment, type PresentmentBatch } from '../ports.js';

export interface PresentDeps {
  readonly pool: pg.Pool;
  readonly rail: CollectionRailPort;
  readonly newId: () => string;
  /** Presentments in one file; a bigger backlog is split over several. */
  readonly maxPerFile: number;
  /** Only this tenant's presentments (the runner presents each tenant on its own business date). */
  readonly tenantId?: string;
}

export interface PresentReport {
  readonly files: readonly { readonly fileId: string; readonly status: 'accepted' | 'rejected' | 'built'; readonly entries: number }[];
  readonly cancelled: number;
  /** The rail's batches of the day ran out before all that was due was batched; the rest waits for the next day. */
  readonly deferred?: boolean;
}

const keyOf = (p: { tenantId: string; loanId: string }) => `${p.tenantId}:${p.loanId}`;

/**
 * Presents every scheduled presentment of the rail due by `upTo` (plus the rail's presentAheadDays: NACH's input
 * batch and UPI's pre-debit notification go before the charge date): first the files a dead process left built
 * (resent as the same batch id and bytes), then new files of up to maxPerFile presentments. A presentment whose
 * account has stopped (new data or authorisation needed) is cancelled instead. Batching is one transaction
 * (file row, trace sequences, references), sending another, so a crash leaves a built file that the next call
 * resends; the rail's idempotency key makes the resend one submission. A rail that cannot be reached leaves the
 * file built and ends the call (CollectionRailUnavailableError is not thrown out; the next call resends first).
 */
export async function presentDue(deps: PresentDeps, upTo: string, now: Date): Promise<PresentReport> {
  const files: { fileId: string; status: 'accepted' | 'rejected' | 'built'; entries: number }[] = [];
  for (const built of await builtFiles(deps.pool, deps.rail.rail, 100)) {
    const sent = await send(deps, built);
    files.push(sent);
    // The rail is down: batching more now would only pile up built files.
    if (sent.status === 'built') return { files, cancelled: 0 };
  }
  let cancelled = 0;
  let deferred = false;
  for (;;) {
    const batched = await inTransaction(deps.pool, async (client) => {
      // The rail's batches of the day are used up (ACH: 36 file id modifiers): what is due stays scheduled, for the next day.
      if (deps.rail.batchesPerDay !== undefined && (await filesOfDay(client, deps.rail.rail, now)) >= deps.rail.batchesPerDay) {
        return { ok: true as const, file: undefined, cancelled: 0, deferred: true };
      }
      const due = await lockScheduled(client, deps.rail.rail, upTo, deps.maxPerFile, deps.rail.presentAheadDays ?? 0, deps.tenantId);
      if (due.length === 0) return { ok: true as const, file: undefined, cancelled: 0 };
      const accounts = await accountsOf(client, due);
      const stopped = due.filter((p) => accounts.get(keyOf(p))?.status !== 'active');
      if (stopped.length > 0) await setStatus(client, stopped.map((p) => p.presentmentId), 'cancelled', { action: { kind: 'stop-manual-review', reason: 'the debit account stopped before presentment', reversePosted: false } });
      const live = due.filter((p) => accounts.get(keyOf(p))?.status === 'active');
      if (live.length === 0) return { ok: true as const, file: undefined, cancelled: stopped.length, more: true };
      const file = await insertFile(client, { id: deps.newId(), rail: deps.rail.rail, createdAt: now, entryCount: live.length, totalMinor: live.reduce((s, p) => s + p.amount.amountMinor, 0n) });
      const sequences = await nextRailSequences(client, live.length);
      for (const [i, p] of live.entries()) await batchPresentment(client, p.presentmentId, file.id, sequences[i]!, deps.rail.referenceFor(sequences[i]!));
      return { ok: true as const, file, cancelled: stopped.length };
    });
    cancelled += batched.cancelled;
    if ('deferred' in batched) {
      deferred = true;
      break;
    }
    if (!batched.file) {
      if ('more' in batched) continue;
      break;
    }
    const sent = await send(deps, batched.file);
    files.push(sent);
    if (sent.status === 'built') break;
  }
  return { files, cancelled, ...(deferred ? { deferred } : {}) };
}

/** Sends one built file (again, if a pass died after batching) and records the rail's answer. */
async function send(deps: PresentDeps, file: StoredFile): Promise<{ fileId: string; status: 'accepted' | 'rejected' | 'built'; entries: number }> {
  const stored = await presentmentsOfFile(deps.pool, file.id);
  const accounts = await accountsOf(deps.pool, stored);
  const batch: PresentmentBatch = { batchId: file.id, rail: file.rail, createdAt: file.createdAt, sequenceOfDay: file.sequenceOfDay, presentments: stored.map((p) => toPresentment(p, accounts.get(keyOf(p))!)) };
  let answer;
  try {
    answer = await deps.rail.present(batch);
  } catch (error) {
    if (error instanceof CollectionRailUnavailableError) return { fileId: file.id, status: 'built', entries: stored.length };
    throw error;
  }
  const ids = stored.map((p) => p.presentmentId);
  await inTransaction(deps.pool, async (client) => {
    if (answer.kind === 'accepted') {
      await finishFile(client, file.id, { status: 'accepted', railBatchId: answer.railBatchId, sha256: answer.sha256 ?? '' });
      // A rail that takes debits one by one may refuse some (NACH: outside the mandate's terms or the presentation window).
      for (const [presentmentId, refusal] of answer.refused ?? new Map()) {
        await client.query(`UPDATE autodebit_presentments SET status = 'rejected', action = $2, updated_at = now() WHERE id = $1 AND status = 'batched'`,
          [presentmentId, JSON.stringify({ kind: 'stop-manual-review', reason: `the rail refused the debit (${refusal.rule} at ${refusal.field}): ${refusal.detail}`, reversePosted: false })]);
      }
      await client.query(`UPDATE autodebit_presentments SET status = 'presented', updated_at = now() WHERE id = ANY($1::text[]) AND status = 'batched'`, [ids]);
    } else {
      await finishFile(client, file.id, { status: 'rejected', rejection: answer });
      await client.query(`UPDATE autodebit_presentments SET status = 'rejected', action = $2, updated_at = now() WHERE id = ANY($1::text[]) AND status = 'batched'`,
        [ids, JSON.stringify({ kind: 'stop-manual-review', reason: `the rail rejected the file: ${answer.detail}`, reversePosted: false })]);
    }
    return { ok: true };
  });
  return { fileId: file.id, status: answer.kind, entries: stored.length };
}

function toPresentment(p: StoredPresentment, account: StoredAccount): Presentment {
  const { tenantId: _t, loanId: _l, rail: _r, status: _s, statusReason: _sr, ...debitAccount } = account;
  return {
    presentmentId: p.presentmentId, tenantId: p.tenantId, loanId: p.loanId, installmentNumber: p.installmentNumber, amount: p.amount, rail: p.rail, attempt: p.attempt,
    ...(p.originalPresentmentId ? { originalPresentmentId: p.originalPresentmentId } : {}), effectiveDate: p.effectiveDate, account: debitAccount, railSequence: p.railSequence!,
  };
}
