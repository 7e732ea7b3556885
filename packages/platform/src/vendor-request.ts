/**
 * One HTTP call to a third party with the retry rule every vendor adapter shares: each attempt has its
 * own timeout (response body included); network errors, timeouts and 5xx are retried up to
 * `maxAttempts` in all, with the same request (so the vendor's idempotency key makes a repeat harmless),
 * after a delay that doubles from `retryBaseDelayMs` (100 ms) with jitter, capped at 2 s. Any other
 * answer is returned as it came. When every attempt failed it throws what `unavailable` makes of the
 * last problem, so each adapter raises its own port's error.
 */
export interface VendorRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly retryBaseDelayMs?: number;
}

export async function vendorRequest(request: VendorRequest, unavailable: (problem: string) => Error): Promise<{ status: number; text: string }> {
  const baseDelayMs = request.retryBaseDelayMs ?? 100;
  let lastProblem = '';
  for (let attempt = 1; attempt <= request.maxAttempts; attempt += 1) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.min(2_000, baseDelayMs * 2 ** (attempt - 2)) * (0.5 + Math.random() / 2)));
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const text = await response.text();
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status}`;
        continue;
      }
      return { status: response.status, text };
    } catch (error) {
      lastProblem = (error as Error).name === 'TimeoutError' ? `timed out after ${request.timeoutMs} ms` : (error as Error).message;
    }
  }
  throw unavailable(`${lastProblem} after ${request.maxAttempts} attempt(s)`);
}
