import type { ProductDefinition } from '@lendstack/contracts';
import type { CreditorProfile } from '../../review/domain/adverse-action-notice.js';
import { buildKfs, KFS_TEMPLATE_VERSIONS, kfsSha256, variantFor, type KfsContent, type KfsError, type KfsVariant } from '../domain/kfs.js';
import type { OfferStore, StoredKfs } from '../ports.js';

export type KfsRenderer = (content: KfsContent) => Promise<Buffer>;

export interface KfsDeps {
  readonly offers: OfferStore;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly kfs: {
    /** The tenant's creditor profile (modules/review): the lender and its grievance contact. */
    readonly creditor: (tenantId: string) => Promise<CreditorProfile | undefined>;
    /** The product as the LOS's catalogue holds it (contingent charges); undefined when it has none. */
    readonly product: (tenantId: string, productCode: string) => Promise<ProductDefinition | undefined>;
    readonly render: KfsRenderer;
    /** The cooling-off (look-up) period the statement promises, in days. */
    readonly coolingOffDays: number;
  };
}

export type KfsResult =
  | { ok: true; kfs: StoredKfs }
  | { ok: false; error: KfsError | { kind: 'not-found' } | { kind: 'no-offers' } | { kind: 'offer-not-found' } | { kind: 'offer-expired'; expiresAt: Date } | { kind: 'no-creditor-profile' } };

/** `KFS-<issue date>-<12 hex>`: unique (the table's key), readable on the phone. */
export const kfsReference = (id: string, at: Date) => `KFS-${at.toISOString().slice(0, 10).replaceAll('-', '')}-${id.replaceAll('-', '').slice(-12).toUpperCase()}`;

/**
 * The Key Fact Statement of an offer of the application's current checks run (default: the accepted offer,
 * else the first), in the variant asked for (default: by the loan's currency). Issued on first request and
 * stored; every later request returns the stored statement unchanged. Failures: not-found (application),
 * no-offers, offer-not-found, offer-expired (no new statement for an offer that can no longer be accepted),
 * no-creditor-profile (a statement names its lender), unpriceable (the engine's schedule does not give the
 * offer's APR).
 */
export async function keyFactStatement(deps: KfsDeps, input: { tenantId: string; applicationId: string; offerId?: string; variant?: KfsVariant }): Promise<KfsResult> {
  const current = await deps.offers.current(input.tenantId, input.applicationId);
  if (!current) return { ok: false, error: { kind: 'not-found' } };
  const { checksRun, offers, acceptance } = current;
  if (offers.length === 0) return { ok: false, error: { kind: 'no-offers' } };
  const wanted = input.offerId ?? acceptance?.offerId ?? offers[0]!.id;
  const offer = offers.find((o) => o.id === wanted);
  if (!offer) return { ok: false, error: { kind: 'offer-not-found' } };
  const variant = input.variant ?? variantFor(offer.terms.principal.currency);
  const stored = await deps.offers.kfs(input.tenantId, offer.id, variant);
  if (stored) return { ok: true, kfs: stored };
  const now = deps.now();
  if (now.getTime() >= offer.expiresAt.getTime()) return { ok: false, error: { kind: 'offer-expired', expiresAt: offer.expiresAt } };
  const creditor = await deps.kfs.creditor(input.tenantId);
  if (!creditor) return { ok: false, error: { kind: 'no-creditor-profile' } };
  const product = await deps.kfs.product(input.tenantId, offer.terms.productCode);
  const reference = kfsReference(deps.newId(), now);
  const built = buildKfs({ reference, variant, issuedAt: now, applicationId: input.applicationId, checksRun, offer, creditor, product, coolingOffDays: deps.kfs.coolingOffDays });
  if (!built.ok) return { ok: false, error: built.error };
  const kfs = await deps.offers.issueKfs({
    reference, tenantId: input.tenantId, applicationId: input.applicationId, checksRun, offerId: offer.id, variant,
    templateVersion: KFS_TEMPLATE_VERSIONS[variant], content: built.content, sha256: kfsSha256(built.content), issuedAt: now,
  });
  return { ok: true, kfs };
}

export function kfsView(k: StoredKfs) {
  return { reference: k.reference, version: k.templateVersion, variant: k.variant, sha256: k.sha256, issuedAt: k.issuedAt.toISOString(), offerId: k.offerId, content: k.content };
}
