/**
 * A collection processor's JSON API, with the retry and error rules every rail shares (the NACH, UPI AutoPay
 * and card-on-file rails each use one). Locally, packages/testing/sandboxes/nach-sandbox and card-sandbox speak:
 * - a NACH processor shaped like LotusPay's (Juspay) `mandate` and `ach_debit` resources: POST /v1/mandates,
 *   /v1/mandates/{id}/amend and /cancel, POST /v1/ach_debits, GET /v1/ach_debits?batch=;
 * - a UPI AutoPay PSP: POST /upi/v1/mandates, /upi/v1/mandates/{id}/notifications (the pre-debit notification
 *   that schedules one execution), GET /upi/v1/executions?batch=.
 * `Authorization: Bearer <api key>` and an Idempotency-Key on every create. Each call has a timeout; network
 * errors, timeouts and 5xx are retried a bounded number of times with the same key and body (so a lost answer
 * never creates twice) and then reported as CollectionRailUnavailableError; a 4xx is answered, never retried.
 */
import { vendorRequest } from '@lendstack/platform';
import { CollectionRailUnavailableError } from '../ports.js';

export interface ProcessorApiClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs?: number;
  /** Named in errors: "NACH processor", "UPI PSP". */
  readonly name: string;
}

/** A vendor's answer: its status and JSON body (an object, or `{}` when the body was not JSON). */
export interface VendorAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The raw text, kept for a body that is not the JSON the vendor documents. */
  readonly text: string;
}

export interface ProcessorApiClient {
  post(path: string, body: Record<string, unknown>, idempotencyKey: string): Promise<VendorAnswer>;
  get(path: string): Promise<VendorAnswer>;
}

export function createProcessorApiClient(options: ProcessorApiClientOptions): ProcessorApiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  async function call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>, idempotencyKey?: string): Promise<VendorAnswer> {
    const { status, text } = await vendorRequest({
      url: `${base}${path}`, method, timeoutMs: options.timeoutMs, maxAttempts: options.maxAttempts, ...(options.retryBaseDelayMs === undefined ? {} : { retryBaseDelayMs: options.retryBaseDelayMs }),
      headers: { authorization: `Bearer ${options.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }, (problem) => new CollectionRailUnavailableError(`${options.name} ${method} ${path}: ${problem}`));
    return { status, body: parseObject(text), text };
  }
  return {
    post: (path, body, idempotencyKey) => call('POST', path, body, idempotencyKey),
    get: (path) => call('GET', path),
  };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The field a vendor's 4xx problem names (`field`), or undefined. */
export const vendorField = (a: VendorAnswer): string | undefined => (typeof a.body.field === 'string' ? a.body.field : undefined);
export const vendorDetail = (a: VendorAnswer): string => (typeof a.body.detail === 'string' ? a.body.detail : `HTTP ${a.status}`);
export const vendorRule = (a: VendorAnswer): string => (typeof a.body.title === 'string' ? a.body.title : `http-${a.status}`);
