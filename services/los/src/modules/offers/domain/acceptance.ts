/**
 * Accepting an offer: the consents that go with it and what is recorded. The borrower accepts the exact Key
 * Fact Statement they were shown (its reference and SHA-256, checked against the stored one) and gives
 * their consents, each with the version of the text they agreed to. E-SIGN (15 U.S.C. 7001(c)) makes
 * electronic records and signatures valid for a consumer only with their affirmative consent, so an
 * acceptance without a granted `e-sign-consent` is refused: the agreement that follows is signed
 * electronically. Pure.
 */
export const CONSENT_NAMES = ['kfs-acknowledged', 'e-sign-consent', 'credit-data-sharing'] as const;
export type ConsentName = (typeof CONSENT_NAMES)[number];
/** Consents an acceptance cannot go without. */
export const REQUIRED_CONSENTS: readonly ConsentName[] = ['e-sign-consent'];

export interface Consent {
  readonly name: ConsentName;
  /** The version of the disclosure text the borrower was shown, e.g. `esign-2026.12`. */
  readonly version: string;
  readonly granted: boolean;
}

export interface OfferAcceptance {
  readonly applicationId: string;
  readonly checksRun: number;
  readonly offerId: string;
  readonly kfsReference: string;
  readonly kfsVersion: string;
  readonly kfsSha256: string;
  readonly acceptedBy: string;
  readonly acceptedAt: Date;
  readonly ip: string;
  readonly userAgent: string;
  readonly consents: readonly Consent[];
}

export type ConsentError = { readonly kind: 'consent-required'; readonly name: ConsentName; readonly index: number | null };

/** The first required consent that is missing (index null) or not granted (its index in the list). */
export function missingConsent(consents: readonly Consent[]): ConsentError | null {
  for (const name of REQUIRED_CONSENTS) {
    const index = consents.findIndex((c) => c.name === name);
    if (index < 0) return { kind: 'consent-required', name, index: null };
    if (!consents[index]!.granted) return { kind: 'consent-required', name, index };
  }
  return null;
}
