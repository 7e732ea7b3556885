import { createHttpServer, installAccess, registerHealthRoutes, webhookRoutes, type WebhookRoutesDeps, type AccessOptions, type Logger, type Metrics, type ReadinessCheck } from '@lendstack/platform';
import type { FastifyInstance } from 'fastify';
import { reconciliationRoutes, type ReconciliationRoutesDeps } from '../modules/reconciliation/reconciliation.routes.js';
import { loanRoutes, type LoanRoutesDeps } from '../modules/loans/adapters/loans.routes.js';
import { productRoutes, type ProductRoutesDeps } from '../modules/products/adapters/products.routes.js';
import { ledgerRoutes, type LedgerRoutesDeps } from '../modules/ledger/adapters/ledger.routes.js';
import { businessDateRoutes, type BusinessDateRoutesDeps } from '../modules/business-date/business-date.routes.js';
import { servicingRoutes, type ServicingRoutesDeps } from '../modules/servicing/adapters/servicing.routes.js';
import { restructureRoutes } from '../modules/servicing/adapters/restructure.routes.js';
import { writeOffRoutes } from '../modules/servicing/adapters/write-off.routes.js';
import { reAgeRoutes } from '../modules/servicing/adapters/re-age.routes.js';
import { eodRoutes, type EodRoutesDeps } from '../modules/servicing/adapters/eod.routes.js';
import { portfolioRoutes, type PortfolioRoutesDeps } from '../modules/portfolio/adapters/portfolio.routes.js';
import { earlyWarningRoutes, type EarlyWarningRoutesDeps } from '../modules/early-warning/adapters/early-warning.routes.js';
import { payoutWebhookRoute, type PayoutWebhookRouteDeps } from '../modules/payouts/adapters/payout-webhook.routes.js';
import { achWebhookRoutes, type AchWebhookRouteDeps } from '../modules/payouts/adapters/ach-webhook.routes.js';
import { repaymentFileRoutes, type RepaymentFileRoutesDeps } from '../modules/repayment-files/adapters/repayment-files.routes.js';
import { contactRoutes, type ContactRoutesDeps } from '../modules/notifications/adapters/contacts.routes.js';
import { collectionsRoutes, type CollectionsRoutesDeps } from '../modules/collections/adapters/collections.routes.js';
import { twilioStatusRoutes, type TwilioStatusRouteDeps } from '../modules/notifications/adapters/twilio-status.routes.js';
import { reportRoutes, type ReportRoutesDeps } from '../modules/reports/adapters/reports.routes.js';
import { statementRoutes, type StatementRoutesDeps } from '../modules/statements/adapters/statements.routes.js';
import { serviceRequestRoutes, type ServiceRequestRoutesDeps } from '../modules/service-requests/adapters/service-requests.routes.js';
import { auditLogRoutes, type AuditLogRoutesDeps } from '../modules/audit/adapters/audit-log.routes.js';
import { importRoutes, type ImportRoutesDeps } from '../modules/imports/adapters/imports.routes.js';

