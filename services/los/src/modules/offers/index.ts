export { createPgOfferStore } from './adapters/pg-offer.store.js';
export { offerRoutes, type OfferRoutesDeps } from './adapters/offers.routes.js';
