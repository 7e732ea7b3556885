export { createPgRepaymentProfileStore } from './adapters/pg-repayment-profile.store.js';
export { repaymentProfileRoutes, type RepaymentProfileRoutesDeps } from './adapters/repayment-profile.routes.js';
export { isRepaymentEventType, type RepaymentEvent, type RepaymentProfile } from './domain/repayment-profile.js';
export type { RepaymentProfileStore } from './ports.js';
export { lenderHistoryOf, recordRepaymentEvents, repaymentProfileOf, type LenderHistory, type RepaymentProfileDeps } from './use-cases/repayment-profile.js';
