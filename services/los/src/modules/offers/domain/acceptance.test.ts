import { describe, expect, it } from 'vitest';
import { missingConsent, type Consent } from './acceptance.js';

const esign = (granted: boolean): Consent => ({ name: 'e-sign-consent', version: 'esign-2026.12', granted });
const ack: Consent = { name: 'kfs-acknowledged', version: 'kfs-ack-2026.12', granted: true };

describe('the consents an acceptance needs', () => {
  it('needs the e-sign consent granted; the others may be refused', () => {
    expect(missingConsent([ack, esign(true), { name: 'credit-data-sharing', version: 'cds-2026.12', granted: false }])).toBeNull();
  });

  it('names the e-sign consent when it is refused (its index) or absent (no index)', () => {
    expect(missingConsent([ack, esign(false)])).toEqual({ kind: 'consent-required', name: 'e-sign-consent', index: 1 });
    expect(missingConsent([ack])).toEqual({ kind: 'consent-required', name: 'e-sign-consent', index: null });
  });
});
