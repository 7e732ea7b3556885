export { applyAutomatedDecision, createPgReviewStore } from './adapters/pg-review.repository.js';
export { renderAdverseActionNotice, type NoticeRenderer } from './adapters/pdfkit-notice.renderer.js';
export { reviewRoutes, type ReviewRoutesDeps } from './adapters/review.routes.js';
export { DEMO_CREDITOR, DEMO_APPROVAL_LIMITS } from './domain/demo-data.js';
export type { NoticeDraft, ReviewStore } from './ports.js';
export { prepareNotice, type NoticeDeps } from './use-cases/prepare-notice.js';
export { createApprovalGate } from './use-cases/approval-gate.js';
export { createDeclineNotices, type DeclineNoticeDeps } from './use-cases/decline-notice.js';
