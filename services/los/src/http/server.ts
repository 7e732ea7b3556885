import { createHttpServer, installAccess, registerHealthRoutes, webhookRoutes, type WebhookRoutesDeps, type AccessOptions, type Logger, type Metrics, type ReadinessCheck } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { reconciliationRoutes, type ReconciliationRoutesDeps } from '../modules/reconciliation/reconciliation.routes.js';
import { applicationRoutes, type ApplicationRoutesDeps } from '../modules/applications/adapters/applications.routes.js';
import { quoteRoutes, type QuoteRoutesDeps } from '../modules/quotes/adapters/quotes.routes.js';
import { documentRoutes, type DocumentRoutesDeps } from '../modules/documents/adapters/documents.routes.js';
import { onfidoWebhookRoutes, type OnfidoWebhookRoutesDeps } from '../modules/kyc/adapters/onfido-webhook.routes.js';
import { checkRoutes, type CheckRoutesDeps } from '../modules/checks/adapters/checks.routes.js';
import { underwritingRoutes, type UnderwritingRoutesDeps } from '../modules/underwriting/index.js';
import { reviewRoutes, type ReviewRoutesDeps } from '../modules/review/index.js';
import { offerRoutes, type OfferRoutesDeps } from '../modules/offers/index.js';
import { agreementRoutes, docuSignWebhookRoutes, type AgreementRoutesDeps, type DocuSignWebhookRoutesDeps } from '../modules/agreements/index.js';
import { repaymentProfileRoutes, type RepaymentProfileRoutesDeps } from '../modules/borrower-profile/index.js';
import { mandateRoutes, type MandateRoutesDeps } from '../modules/mandates/index.js';
import { timelineRoutes, type TimelineRoutesDeps } from '../modules/audit/index.js';

export interface LosServerDeps {
  /** Partner API keys, client-credentials tokens, staff tokens of an identity provider, rate limits (before every route). */
  readonly access?: AccessOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly applications: ApplicationRoutesDeps;
  readonly quotes: QuoteRoutesDeps;
  /** Application checks (GET /v1/applications/{id}/checks, re-runs). */
  readonly checks: CheckRoutesDeps;
  readonly readiness: Record<string, ReadinessCheck>;
  /** Approvals vs bookings (GET /v1/reconciliation/loans). */
  readonly reconciliation?: ReconciliationRoutesDeps;
  /** Borrower repayment profiles from the LMS (GET /v1/borrowers/{key}/repayment-profile, GET /v1/applications/{id}/repayment-profile). */
  readonly borrowerProfiles?: RepaymentProfileRoutesDeps;
  /** POST/GET /v1/applications/{id}/documents. */
  readonly documents?: DocumentRoutesDeps;
  /** POST /v1/kyc-webhooks/onfido. */
  readonly kycWebhooks?: OnfidoWebhookRoutesDeps;
  /** Policies (GET/POST /v1/policies, approvals) and automated decisions (/v1/applications/{id}/decision). */
  readonly underwriting?: UnderwritingRoutesDeps;
  /** Maker-checker review (GET /v1/review-queue, recommendation, decision), audit trails and adverse-action notices. */
  readonly review?: ReviewRoutesDeps;
  /** POST/GET /v1/applications/{id}/offers, the Key Fact Statement (GET …/kfs) and POST …/offers/{offerId}/accept. */
  readonly offers?: OfferRoutesDeps;
  /** POST/GET /v1/applications/{id}/agreement (generated, stamped, sent for e-signature). */
  readonly agreements?: AgreementRoutesDeps;
  /** POST /v1/webhooks/esign/docusign (DocuSign Connect, HMAC-verified). */
  readonly esignWebhooks?: DocuSignWebhookRoutesDeps;
  /** POST/GET /v1/applications/{id}/mandate and the mandate processors' webhooks (POST /v1/mandate-webhooks/{vendor}). */
  readonly mandates?: MandateRoutesDeps;
  /** GET /v1/applications/{id}/timeline: the whole story of an application, from its audit trail and the tables that hold the rest. */
  readonly timeline?: TimelineRoutesDeps;
  /** Partner webhook subscriptions, delivery log and replay (the shared engine in @lendstack/platform). */
  readonly webhooks?: WebhookRoutesDeps;
}

/** The LOS HTTP API without listen(), so tests drive it with app.inject. */
export async function buildServer(deps: LosServerDeps): Promise<FastifyInstance> {
  const app = await createHttpServer({
    logger: deps.logger,
    metrics: deps.metrics,
    serviceName: 'lendstack-los',
    title: 'Lendstack Loan Origination API',
    description: 'Applications from submission through their automatic checks to approval, and quotes (schedule, totals, APR) for loan offers. Errors are RFC 9457 problem+json. Authenticate with a bearer token (JWT, HS256) carrying your tenant and roles.',
    version: '1.0.0',
  });
  if (deps.access) await installAccess(app, deps.access);
  registerHealthRoutes(app, deps.readiness);
  await app.register(applicationRoutes, deps.applications);
  await app.register(quoteRoutes, deps.quotes);
  await app.register(checkRoutes, deps.checks);
  if (deps.reconciliation) await app.register(reconciliationRoutes, deps.reconciliation);
  if (deps.borrowerProfiles) await app.register(repaymentProfileRoutes, deps.borrowerProfiles);
  if (deps.documents) await app.register(documentRoutes, deps.documents);
  if (deps.kycWebhooks) await app.register(onfidoWebhookRoutes, deps.kycWebhooks);
  if (deps.underwriting) await app.register(underwritingRoutes, deps.underwriting);
  if (deps.review) await app.register(reviewRoutes, deps.review);
  if (deps.offers) await app.register(offerRoutes, deps.offers);
  if (deps.agreements) await app.register(agreementRoutes, deps.agreements);
  if (deps.esignWebhooks) await app.register(docuSignWebhookRoutes, deps.esignWebhooks);
  if (deps.mandates) await app.register(mandateRoutes, deps.mandates);
  if (deps.timeline) await app.register(timelineRoutes, deps.timeline);
  if (deps.webhooks) await app.register(webhookRoutes, deps.webhooks);
  return app;
}
