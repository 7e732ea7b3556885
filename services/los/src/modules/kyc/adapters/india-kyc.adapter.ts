/**
 * KycPort for Indian applicants. A PAN is verified with the Income Tax record through a PAN verification API
 * in Sandbox.co.in's documented shape (POST /kyc/pan/verify: status, remarks, name and date-of-birth match,
 * Aadhaar seeding). An Aadhaar number goes through Paperless Offline e-KYC: the signed XML in the share-code
 * ZIP (aadhaar-offline-ekyc.ts) is verified and matched against the application. The ZIP is the resident's
 * download from UIDAI; `offlineEkycUrl` is where it is fetched from (the sandbox plays that download).
 */
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { VendorResponseError, type CheckContext, type CheckReason, type CheckSubject } from '../../checks/check-runner.js';
import { classifyNameMatch, nameMatchScore } from '../../documents/domain/name-match.js';
import type { KycPort, KycVerification } from '../ports.js';
import { offlineEmailHash, offlineMobileHash, readOfflineKycZip } from './aadhaar-offline-ekyc.js';
import { callVendor, vendorJson, vendorParse } from './vendor-http.js';

export interface IndiaKycConfig {
  /** e.g. https://api.sandbox.co.in, or the sandbox's http://127.0.0.1:3482 */
  readonly panBaseUrl: string;
  readonly panApiKey: string;
  readonly panAccessToken: string;
  readonly offlineEkycUrl: string;
  /** The UIDAI signing certificate(s) the offline XML must verify against (PEM). */
  readonly uidaiCertificatesPem: readonly string[];
  readonly timeoutMs: number;
}

const PAN_VENDOR = 'pan-verification';
const OKYC_VENDOR = 'uidai-offline-ekyc';
const PAN_PATTERN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;
const SHARE_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

const panAnswerSchema = z.object({
  code: z.number(),
  transaction_id: z.string().optional(),
  data: z.object({
    pan: z.string(),
    category: z.string().optional(),
    status: z.enum(['valid', 'invalid']),
    remarks: z.string().nullable().optional(),
    name_as_per_pan_match: z.boolean(),
    date_of_birth_match: z.boolean(),
    aadhaar_seeding_status: z.string().optional(),
  }),
});

const maskPan = (pan: string) => `XXXXXX${pan.slice(-4)}`;
/** YYYY-MM-DD → DD/MM/YYYY (the API's date_of_birth) or DD-MM-YYYY (the offline XML's dob). */
const dayFirst = (isoDate: string, separator: string) => isoDate.split('-').reverse().join(separator);

