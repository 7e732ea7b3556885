// A service request (customer query) on a loan: its types, statuses and the transitions allowed. Pure.

/** What staff open by hand. */
export const STAFF_REQUEST_TYPES = ['foreclosure-request', 'dispute', 'address-change', 'statement-request', 'other'] as const;
/** Every type; `payout-exception` is opened by the LMS itself for a payout outcome it could not apply (disbursements.ts). */
export const SERVICE_REQUEST_TYPES = [...STAFF_REQUEST_TYPES, 'payout-exception'] as const;
export type ServiceRequestType = (typeof SERVICE_REQUEST_TYPES)[number];

export const SERVICE_REQUEST_STATUSES = ['open', 'in-progress', 'resolved', 'rejected'] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];

/** open → in-progress → resolved | rejected; an open request may also be resolved or rejected at once. Resolved and rejected are final. */
const NEXT: Readonly<Record<ServiceRequestStatus, readonly ServiceRequestStatus[]>> = {
  open: ['in-progress', 'resolved', 'rejected'],
  'in-progress': ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
};

export type TransitionCheck = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** Whether `from` may move to `to`; a refusal says which moves are allowed. */
export function checkTransition(from: ServiceRequestStatus, to: ServiceRequestStatus): TransitionCheck {
  if (NEXT[from].includes(to)) return { ok: true };
  const allowed = NEXT[from];
  return { ok: false, detail: `${from === 'open' || from === 'in-progress' ? 'an' : 'a'} ${from} request cannot become ${to}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${from} is final)`}` };
}