export interface LmsServerDeps {
  /** Partner API keys, client-credentials tokens, staff tokens of an identity provider, rate limits (before every route). */
  readonly access?: AccessOptions;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly loans: LoanRoutesDeps;
  readonly products: ProductRoutesDeps;
  readonly readiness: Record<string, ReadinessCheck>;
  /** Approvals vs bookings (GET /v1/reconciliation/loans). */
  readonly reconciliation?: ReconciliationRoutesDeps;
  /** The general ledger, read-only (GET /v1/ledger/...). */
  readonly ledger?: LedgerRoutesDeps;
  /** GET/PUT /v1/business-date. */
  readonly businessDate?: BusinessDateRoutesDeps;
  /** Repayments, reversals, disbursements, transactions, delinquency history (modules/servicing). */
  readonly servicing?: ServicingRoutesDeps;
  /** POST/GET /v1/end-of-day-runs. */
  readonly endOfDay?: EodRoutesDeps;
  /** GET /v1/portfolio/... (buckets, roll rates, vintages, heatmap as of a date). */
  readonly portfolio?: PortfolioRoutesDeps;
  /** GET /v1/loans/{id}/early-warning, GET /v1/portfolio/early-warning (NPA early-warning scores). */
  readonly earlyWarning?: EarlyWarningRoutesDeps;
  /** The payout provider's webhook, settling pending disbursements. */
  readonly payoutWebhook?: PayoutWebhookRouteDeps;
  /** The ACH ODFI's webhook (USD disbursements): settlements, returns and notifications of change. */
  readonly achWebhook?: AchWebhookRouteDeps;
  /** POST/GET /v1/repayment-files (bulk repayments, CSV). */
  readonly repaymentFiles?: RepaymentFileRoutesDeps;
  /** A loan's contact attempts, calls, opt-outs and preferences (modules/notifications). */
  readonly contacts?: ContactRoutesDeps;
  readonly collections?: CollectionsRoutesDeps;
  /** The messaging vendor's delivery receipts (POST /v1/notification-webhooks/twilio). */
  readonly twilioStatus?: TwilioStatusRouteDeps;
  /** GET /v1/reports/... (RBI asset classification, US delinquency, trial balance by product, as of a date). */
  readonly reports?: ReportRoutesDeps;
  /** GET /v1/loans/{id}/statement (JSON, CSV, PDF from the ledger). */
  readonly statements?: StatementRoutesDeps;
  /** Service requests (customer queries) per loan, audited. */
  readonly serviceRequests?: ServiceRequestRoutesDeps;
  /** GET /v1/audit-log (admin). */
  readonly auditLog?: AuditLogRoutesDeps;
  /** Partner webhook subscriptions, delivery log and replay (the shared engine in @lendstack/platform). */
  readonly webhooks?: WebhookRoutesDeps;
  /** POST/GET /v1/imports (migration import of an existing book, JSON lines or CSV). */
  readonly imports?: ImportRoutesDeps;
}

/** The LMS HTTP API without listen(), so tests drive it with app.inject. */
export async function buildServer(deps: LmsServerDeps): Promise<FastifyInstance> {
  const app = await createHttpServer({
    logger: deps.logger,
    metrics: deps.metrics,
    serviceName: 'lendstack-lms',
    title: 'Lendstack Loan Management API',
    description: 'Products, loan accounts and repayment schedules. Money is integer minor units as strings with currency and scale. Errors are RFC 9457 problem+json.',
    version: '1.0.0',
  });
  if (deps.access) await installAccess(app, deps.access);
  registerHealthRoutes(app, deps.readiness);
  await app.register(loanRoutes, deps.loans);
  await app.register(productRoutes, deps.products);
  if (deps.reconciliation) await app.register(reconciliationRoutes, deps.reconciliation);
  if (deps.ledger) await app.register(ledgerRoutes, deps.ledger);
  if (deps.businessDate) await app.register(businessDateRoutes, deps.businessDate);
  if (deps.servicing) await app.register(servicingRoutes, deps.servicing);
  if (deps.servicing) await app.register(restructureRoutes, deps.servicing);
  if (deps.servicing) await app.register(writeOffRoutes, deps.servicing);
  if (deps.servicing) await app.register(reAgeRoutes, deps.servicing);
  if (deps.endOfDay) await app.register(eodRoutes, deps.endOfDay);
  if (deps.portfolio) await app.register(portfolioRoutes, deps.portfolio);
  if (deps.earlyWarning) await app.register(earlyWarningRoutes, deps.earlyWarning);
  if (deps.payoutWebhook) await payoutWebhookRoute(app, deps.payoutWebhook);
  if (deps.achWebhook) await app.register(achWebhookRoutes, deps.achWebhook);
  if (deps.repaymentFiles) await app.register(repaymentFileRoutes, deps.repaymentFiles);
  if (deps.contacts) await app.register(contactRoutes, deps.contacts);
  if (deps.collections) await app.register(collectionsRoutes, deps.collections);
  if (deps.twilioStatus) await app.register(twilioStatusRoutes, deps.twilioStatus);
  if (deps.reports) await app.register(reportRoutes, deps.reports);
  if (deps.statements) await app.register(statementRoutes, deps.statements);
  if (deps.serviceRequests) await app.register(serviceRequestRoutes, deps.serviceRequests);
  if (deps.auditLog) await app.register(auditLogRoutes, deps.auditLog);
  if (deps.webhooks) await app.register(webhookRoutes, deps.webhooks);
  if (deps.imports) await app.register(importRoutes, deps.imports);
  return app;
}
