import { eventually } from './wait.js';

/**
 * Statuses in which an application's checks have concluded: complete or in exception, or already moved on by the
 * automated decision of a product with a policy in effect (policy-approved, referred, declined).
 */
const CONCLUDED = ['checks-complete', 'checks-exception', 'policy-approved', 'referred', 'declined'] as const;
type Concluded = (typeof CONCLUDED)[number];

/**
 * Waits until the LOS has concluded an application's checks (see CONCLUDED) and
 * returns the application as GET /v1/applications/{id} shows it. A submitted application's checks run
 * on the LOS's Temporal worker; an approval before they complete is refused (409 checks-not-complete).
 * `get` issues the GET however the test reaches the LOS (over a socket or app.inject).
 */
export async function awaitChecksConcluded<T extends { status: string }>(
  get: (path: string) => Promise<{ status: number; body: unknown }>,
  applicationId: string,
  options: { timeoutMs?: number; expect?: Concluded } = {},
): Promise<T> {
  const app = await eventually(async () => {
    const res = await get(`/v1/applications/${applicationId}`);
    if (res.status !== 200) throw new Error(`GET application ${applicationId}: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as T;
    return (CONCLUDED as readonly string[]).includes(body.status) ? body : undefined;
  }, { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 100, what: `checks of application ${applicationId} to conclude` }).catch(async (error: Error) => {
    // Where they stood: which checks ran, which are still pending or retrying.
    const checks = await get(`/v1/applications/${applicationId}/checks`).catch((e: Error) => ({ status: 0, body: e.message }));
    throw new Error(`${error.message}; its checks then: ${JSON.stringify(checks.body)}`);
  });
  if (options.expect && app.status !== options.expect) {
    const checks = await get(`/v1/applications/${applicationId}/checks`);
    throw new Error(`application ${applicationId} is ${app.status}, expected ${options.expect}: ${JSON.stringify(checks.body)}`);
  }
  return app;
}

/** `awaitChecksConcluded` over HTTP with a bearer token. */
export function awaitChecksOverHttp<T extends { status: string }>(baseUrl: string, authorization: string, applicationId: string, options: { timeoutMs?: number; expect?: Concluded } = {}): Promise<T> {
  return awaitChecksConcluded<T>(async (path) => {
    const res = await fetch(`${baseUrl}${path}`, { headers: { authorization } });
    return { status: res.status, body: await res.json() };
  }, applicationId, options);
}
