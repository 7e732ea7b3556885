export { createPgOfferStore } from './adapters/pg-offer.store.js';
export { offerRoutes, type OfferRoutesDeps } from './adapters/offers.routes.js';
export { renderKfsPdf } from './adapters/pdfkit-kfs.renderer.js';
export { DEFAULT_COOLING_OFF_DAYS } from './domain/kfs.js';
