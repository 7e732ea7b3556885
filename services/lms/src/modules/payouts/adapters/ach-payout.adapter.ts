/**
 * PayoutPort for USD over ACH: PPD credits (transaction code 22, checking) to the borrower's account, in NACHA
 * files sent to the lender's ODFI through its file API (ach-bank.client.ts).
 *
 * Batching: submit() only queues the payout as an entry (status queued) and answers at once; a submission
 * window (every ACH_WINDOW_MS, or flush()) takes every queued entry, up to ACH_MAX_ENTRIES_PER_FILE, into ONE
 * file with one PPD batch, assigns trace numbers (ODFI + sequence) and uploads it under the file's id as the
 * Idempotency-Key. Banks charge and check per file and reject a second file with the same header, so one file
 * per window, not per payout. The file's bytes are rebuilt from the stored rows, so a file whose
 * acknowledgement was lost is sent again byte for byte and the bank answers the first acknowledgement.
 *
 * Outcomes: a rejected file fails the entry the bank named (its record number) and puts the others back in the
 * queue for the next window; a file-level rejection fails them all, with the bank's record number, field and
 * rule in the reason. The ODFI's signed webhooks then say which entries settled (processed) and where a returns
 * file is; its returns (R-codes) fail the payout, or reverse it when it had settled (a late return); its
 * notifications of change (C-codes) are recorded on the entry for an operator (the LOS owns account data).
 * Every outcome is computed from stored state, so a redelivered webhook yields the same outcomes again
 * (the disbursement use case applies each once).
 */
import { createHash } from 'node:crypto';
import { isRoutingNumber, parseNachaFile, readReturnsAndChanges, RETURN_REASONS, writeNachaFile, type NachaFileInput } from '@lendstack/nacha';
import type pg from 'pg';
import type { Logger } from '@lendstack/platform';
import { type PayoutOutcome, type PayoutPort, type PayoutRefused, type PayoutRequest, type PayoutSnapshot, type PayoutWebhookHeaders } from '../ports.js';
import type { AchAccountResolver } from './ach-account.resolver.js';
import type { AchBankClient, BankRejection } from './ach-bank.client.js';
import * as repo from './ach-entries.repository.js';
import { verifyAchWebhook } from './ach-webhook.verifier.js';

export interface AchPayoutOptions {
  readonly pool: pg.Pool;
  readonly bank: AchBankClient;
  readonly resolveAccount: AchAccountResolver;
  readonly odfi: { readonly routing: string; readonly name: string };
  readonly company: { readonly id: string; readonly name: string; readonly entryDescription: string };
  readonly maxEntriesPerFile: number;
  readonly webhookSecret: string;
  readonly webhookMaxAgeSeconds: number;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly logger: Logger;
}

export interface AchPayoutAdapter extends PayoutPort {
  /** One submission window: sends the oldest unanswered file again, else builds one from the queue. What it did. */
  flush(): Promise<{ readonly fileId?: string; readonly outcomes: readonly PayoutOutcome[] }>;
  /** A webhook from the ODFI, verified, then applied to the entries: the payout outcomes it settles. */
  /**
   * Asks the ODFI for the status of files whose webhooks may have been lost: files with entries still
   * submitted, or settled within the return window, and quiet for `quietMs`. The outcomes it finds, each
   * payout's latest; applying them again is harmless.
   */
  reconcile(options?: { readonly quietMs?: number; readonly maxFiles?: number }): Promise<{ readonly files: number; readonly outcomes: readonly PayoutOutcome[] }>;
  handleNotification(rawBody: Buffer, headers: PayoutWebhookHeaders): Promise<{ readonly outcomes: readonly PayoutOutcome[]; readonly event: string } | { readonly error: 'missing-signature' | 'bad-signature' | 'stale' | 'malformed'; readonly detail: string }>;
}

const FLUSH_LOCK_ID = 42_031;
const PROVIDER_PREFIX = 'ach_';
const MAX_AMOUNT_CENTS = 9_999_999_999n;
/** Settled entries are watched this long for a late return (credits: 2 banking days; unauthorized debits: 60 days, not sent here). */
const RETURN_WATCH_DAYS = 5;

