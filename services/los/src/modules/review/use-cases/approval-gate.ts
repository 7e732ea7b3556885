import type { ApprovalGate } from '../../applications/use-cases/decide-application.js';
import type { PolicyRepository } from '../../underwriting/ports.js';
import type { ReviewStore } from '../ports.js';

/** What POST /v1/applications/{id}/approve asks of underwriting: a policy in effect for the product, and the caller's approval limit. */
export function createApprovalGate(policies: Pick<PolicyRepository, 'effective'>, reviews: Pick<ReviewStore, 'approvalLimit'>): ApprovalGate {
  return {
    policyInEffect: async (tenantId, productCode, at) => (await policies.effective(tenantId, productCode, at)) !== undefined,
    approvalLimit: (tenantId, roles, currency) => reviews.approvalLimit(tenantId, roles, currency),
  };
}