export function createIndiaKycAdapter(config: IndiaKycConfig): KycPort {
  async function verifyPan(subject: CheckSubject, ctx: CheckContext): Promise<KycVerification> {
    const pan = (await subject.reveal('national-id')).trim().toUpperCase();
    const dob = await subject.reveal('date-of-birth').catch(() => '');
    if (!PAN_PATTERN.test(pan)) {
      return { vendor: PAN_VENDOR, vendorReference: 'not-sent', result: 'rejected', findings: [{ code: 'pan-invalid-format', detail: 'The national id is not a PAN (five letters, four digits, a letter)' }], evidence: { vendor: PAN_VENDOR, pan: maskPan(pan) } };
    }
    const body = {
      '@entity': 'in.co.sandbox.kyc.pan_verification.request',
      pan,
      name_as_per_pan: `${subject.applicant.name.given} ${subject.applicant.name.family}`.trim(),
      date_of_birth: /^\d{4}-\d{2}-\d{2}$/.test(dob) ? dayFirst(dob, '/') : '',
      consent: 'Y',
      reason: 'Identity verification for a loan application',
    };
    const answer = await callVendor({
      vendor: PAN_VENDOR, url: `${config.panBaseUrl}/kyc/pan/verify`, method: 'POST', timeoutMs: config.timeoutMs, signal: ctx.signal, body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', 'x-api-key': config.panApiKey, authorization: config.panAccessToken, 'x-request-id': ctx.idempotencyKey },
    });
    const { data, transaction_id: transactionId } = vendorParse(PAN_VENDOR, 'POST /kyc/pan/verify', panAnswerSchema, vendorJson(PAN_VENDOR, answer, 'POST /kyc/pan/verify'));
    if (data.pan !== pan) throw new VendorResponseError(PAN_VENDOR, 'the answer is about another PAN');
    const findings: CheckReason[] = [];
    if (data.status === 'invalid') findings.push({ code: 'pan-invalid', detail: `The Income Tax record says the PAN is invalid${data.remarks ? `: ${data.remarks}` : ''}` });
    if (data.status === 'valid' && data.remarks) findings.push({ code: 'pan-remarks', detail: `PAN remarks: ${data.remarks}` });
    if (data.status === 'valid' && !data.name_as_per_pan_match) findings.push({ code: 'name-mismatch', detail: 'The name on the PAN does not match the application' });
    if (data.status === 'valid' && !data.date_of_birth_match) findings.push({ code: 'dob-mismatch', detail: 'The date of birth on the PAN does not match the application' });
    if (data.status === 'valid' && data.aadhaar_seeding_status?.toLowerCase() === 'n') findings.push({ code: 'pan-aadhaar-not-linked', detail: 'The PAN is not linked with Aadhaar' });
    return {
      vendor: PAN_VENDOR,
      vendorReference: transactionId ?? 'unknown',
      result: data.status === 'invalid' ? 'rejected' : findings.length > 0 ? 'consider' : 'clear',
      findings,
      evidence: { vendor: PAN_VENDOR, pan: maskPan(pan), category: data.category ?? null, status: data.status, remarks: data.remarks ?? null, nameMatch: data.name_as_per_pan_match, dobMatch: data.date_of_birth_match, aadhaarSeeding: data.aadhaar_seeding_status ?? null },
    };
  }

  async function verifyAadhaar(subject: CheckSubject, ctx: CheckContext): Promise<KycVerification> {
    const uid = (await subject.reveal('national-id')).replace(/\s+/g, '');
    const dob = await subject.reveal('date-of-birth').catch(() => '');
    const masked = `XXXXXXXX${uid.slice(-4)}`;
    if (!/^\d{12}$/.test(uid)) return { vendor: OKYC_VENDOR, vendorReference: 'not-sent', result: 'rejected', findings: [{ code: 'aadhaar-invalid-format', detail: 'The national id is not a 12-digit Aadhaar number' }], evidence: { vendor: OKYC_VENDOR, aadhaar: masked } };
    const shareCode = Array.from({ length: 4 }, () => SHARE_CODE_ALPHABET[randomInt(SHARE_CODE_ALPHABET.length)]).join('');
    const answer = await callVendor({ vendor: OKYC_VENDOR, url: config.offlineEkycUrl, method: 'POST', timeoutMs: config.timeoutMs, signal: ctx.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadhaar_number: uid, share_code: shareCode }) });
    let read = { ok: false, code: 'okyc-signature-invalid', detail: 'no pinned UIDAI certificate' } as Awaited<ReturnType<typeof readOfflineKycZip>>;
    for (const cert of config.uidaiCertificatesPem) {
      read = await readOfflineKycZip(new Uint8Array(answer.bytes), shareCode, cert);
      if (read.ok || read.code === 'okyc-unreadable') break;
    }
    if (!read.ok) return { vendor: OKYC_VENDOR, vendorReference: 'unverified', result: 'rejected', findings: [{ code: read.code, detail: read.detail }], evidence: { vendor: OKYC_VENDOR, aadhaar: masked, signature: 'invalid' } };
    const { kyc } = read;
    const findings: CheckReason[] = [];
    if (!kyc.referenceId.startsWith(uid.slice(-4))) findings.push({ code: 'okyc-reference-mismatch', detail: 'The reference id does not belong to this Aadhaar number' });
    const statedName = `${subject.applicant.name.given} ${subject.applicant.name.family}`;
    const nameScore = nameMatchScore(statedName, kyc.name);
    const nameMatch = classifyNameMatch(nameScore);
    if (nameMatch !== 'match') findings.push({ code: 'name-mismatch', detail: `The name in the Aadhaar e-KYC matches the application with score ${nameScore} (${nameMatch})` });
    const dobMatch = /^\d{4}-\d{2}-\d{2}$/.test(dob) ? kyc.dob === dayFirst(dob, '-') : null;
    if (dobMatch === false) findings.push({ code: 'dob-mismatch', detail: 'The date of birth in the Aadhaar e-KYC does not match the application' });
    const mobile = subject.applicant.contact.phone.replace(/\D/g, '').slice(-10);
    const mobileMatch = kyc.mobileHash === offlineMobileHash(mobile, shareCode, uid);
    if (!mobileMatch) findings.push({ code: 'mobile-mismatch', detail: 'The mobile number registered with Aadhaar is not the one on the application' });
    const emailMatch = kyc.emailHash === '' ? null : kyc.emailHash === offlineEmailHash(subject.applicant.contact.email);
    const rejected = findings.some((f) => f.code === 'okyc-reference-mismatch');
    return {
      vendor: OKYC_VENDOR,
      vendorReference: kyc.referenceId,
      result: rejected ? 'rejected' : findings.length > 0 ? 'consider' : 'clear',
      findings,
      evidence: { vendor: OKYC_VENDOR, aadhaar: masked, referenceId: kyc.referenceId, signature: 'valid', nameScore, nameMatch, dobMatch, mobileMatch, emailMatch },
    };
  }

  return {
    vendor: 'india',
    verify: (subject, ctx) => (subject.applicant.nationalIdType.toUpperCase() === 'AADHAAR' ? verifyAadhaar(subject, ctx) : verifyPan(subject, ctx)),
  };
}