/** Per payout the outcomes in order, confirmation before reversal, without repeats. */
const dedupeLatest = (outcomes: readonly PayoutOutcome[]): PayoutOutcome[] => [...new Map(outcomes.map((x) => [`${x.payoutId}:${x.status}`, x])).values()];

const refused = (code: PayoutRefused['error']['code'], detail: string, field?: string): PayoutRefused => ({ error: { code, detail, ...(field ? { field } : {}) } });
const shortLoanId = (loanId: string) => loanId.replace(/^loan[-_]?/i, '').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 15);
const requestHash = (r: PayoutRequest) => createHash('sha256').update(JSON.stringify([r.tenantId, r.loanId, r.amount.amountMinor.toString(), r.amount.currency, r.amount.scale, r.beneficiary.accountToken, r.beneficiary.bankCode])).digest('hex');
const rejectionText = (r: BankRejection) => `ACH file rejected by the ODFI: ${r.record ? `record ${r.record}, ` : ''}${r.field ? `${r.field}, ` : ''}${r.rule ? `rule ${r.rule}: ` : ''}${r.detail}`;

/** The next banking day after `date` (weekends skipped; Federal Reserve holidays are not modelled). */
function nextBankingDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6);
  return d.toISOString().slice(0, 10);
}

function snapshotOf(e: repo.AchEntryRow): PayoutSnapshot {
  const base = { providerPayoutId: `${PROVIDER_PREFIX}${e.payout_id}`, ...(e.trace_number ? { utr: e.trace_number } : {}) };
  if (e.status === 'queued' || e.status === 'batched') return { ...base, status: 'queued' };
  if (e.status === 'submitted') return { ...base, status: 'processing' };
  if (e.status === 'settled') return { ...base, status: 'processed' };
  const reason = e.status === 'rejected' ? 'ACH_FILE_REJECTED' : `ACH_RETURN_${e.return_code}`;
  return { ...base, status: e.returned_after_settlement ? 'reversed' : 'failed', failureReason: reason, ...(e.return_detail ? { failureDetail: e.return_detail } : {}) };
}

function outcomeOf(e: repo.AchEntryRow, eventId: string, at: Date): PayoutOutcome {
  const s = snapshotOf(e);
  return { eventId, payoutId: e.payout_id, providerPayoutId: s.providerPayoutId, status: s.status as PayoutOutcome['status'], at, ...(s.failureReason ? { failureReason: s.failureReason } : {}), ...(s.failureDetail ? { failureDetail: s.failureDetail } : {}), ...(s.utr ? { utr: s.utr } : {}) };
}

