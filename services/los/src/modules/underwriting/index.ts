export { createPgDecisionRepository, createPgPolicyRepository } from './adapters/pg-underwriting.repository.js';
export { loadScorecardModel } from './adapters/scorecard-model.js';
export { underwritingRoutes, type UnderwritingRoutesDeps } from './adapters/underwriting.routes.js';
export { DEMO_PRODUCTS, defaultPolicy } from './domain/default-policies.js';
export { createPolicyEngine, type PolicyEngine } from './domain/policy-engine.js';
export { decideWhenChecksConclude } from './use-cases/decide-when-checks-conclude.js';
