/**
 * Reading an Aadhaar Paperless Offline e-KYC file as UIDAI documents it (uidai.gov.in FAQ "How will service
 * providers use Aadhaar offline e-KYC"): unzip with the share code, verify the XML digital signature against a
 * pinned certificate, then recompute the mobile and email hashes against what the applicant gave us.
 * Fields are read from what the signature covers, never from the document around it (no wrapping attacks).
 */
import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { configure, TextWriter, Uint8ArrayReader, ZipReader } from '@zip.js/zip.js';
import { SignedXml } from 'xml-crypto';

configure({ useWebWorkers: false });

export interface OfflineKyc {
  readonly referenceId: string;
  readonly name: string;
  /** DD-MM-YYYY as in the file. */
  readonly dob: string;
  readonly gender: string;
  readonly mobileHash: string;
  readonly emailHash: string;
}

export type OfflineKycRead = { ok: true; kyc: OfflineKyc } | { ok: false; code: 'okyc-unreadable' | 'okyc-signature-invalid'; detail: string };

const DSIG = 'http://www.w3.org/2000/09/xmldsig#';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** UIDAI's rule: SHA-256 over (mobile + share code), applied as many times as the Aadhaar number's last digit (0 and 1: once). */
export function offlineMobileHash(mobile: string, shareCode: string, aadhaarNumber: string): string {
  const times = Math.max(1, Number(aadhaarNumber.slice(-1)));
  let value = mobile + shareCode;
  for (let i = 0; i < times; i += 1) value = sha256(value);
  return value;
}

export const offlineEmailHash = (email: string) => sha256(email);

export async function readOfflineKycZip(zipBytes: Uint8Array, shareCode: string, trustedCertPem: string): Promise<OfflineKycRead> {
  let xml: string;
  try {
    const reader = new ZipReader(new Uint8ArrayReader(zipBytes));
    const entries = await reader.getEntries();
    const entry = entries.find((e) => !e.directory && e.filename.toLowerCase().endsWith('.xml'));
    if (!entry || entry.directory) {
      await reader.close();
      return { ok: false, code: 'okyc-unreadable', detail: 'the ZIP holds no XML file' };
    }
    xml = await entry.getData(new TextWriter(), { password: shareCode });
    await reader.close();
  } catch (error) {
    return { ok: false, code: 'okyc-unreadable', detail: `cannot open the ZIP with the share code: ${(error as Error).message}` };
  }
  return verifyOfflineKycXml(xml, trustedCertPem);
}

export function verifyOfflineKycXml(xml: string, trustedCertPem: string): OfflineKycRead {
  let signed: string;
  try {
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const signatures = doc.getElementsByTagNameNS(DSIG, 'Signature');
    if (signatures.length !== 1) return { ok: false, code: 'okyc-signature-invalid', detail: `expected one XML signature, found ${signatures.length}` };
    const verifier = new SignedXml({ publicCert: trustedCertPem });
    verifier.loadSignature(signatures.item(0) as unknown as Parameters<SignedXml["loadSignature"]>[0]);
    if (!verifier.checkSignature(xml)) return { ok: false, code: 'okyc-signature-invalid', detail: 'the XML signature does not verify against the pinned UIDAI certificate' };
    const references = verifier.getSignedReferences();
    if (references.length !== 1) return { ok: false, code: 'okyc-signature-invalid', detail: 'the signature does not cover exactly one reference' };
    signed = references[0]!;
  } catch (error) {
    return { ok: false, code: 'okyc-signature-invalid', detail: `the XML signature cannot be checked: ${(error as Error).message}` };
  }
  const doc = new DOMParser().parseFromString(signed, 'text/xml');
  const root = doc.documentElement;
  const poi = doc.getElementsByTagName('Poi').item(0);
  if (!root || root.nodeName !== 'OfflinePaperlessKyc' || !poi) return { ok: false, code: 'okyc-unreadable', detail: 'the signed content is not an OfflinePaperlessKyc document with Poi' };
  return {
    ok: true,
    kyc: {
      referenceId: root.getAttribute('referenceId') ?? '',
      name: poi.getAttribute('name') ?? '',
      dob: poi.getAttribute('dob') ?? '',
      gender: poi.getAttribute('gender') ?? '',
      mobileHash: poi.getAttribute('m') ?? '',
      emailHash: poi.getAttribute('e') ?? '',
    },
  };
}
