import http from 'node:http';

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

export interface HttpClient {
  post(path: string, headers: Record<string, string>, body: string): Promise<HttpResult>;
  close(): void;
}

/**
 * A keep-alive HTTP/1.1 client over node:http with at most `maxSockets` connections: cheaper per
 * request than fetch, so the load generator takes less of the two cores from the services it measures.
 */
export function createHttpClient(baseUrl: string, maxSockets: number, timeoutMs = 30_000): HttpClient {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const post = (path: string, headers: Record<string, string>, body: string) =>
    new Promise<HttpResult>((resolve, reject) => {
      const started = performance.now();
      const request = http.request(
        { host: url.hostname, port: url.port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ms: performance.now() - started }));
          response.on('error', reject);
        },
      );
      request.setTimeout(timeoutMs, () => request.destroy(new Error(`POST ${path} timed out after ${timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  return { post, close: () => agent.destroy() };
}

/** Runs `work(i)` for every i in [0, count) with at most `concurrency` calls in flight; keeps results in order. */
export async function runBounded<T>(count: number, concurrency: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      results[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
