export { createPgAuditChainReader } from './adapters/pg-audit-chain.repository.js';
export { createPgTimelineReader } from './adapters/pg-timeline.repository.js';
export { timelineRoutes, type TimelineRoutesDeps } from './adapters/timeline.routes.js';
export type { AuditChainReader, TimelineReader } from './ports.js';
export { verifyAuditChain, type TenantVerdict, type VerifySummary } from './use-cases/verify-audit-chain.js';
