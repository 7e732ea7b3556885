import { VendorResponseError, VendorUnavailableError } from '../../checks/check-runner.js';

export interface VendorCall {
  readonly vendor: string;
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'PUT';
  readonly headers?: Record<string, string>;
  readonly body?: string | FormData;
  /** Bound on one call; past it the vendor counts as unavailable (the workflow retries). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface VendorAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly bytes: Buffer;
}

/**
 * One HTTP call to a vendor, with the failure table every adapter shares: unreachable, timed out or 5xx →
 * VendorUnavailableError (retried); 4xx → VendorResponseError naming the status and the vendor's message.
 */
export async function callVendor(call: VendorCall): Promise<VendorAnswer> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  let response: Response;
  let bytes: Buffer;
  try {
    response = await fetch(call.url, { method: call.method ?? 'GET', headers: call.headers, body: call.body, signal });
    bytes = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (call.signal?.aborted) throw error;
    const reason = timeout.aborted ? `no answer within ${call.timeoutMs} ms` : `unreachable (${(error as Error).message})`;
    throw new VendorUnavailableError(call.vendor, `${call.method ?? 'GET'} ${new URL(call.url).pathname}: ${reason}`);
  }
  const where = `${call.method ?? 'GET'} ${new URL(call.url).pathname}`;
  if (response.status >= 500) throw new VendorUnavailableError(call.vendor, `${where} answered ${response.status}`);
  if (response.status >= 400) throw new VendorResponseError(call.vendor, `${where} answered ${response.status}: ${bytes.toString('utf8').slice(0, 300)}`);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', bytes };
}

/** The answer as JSON, or VendorResponseError when it is not JSON. */
export function vendorJson(vendor: string, answer: VendorAnswer, where: string): unknown {
  try {
    return JSON.parse(answer.bytes.toString('utf8'));
  } catch {
    throw new VendorResponseError(vendor, `${where}: the body is not JSON (${answer.bytes.subarray(0, 60).toString('utf8')}…)`);
  }
}

/** Parses a vendor JSON body with a zod-like schema; a mismatch is a VendorResponseError naming the path. */
export function vendorParse<T>(vendor: string, where: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new VendorResponseError(vendor, `${where}: ${issue ? `${issue.path.map(String).join('.') || 'body'} ${issue.message}` : 'unexpected shape'}`);
}
