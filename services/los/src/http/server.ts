import { createHttpServer, registerHealthRoutes, type Logger, type Metrics, type ReadinessCheck } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { reconciliationRoutes, type ReconciliationRoutesDeps } from '../modules/reconciliation/reconciliation.routes.js';
import { applicationRoutes, type ApplicationRoutesDeps } from '../modules/applications/adapters/applications.routes.js';
import { quoteRoutes, type QuoteRoutesDeps } from '../modules/quotes/adapters/quotes.routes.js';

export interface LosServerDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly applications: ApplicationRoutesDeps;
  readonly quotes: QuoteRoutesDeps;
  readonly readiness: Record<string, ReadinessCheck>;
  /** Approvals vs bookings (GET /v1/reconciliation/loans). */
  readonly reconciliation?: ReconciliationRoutesDeps;
}

/** The LOS HTTP API without listen(), so tests drive it with app.inject. */
export async function buildServer(deps: LosServerDeps): Promise<FastifyInstance> {
  const app = await createHttpServer({
    logger: deps.logger,
    metrics: deps.metrics,
    serviceName: 'lendstack-los',
    title: 'Lendstack Loan Origination API',
    description: 'Applications from submission to approval, and quotes (schedule, totals, APR) for loan offers. Errors are RFC 9457 problem+json. Authenticate with a bearer token (JWT, HS256) carrying your tenant and roles.',
    version: '1.0.0',
  });
  registerHealthRoutes(app, deps.readiness);
  await app.register(applicationRoutes, deps.applications);
  await app.register(quoteRoutes, deps.quotes);
  if (deps.reconciliation) await app.register(reconciliationRoutes, deps.reconciliation);
  return app;
}
