import type { CheckOutcome, CheckReason, CheckRunner } from '../check-runner.js';
import type { IdentityHashes, IdentityKind } from './identity-hashes.js';

/**
 * The `duplicate` check, across ALL tenants by keyed hash. Findings (refer):
 * - `seen-elsewhere`: the national id or account number is on an application of another lender (a count
 *   only: which lender, and anything else about it, stays with them);
 * - `duplicate-application`: another application of this tenant has the same national id;
 * - `contact-shared`: the phone or email came with more than `contactReuseLimit` other national ids.
 */
export function createDuplicateCheckRunner(deps: { hashes: IdentityHashes; contactReuseLimit: number }): CheckRunner {
  return {
    kind: 'duplicate',
    async run(subject): Promise<CheckOutcome> {
      const hashes = await deps.hashes.record(subject);
      const reasons: CheckReason[] = [];
      const evidence: Record<string, unknown> = {};
      for (const kind of ['national-id', 'bank-account'] as const satisfies readonly IdentityKind[]) {
        const counts = await deps.hashes.counts(subject.applicationId, subject.tenantId, kind, hashes.get(kind)!);
        evidence[kind] = { otherApplicationsThisTenant: counts.sameTenant, applicationsElsewhere: counts.elsewhere };
        if (counts.elsewhere > 0) reasons.push({ code: 'seen-elsewhere', detail: `${kind} is on ${counts.elsewhere} application(s) with other lenders` });
        if (kind === 'national-id' && counts.sameTenant > 0) reasons.push({ code: 'duplicate-application', detail: `national id is on ${counts.sameTenant} other application(s) of this lender` });
      }
      for (const kind of ['phone', 'email'] as const) {
        const others = await deps.hashes.otherIdentities(kind, hashes.get(kind)!, hashes.get('national-id')!);
        evidence[kind] = { otherNationalIds: others, limit: deps.contactReuseLimit };
        if (others > deps.contactReuseLimit) reasons.push({ code: 'contact-shared', detail: `${kind} came with ${others} other national ids (limit ${deps.contactReuseLimit})` });
      }
      return { kind: 'duplicate', result: reasons.length > 0 ? 'refer' : 'pass', score: reasons.length > 0 ? 1 : 0, reasons, evidence };
    },
  };
}
