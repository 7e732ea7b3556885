import type { FastifyInstance } from 'fastify';

/** A readiness check: resolves true when the dependency answers within its own bound. */
export type ReadinessCheck = () => Promise<boolean>;

/**
 * /health/live answers while the process runs; /health/ready answers 200 only when every dependency
 * this service needs answers, and names the ones that do not.
 */
export function registerHealthRoutes(app: FastifyInstance, checks: Record<string, ReadinessCheck>, checkTimeoutMs = 2_000): void {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await withinBound(check, checkTimeoutMs)] as const),
    );
    const ready = entries.every(([, ok]) => ok);
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not-ready',
      checks: Object.fromEntries(entries.map(([name, ok]) => [name, ok ? 'up' : 'down'])),
    });
  });
}

/** A check that throws or does not answer within `timeoutMs` counts as down: a probe never hangs. */
async function withinBound(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
