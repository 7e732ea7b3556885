/**
 * The ODFI's file API (packages/testing/sandboxes/ach-sandbox speaks it locally): upload a NACHA file with an
 * Idempotency-Key and get an acknowledgement or a rejection naming the record and rule; download return/NOC
 * files. Each call has a timeout; network errors, timeouts and 5xx are retried a bounded number of times with
 * the same key and bytes (so a lost acknowledgement never sends a file twice); 4xx is never retried.
 */
import { vendorRequest } from '@lendstack/platform';
import { PayoutRailUnavailableError } from '../ports.js';

export interface AchBankClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs?: number;
}

export interface BankRejection {
  readonly record?: number;
  readonly field?: string;
  readonly rule?: string;
  readonly detail: string;
}

export type UploadAnswer =
  | { readonly kind: 'accepted'; readonly bankFileId: string; readonly traceNumbers: readonly string[] }
  | { readonly kind: 'rejected'; readonly bankFileId?: string; readonly rejection: BankRejection }
  | { readonly kind: 'conflict'; readonly detail: string };

export interface BankFileStatus {
  readonly entries: readonly { readonly traceNumber: string; readonly status: 'pending' | 'settled' | 'returned'; readonly returnCode?: string; readonly settlementDate?: string }[];
}

export interface AchBankClient {
  upload(text: string, idempotencyKey: string): Promise<UploadAnswer>;
  /** GET /v1/files/{id}: each entry's status, or undefined if the bank does not know the file. */
  fileStatus(bankFileId: string): Promise<BankFileStatus | undefined>;
  returnFile(returnFileId: string): Promise<string | undefined>;
  /** GET /v1/return-files: every return/NOC file the ODFI holds for us, oldest first. */
  listReturnFiles(): Promise<readonly { readonly id: string; readonly createdAt: string; readonly fileIds: readonly string[] }[]>;
}

export function createAchBankClient(options: AchBankClientOptions): AchBankClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  async function call(method: 'GET' | 'POST', path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
    return vendorRequest({
      url: `${base}${path}`, method, timeoutMs: options.timeoutMs, maxAttempts: options.maxAttempts, ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
      headers: { authorization: `Bearer ${options.apiKey}`, ...(init.body ? { 'content-type': 'text/plain' } : {}), ...init.headers },
      ...(init.body ? { body: init.body } : {}),
    }, (problem) => new PayoutRailUnavailableError(`ODFI ${method} ${path}: ${problem}`));
  }
  const json = (text: string): Record<string, unknown> => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  return {
    async upload(text, idempotencyKey) {
      const { status, text: body } = await call('POST', '/v1/files', { body: text, headers: { 'idempotency-key': idempotencyKey } });
      const answer = json(body);
      if (status === 200 || status === 201) {
        const entries = (answer.entries as { traceNumber: string }[] | undefined) ?? [];
        return { kind: 'accepted', bankFileId: String(answer.id), traceNumbers: entries.map((e) => e.traceNumber) };
      }
      if (status === 422) return { kind: 'rejected', ...(answer.id ? { bankFileId: String(answer.id) } : {}), rejection: (answer.error as BankRejection | undefined) ?? { detail: 'rejected by the ODFI without a reason' } };
      if (status === 409) return { kind: 'conflict', detail: String(answer.detail ?? 'idempotency conflict') };
      throw new Error(`ODFI POST /v1/files answered HTTP ${status}${status === 401 ? ' (check ACH_API_KEY)' : ''}: ${String(answer.detail ?? body.slice(0, 200))}`);
    },
    async fileStatus(bankFileId) {
      const { status, text } = await call('GET', `/v1/files/${encodeURIComponent(bankFileId)}`);
      if (status === 200) return { entries: ((json(text).entries as BankFileStatus['entries'] | undefined) ?? []) };
      if (status === 404) return undefined;
      throw new Error(`ODFI GET /v1/files/${bankFileId} answered HTTP ${status}`);
    },
    async returnFile(returnFileId) {
      const { status, text } = await call('GET', `/v1/return-files/${encodeURIComponent(returnFileId)}`);
      if (status === 200) return text;
      if (status === 404) return undefined;
      throw new Error(`ODFI GET /v1/return-files/${returnFileId} answered HTTP ${status}`);
    },
    async listReturnFiles() {
      const { status, text } = await call('GET', '/v1/return-files');
      if (status !== 200) throw new Error(`ODFI GET /v1/return-files answered HTTP ${status}`);
      return (json(text).returnFiles as { id: string; createdAt: string; fileIds: string[] }[] | undefined) ?? [];
    },
  };
}
