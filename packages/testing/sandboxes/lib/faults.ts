/**
 * Sandbox-only fault injection, not part of any vendor protocol: `POST /sandbox/faults {status?, before?, after?}`
 * arms the next `before` requests to fail before the sandbox acts and the next `after` to fail after it has
 * acted (the write is kept, the answer lost), with `status` (5xx, default 503). Retry tests use it; the
 * sandbox's route decrements the counter it consumes.
 */
import type { FastifyInstance } from 'fastify';

export interface Faults {
  status: number;
  before: number;
  after: number;
}

const MAX_ARMED = 100;

export function registerFaultControl(app: FastifyInstance): Faults {
  const faults: Faults = { status: 503, before: 0, after: 0 };
  app.post<{ Body: { status?: number; before?: number; after?: number } }>('/sandbox/faults', {
    schema: {
      body: {
        type: 'object',
        properties: { status: { type: 'integer', minimum: 500, maximum: 599 }, before: { type: 'integer', minimum: 0, maximum: MAX_ARMED }, after: { type: 'integer', minimum: 0, maximum: MAX_ARMED } },
        additionalProperties: false,
      },
    },
  }, async (request) => {
    Object.assign(faults, { status: request.body.status ?? 503, before: request.body.before ?? 0, after: request.body.after ?? 0 });
    return faults;
  });
  return faults;
}