export function createAchPayoutAdapter(o: AchPayoutOptions): AchPayoutAdapter {
  const odfi8 = o.odfi.routing.slice(0, 8);

  async function fileText(file: repo.AchFileRow, entries: readonly repo.AchEntryRow[]): Promise<ReturnType<typeof writeNachaFile>> {
    const accounts = await Promise.all(entries.map((e) => o.resolveAccount({ accountToken: e.account_token, bankCode: e.rdfi_routing, holderName: e.holder_name, ...(e.account_number_masked ? { accountNumberMasked: e.account_number_masked } : {}) })));
    const input: NachaFileInput = {
      immediateDestination: o.odfi.routing, immediateDestinationName: o.odfi.name, immediateOrigin: o.odfi.routing, immediateOriginName: o.company.name,
      creationDate: file.creation_date, creationTime: file.creation_time, fileIdModifier: file.file_id_modifier, referenceCode: file.id.slice(0, 8),
      batches: [{
        companyName: o.company.name, companyId: o.company.id, secCode: 'PPD', entryDescription: o.company.entryDescription, effectiveEntryDate: file.effective_entry_date, odfiIdentification: odfi8, batchNumber: 1,
        entries: entries.map((e, i) => ({
          transactionCode: e.transaction_code as 22, rdfiRouting: e.rdfi_routing, accountNumber: accounts[i] ?? '', amountCents: BigInt(e.amount_cents), individualId: e.individual_id, individualName: e.holder_name, traceSequence: Number(e.trace_number!.slice(8)),
        })),
      }],
    };
    return writeNachaFile(input);
  }

  /** Claims queued entries into a new file (one transaction, one flusher at a time). */
  async function buildFile(): Promise<repo.AchFileRow | undefined> {
    const client = await o.pool.connect();
    try {
      await client.query('BEGIN');
      const locked = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [FLUSH_LOCK_ID])).rows[0]!.ok;
      const queued = locked ? await repo.lockQueued(client, o.maxEntriesPerFile) : [];
      if (queued.length === 0) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const now = o.now().toISOString();
      const date = now.slice(0, 10);
      const time = now.slice(11, 16).replace(':', '');
      const n = await repo.filesInMinute(client, date, time);
      if (n >= 36) {
        await client.query('ROLLBACK');
        return undefined; // 36 files in one minute: the next minute has fresh modifiers.
      }
      const file = { id: o.newId(), creation_date: date, creation_time: time, file_id_modifier: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[n]!, effective_entry_date: nextBankingDay(date) };
      const sequences = (await repo.nextTraceSequences(client, queued.length)).sort((a, b) => a - b);
      const traces = sequences.map((s) => `${odfi8}${String(s).padStart(7, '0')}`);
      await repo.insertFile(client, { ...file, entry_count: queued.length, total_credit_cents: queued.reduce((s, e) => s + BigInt(e.amount_cents), 0n) });
      await repo.batchEntries(client, file.id, queued.map((e) => e.payout_id), traces);
      await client.query('COMMIT');
      return { ...file, status: 'built', bank_file_id: null, attempts: 0 };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Fails the named entry (or all), requeues the rest; the outcomes of the failed ones. */
  async function reject(file: repo.AchFileRow, entries: readonly repo.AchEntryRow[], rejection: BankRejection, records: ReadonlyMap<number, string>): Promise<PayoutOutcome[]> {
    const named = rejection.record !== undefined ? records.get(rejection.record) : undefined;
    const failed = named ? [named] : entries.map((e) => e.payout_id);
    const detail = rejectionText(rejection).slice(0, 500);
    const client = await o.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE ach_files SET status = 'rejected', rejection = $2, updated_at = now() WHERE id = $1`, [file.id, JSON.stringify(rejection)]);
      await client.query(`UPDATE ach_entries SET status = 'rejected', return_detail = $2, updated_at = now() WHERE payout_id = ANY($1)`, [failed, detail]);
      await client.query(`UPDATE ach_entries SET status = 'queued', file_id = NULL, trace_number = NULL, updated_at = now() WHERE file_id = $1 AND status = 'batched'`, [file.id]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    o.logger.warn({ fileId: file.id, rejection, failed }, 'ACH file rejected by the ODFI');
    const at = o.now();
    return (await Promise.all(failed.map((id) => repo.entryByPayout(o.pool, id)))).map((e) => outcomeOf(e!, `ach-file-rejected:${file.id}:${e!.payout_id}`, at));
  }

  async function send(file: repo.AchFileRow): Promise<PayoutOutcome[]> {
    const entries = await repo.entriesOfFile(o.pool, file.id);
    const written = await fileText(file, entries);
    const records = new Map(written.ok ? written.file.entries.map((w, i) => [w.record, entries[i]!.payout_id] as const) : []);
    if (!written.ok) {
      // Our own checks refused an entry (e.g. its token no longer resolves): the same as a bank rejection, before sending.
      const issue = written.issues[0]!;
      const index = /entries\[(\d+)\]/.exec(issue.field)?.[1];
      const record = index === undefined ? undefined : 3 + Number(index);
      const named = new Map(entries.map((e, i) => [3 + i, e.payout_id] as const));
      return reject(file, entries, { ...(record ? { record } : {}), field: issue.field, rule: issue.rule, detail: `not sent: ${issue.detail}` }, named);
    }
    await o.pool.query('UPDATE ach_files SET attempts = attempts + 1, sha256 = $2, updated_at = now() WHERE id = $1', [file.id, createHash('sha256').update(written.file.text).digest('hex')]);
    const answer = await o.bank.upload(written.file.text, file.id);
    if (answer.kind === 'rejected') return reject(file, entries, answer.rejection, records);
    if (answer.kind === 'conflict') throw new Error(`ACH file ${file.id}: the ODFI holds other bytes under this Idempotency-Key (${answer.detail})`);
    await o.pool.query(`UPDATE ach_files SET status = 'accepted', bank_file_id = $2, updated_at = now() WHERE id = $1`, [file.id, answer.bankFileId]);
    await o.pool.query(`UPDATE ach_entries SET status = 'submitted', updated_at = now() WHERE file_id = $1 AND status = 'batched'`, [file.id]);
    o.logger.info({ fileId: file.id, bankFileId: answer.bankFileId, entries: entries.length }, 'ACH file accepted by the ODFI');
    return [];
  }

  /** Settled entries of a file (from a webhook or the file's status): their outcomes, again for ones already settled. */
  async function applySettled(fileId: string, traceNumbers: readonly string[], settlementDate: string, eventId: string, at: Date): Promise<PayoutOutcome[]> {
    const rows = (await o.pool.query<{ payout_id: string }>(
      `UPDATE ach_entries SET status = CASE WHEN status = 'submitted' THEN 'settled' ELSE status END, settlement_date = coalesce(settlement_date, $3::date), updated_at = now()
       WHERE file_id = $1 AND trace_number = ANY($2) AND status IN ('submitted', 'settled', 'returned') RETURNING payout_id`,
      [fileId, traceNumbers, settlementDate],
    )).rows;
    const entries = await Promise.all(rows.map((r) => repo.entryByPayout(o.pool, r.payout_id)));
    // A returned entry settled too (a late return): its confirmation comes before its reversal.
    return entries.map((e) => outcomeOf(e!.status === 'returned' ? { ...e!, status: 'settled' } : e!, `${eventId}:settled:${e!.payout_id}`, at));
  }

  /** A return of the entry with this trace number: failed before settlement, reversed after it; undefined if not ours. */
  async function applyReturn(originalTrace: string, code: string, eventId: string, at: Date): Promise<PayoutOutcome | undefined> {
    const detail = `${code} ${RETURN_REASONS[code] ?? 'Return reason not known to this reader'}`;
    const row = (await o.pool.query<{ payout_id: string }>(
      `UPDATE ach_entries SET returned_after_settlement = (status = 'settled' OR returned_after_settlement OR settlement_date IS NOT NULL), status = 'returned', return_code = $2, return_detail = $3, updated_at = now()
       WHERE trace_number = $1 AND status IN ('submitted', 'settled', 'returned') RETURNING payout_id`,
      [originalTrace, code, detail],
    )).rows[0];
    if (!row) {
      o.logger.warn({ trace: originalTrace, code }, 'ACH return for an entry this LMS did not send');
      return undefined;
    }
    return outcomeOf((await repo.entryByPayout(o.pool, row.payout_id))!, `${eventId}:returned:${row.payout_id}`, at);
  }

  return {
    async submit(request) {
      const { amount, beneficiary } = request;
      if (amount.currency !== 'USD' || amount.scale !== 2) return refused('unsupported-currency', `ACH pays out USD in cents (scale 2), not ${amount.currency} at scale ${amount.scale}`, 'amount');
      if (amount.amountMinor < 1n || amount.amountMinor > MAX_AMOUNT_CENTS) return refused('invalid-request', 'an ACH entry moves 1 to 9999999999 cents', 'amount');
      if (!isRoutingNumber(beneficiary.bankCode)) return refused('invalid-request', `${beneficiary.bankCode} is not a 9-digit ABA routing number with a valid check digit`, 'beneficiary.bankCode');
      if (!(await o.resolveAccount(beneficiary))) return refused('invalid-request', 'the account token does not resolve to an account number', 'beneficiary.accountToken');
      const hash = requestHash(request);
      const row = await repo.insertEntry(o.pool, {
        payout_id: request.payoutId, tenant_id: request.tenantId, loan_id: request.loanId, request_hash: hash, amount_cents: amount.amountMinor.toString(), transaction_code: 22,
        rdfi_routing: beneficiary.bankCode, account_token: beneficiary.accountToken, account_number_masked: beneficiary.accountNumberMasked ?? null, holder_name: beneficiary.holderName.slice(0, 140),
        individual_id: shortLoanId(request.loanId),
      });
      if (row.request_hash !== hash) return refused('idempotency-conflict', `payout ${request.payoutId} was submitted with another body`, 'payoutId');
      return snapshotOf(row);
    },

    async status(providerPayoutId) {
      if (!providerPayoutId.startsWith(PROVIDER_PREFIX)) return { error: 'not-found' };
      const row = await repo.entryByPayout(o.pool, providerPayoutId.slice(PROVIDER_PREFIX.length));
      return row ? snapshotOf(row) : { error: 'not-found' };
    },

    verifyWebhook: () => ({ error: 'malformed', detail: 'ACH notifications carry many entries: they go to handleNotification (POST /v1/payout-webhooks/ach)' }),

    async flush() {
      const file = (await repo.oldestUnsentFile(o.pool)) ?? (await buildFile());
      if (!file) return { outcomes: [] };
      return { fileId: file.id, outcomes: await send(file) };
    },

    async handleNotification(rawBody, headers) {
      const verified = verifyAchWebhook(rawBody, headers, { secret: o.webhookSecret, maxAgeSeconds: o.webhookMaxAgeSeconds, now: o.now });
      if ('error' in verified) return verified;
      const { event } = verified;
      const at = new Date(event.createdAt);
      if (event.type === 'file.settled') {
        const file = await repo.fileByBankId(o.pool, event.data.fileId);
        return { event: event.type, outcomes: file ? await applySettled(file.id, event.data.traceNumbers, event.data.settlementDate, event.id, at) : [] };
      }
      const text = await o.bank.returnFile(event.data.returnFileId);
      if (text === undefined) throw new Error(`ODFI returns file ${event.data.returnFileId} is not there`);
      const parsed = parseNachaFile(text);
      if (!parsed.ok) throw new Error(`ODFI returns file ${event.data.returnFileId} is not a valid NACHA file: record ${parsed.issue.record}, ${parsed.issue.field}: ${parsed.issue.rule}`);
      const { returns, changes } = readReturnsAndChanges(parsed.file);
      const outcomes: PayoutOutcome[] = [];
      for (const r of returns) {
        const outcome = await applyReturn(r.originalTraceNumber, r.code, event.id, at);
        if (outcome) outcomes.push(outcome);
      }
      for (const c of changes) {
        await o.pool.query(`UPDATE ach_entries SET change_code = $2, change_corrected_data = $3, updated_at = now() WHERE trace_number = $1`, [c.originalTraceNumber, c.code, c.correctedData]);
        o.logger.warn({ trace: c.originalTraceNumber, code: c.code, description: c.description }, 'ACH notification of change: the borrower\'s account data must be corrected before the next entry');
      }
      return { event: event.type, outcomes };
    },

    async reconcile(options = {}) {
      const olderThan = new Date(o.now().getTime() - (options.quietMs ?? 60_000));
      const files = await repo.filesToReconcile(o.pool, olderThan, RETURN_WATCH_DAYS, options.maxFiles ?? 10);
      const outcomes: PayoutOutcome[] = [];
      const at = o.now();
      for (const file of files) {
        const view = await o.bank.fileStatus(file.bank_file_id!);
        // Asked, whatever the answer: the next round starts with files not asked for longest, so none starves the others.
        await o.pool.query('UPDATE ach_files SET updated_at = now() WHERE id = $1', [file.id]);
        if (!view) {
          o.logger.error({ fileId: file.id, bankFileId: file.bank_file_id }, 'the ODFI no longer knows an accepted ACH file; its open entries need an operator');
          continue;
        }
        const settled = view.entries.filter((e) => e.status === 'settled' || (e.status === 'returned' && e.settlementDate));
        if (settled.length > 0) outcomes.push(...(await applySettled(file.id, settled.map((e) => e.traceNumber), settled[0]!.settlementDate!, `ach-reconcile:${file.id}`, at)));
        for (const e of view.entries.filter((x) => x.status === 'returned' && x.returnCode)) {
          const outcome = await applyReturn(e.traceNumber, e.returnCode!, `ach-reconcile:${file.id}`, at);
          if (outcome) outcomes.push(outcome);
        }
      }
      return { files: files.length, outcomes: dedupeLatest(outcomes) };
    },
  };
}
