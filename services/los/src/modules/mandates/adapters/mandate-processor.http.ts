import { MandateProcessorUnavailableError } from '../ports.js';

export interface ProcessorAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

/**
 * One call to a mandate processor, bounded by `timeoutMs`, retried up to `maxAttempts` on a network error,
 * timeout or 5xx with the same body and Idempotency-Key (so a lost answer never registers twice), then
 * MandateProcessorUnavailableError; a 4xx is answered, never retried.
 */
export async function callProcessor(vendor: string, opts: { timeoutMs: number; maxAttempts: number }, url: string, init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string }): Promise<ProcessorAnswer> {
  let last = '';
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt += 1) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** (attempt - 2))));
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) });
      const text = await response.text();
      if (response.status >= 500) {
        last = `HTTP ${response.status}`;
        continue;
      }
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch { /* not JSON: the caller reads status and text */ }
      return { status: response.status, body, text };
    } catch (error) {
      last = (error as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (error as Error).message;
    }
  }
  throw new MandateProcessorUnavailableError(vendor, `${init.method} ${new URL(url).pathname}: ${last} after ${opts.maxAttempts} attempt(s)`);
}
