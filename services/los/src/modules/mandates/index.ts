export { createPgMandateStore, originationMandateOf } from './adapters/pg-mandate.store.js';
export { createMandatePorts } from './adapters/mandate-ports.js';
export { createNachEmandateAdapter } from './adapters/nach-emandate.adapter.js';
export { createStripeAchAdapter } from './adapters/stripe-ach-mandate.adapter.js';
export { mandateRoutes, type MandateRoutesDeps } from './adapters/mandates.routes.js';
export { signedWebhookHeader } from './adapters/webhook-signature.js';
export { startMandatePoller } from './adapters/mandate-poller.js';
export { refreshPendingMandates } from './use-cases/refresh-pending.js';
