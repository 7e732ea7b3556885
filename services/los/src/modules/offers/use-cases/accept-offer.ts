import type { Principal } from '@lendstack/platform';
import type { ApplicationStatus } from '../../applications/domain/application.js';
import type { IdempotencyClaim } from '../../review/ports.js';
import { missingConsent, type Consent, type ConsentError, type OfferAcceptance } from '../domain/acceptance.js';
import type { OfferDeps } from './make-offers.js';

export interface AcceptOfferInput {
  readonly principal: Principal;
  readonly applicationId: string;
  readonly offerId: string;
  readonly kfsReference: string;
  readonly kfsSha256: string;
  readonly consents: readonly Consent[];
  /** Where the acceptance came from (the request's address as the server resolves it) and its user agent. */
  readonly ip: string;
  readonly userAgent: string;
  readonly idempotency: IdempotencyClaim;
}

export type AcceptOfferError =
  | ConsentError
  | { kind: 'not-found' }
  | { kind: 'idempotency-key-reused' }
  | { kind: 'offer-not-found' }
  | { kind: 'another-offer-accepted'; offerId: string }
  | { kind: 'not-policy-approved'; status: ApplicationStatus }
  | { kind: 'offer-expired'; expiresAt: Date }
  | { kind: 'kfs-not-issued' }
  | { kind: 'kfs-mismatch'; sha256: string };

export type AcceptOfferResult = { ok: true; status: 200 | 201; body: unknown; replayed: boolean } | { ok: false; error: AcceptOfferError };

/**
 * Accepts an offer of the application's current checks run with the borrower's consents, against the exact
 * Key Fact Statement issued for it (reference and SHA-256), in ONE transaction: the offer_acceptances row,
 * policy-approved → offer-accepted, the `offer-accepted` audit entry and the Idempotency-Key's answer. The
 * same offer accepted again (another key) answers 200 with the first acceptance; nothing is written twice.
 * Failures: consent-required (e-sign consent missing or refused), not-found, idempotency-key-reused,
 * offer-not-found, another-offer-accepted, not-policy-approved, offer-expired, kfs-not-issued (no KFS with
 * that reference for the offer), kfs-mismatch (its hash is not the one given).
 */
export async function acceptOffer(deps: OfferDeps, input: AcceptOfferInput): Promise<AcceptOfferResult> {
  const consent = missingConsent(input.consents);
  if (consent) return { ok: false, error: consent };
  const tenantId = input.principal.tenantId;
  return deps.offers.transaction(async (tx): Promise<AcceptOfferResult> => {
    const claimed = await tx.claim(tenantId, input.idempotency);
    if (claimed.kind === 'reused') throw new Refused({ kind: 'idempotency-key-reused' });
    if (claimed.kind === 'replay') return { ok: true, status: claimed.status as 200 | 201, body: claimed.body, replayed: true };
    const app = await tx.lockApplication(tenantId, input.applicationId);
    if (!app) throw new Refused({ kind: 'not-found' });
    const offer = await tx.offer(input.applicationId, app.checksRun, input.offerId);
    if (!offer) throw new Refused({ kind: 'offer-not-found' });
    const existing = await tx.acceptance(input.applicationId, app.checksRun);
    if (existing && existing.offerId !== offer.id) throw new Refused({ kind: 'another-offer-accepted', offerId: existing.offerId });
    if (existing) {
      const body = acceptanceView(existing);
      await tx.remember(tenantId, input.idempotency.key, 200, body);
      return { ok: true, status: 200, body, replayed: false };
    }
    if (app.status !== 'policy-approved') throw new Refused({ kind: 'not-policy-approved', status: app.status });
    const now = deps.now();
    if (now.getTime() >= offer.expiresAt.getTime()) throw new Refused({ kind: 'offer-expired', expiresAt: offer.expiresAt });
    const kfs = await tx.kfs(tenantId, offer.id, input.kfsReference);
    if (!kfs) throw new Refused({ kind: 'kfs-not-issued' });
    if (kfs.sha256 !== input.kfsSha256) throw new Refused({ kind: 'kfs-mismatch', sha256: kfs.sha256 });
    const acceptance: OfferAcceptance = {
      applicationId: input.applicationId, checksRun: app.checksRun, offerId: offer.id, kfsReference: kfs.reference, kfsVersion: kfs.templateVersion, kfsSha256: kfs.sha256,
      acceptedBy: input.principal.subject, acceptedAt: now, ip: input.ip, userAgent: input.userAgent, consents: input.consents,
    };
    await tx.insertAcceptance({ ...acceptance, tenantId });
    await tx.setStatus(input.applicationId, 'policy-approved', 'offer-accepted');
    await tx.audit({
      tenantId, applicationId: input.applicationId, checksRun: app.checksRun, action: 'offer-accepted', actor: input.principal.subject, at: now,
      detail: { offerId: offer.id, label: offer.label, kfsReference: kfs.reference, kfsVersion: kfs.templateVersion, kfsSha256: kfs.sha256, ip: input.ip, userAgent: input.userAgent, consents: input.consents },
    });
    const body = acceptanceView(acceptance);
    await tx.remember(tenantId, input.idempotency.key, 201, body);
    return { ok: true, status: 201, body, replayed: false };
  }).catch((error: unknown) => {
    if (error instanceof Refused) return { ok: false, error: error.error };
    throw error;
  });
}

class Refused extends Error {
  constructor(readonly error: AcceptOfferError) {
    super(error.kind);
  }
}

export function acceptanceView(a: OfferAcceptance) {
  return {
    applicationId: a.applicationId, checksRun: a.checksRun, offerId: a.offerId, kfs: { reference: a.kfsReference, version: a.kfsVersion, sha256: a.kfsSha256 },
    acceptedBy: a.acceptedBy, acceptedAt: a.acceptedAt.toISOString(), ip: a.ip, userAgent: a.userAgent, consents: a.consents,
  };
}
