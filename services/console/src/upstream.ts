/** A call to the LOS or the LMS with the signed-in user's token; the APIs decide what the user may see and do. */
export interface UpstreamResult<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly ok: boolean;
}

export interface Upstream {
  get<T = unknown>(path: string): Promise<UpstreamResult<T>>;
  post<T = unknown>(path: string, body: unknown, idempotencyKey?: string): Promise<UpstreamResult<T>>;
}

/** A problem+json the API answered, or one describing why it could not be reached. */
export interface ProblemBody {
  type?: string;
  title?: string;
  detail?: string;
  status?: number;
  errors?: { pointer?: string; detail?: string }[];
}

export class UpstreamUnauthorized extends Error {}

export function upstream(baseUrl: string, token: string, timeoutMs: number): Upstream {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown, idempotencyKey?: string): Promise<UpstreamResult<T>> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    let res: Response;
    try {
      res = await fetch(new URL(path, baseUrl), { method, headers, signal: AbortSignal.timeout(timeoutMs), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (error) {
      const detail = `${method} ${new URL(path, baseUrl).href} did not answer: ${(error as Error).message}`;
      return { status: 502, ok: false, body: { type: 'https://lendstack.dev/problems/upstream-unreachable', title: 'Service unreachable', status: 502, detail } as T };
    }
    // An expired or refused token: the user signs in again (the page says why).
    if (res.status === 401) throw new UpstreamUnauthorized(`${new URL(baseUrl).host} refused the token`);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch { /* not JSON: keep the text */ }
    return { status: res.status, ok: res.ok, body: parsed as T };
  };
  return {
    get: (path) => call('GET', path),
    post: (path, body, key) => call('POST', path, body, key),
  };
}
