/**
 * The Indian KYC protocols this sandbox speaks (sources in /work/shared/research/origination.md §1b–1c):
 * - PAN verification in Sandbox.co.in's documented shape: `POST /kyc/pan/verify` with headers `authorization`
 *   and `x-api-key`, body `{"@entity":"in.co.sandbox.kyc.pan_verification.request", pan, name_as_per_pan,
 *   date_of_birth, consent, reason}` → `{code, timestamp, transaction_id, data:{pan, category, status,
 *   remarks, name_as_per_pan_match, date_of_birth_match, aadhaar_seeding_status}}`; 422 "Invalid PAN Pattern"
 *   and 422 "Consent Required" (developer.sandbox.co.in/reference/verify-pan-details-api).
 * - Aadhaar Paperless Offline e-KYC (UIDAI): a ZIP protected by the resident's share code holding XML
 *   digitally signed over the whole document: `<OfflinePaperlessKyc referenceId><UidData><Poi name dob gender
 *   e m/><Poa …/><Pht/></UidData><Signature/>`; referenceId = last 4 digits of the Aadhaar number + a
 *   timestamp; `m` = SHA-256 of (mobile + share code) applied as many times as the Aadhaar number's last
 *   digit (once for 0 and 1); `e` = SHA-256 of the email. The resident downloads it from UIDAI; here
 *   `POST /uidai/offline-ekyc {aadhaar_number, share_code}` plays that download, for residents registered
 *   with `PUT /sandbox/uidai/residents/{aadhaar_number}`. Signed with the sandbox's own test key
 *   (../keys), which the LOS pins as it would pin UIDAI's certificate.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { configure, TextReader, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignedXml } from 'xml-crypto';
import { panCategory, panRecord } from './triggers.js';

configure({ useWebWorkers: false });

export interface IndiaSandboxOptions {
  readonly panApiKey: string;
  readonly panAccessToken: string;
  readonly signingKeyPem: string;
  readonly signingCertPem: string;
  readonly maxRecords: number;
  readonly onClose: (stop: () => void) => void;
}

export interface Resident {
  readonly name: string;
  /** DD-MM-YYYY, as in the offline XML. */
  readonly dob: string;
  readonly gender: 'M' | 'F' | 'T';
  readonly mobile: string;
  readonly email: string;
  readonly address: Readonly<Record<string, string>>;
  /** Alter the XML after signing (to test signature checks). */
  readonly tamper?: boolean;
}

const PAN_PATTERN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** UIDAI's mobile hash: SHA-256 over (mobile + share code), repeated by the Aadhaar number's last digit (0 and 1: once). */
export function offlineMobileHash(mobile: string, shareCode: string, aadhaarNumber: string): string {
  const times = Math.max(1, Number(aadhaarNumber.slice(-1)));
  let value = mobile + shareCode;
  for (let i = 0; i < times; i += 1) value = sha256(value);
  return value;
}

/** The signed Offline e-KYC XML for a resident (signature enveloped, over the whole document). */
export function offlineKycXml(aadhaarNumber: string, resident: Resident, shareCode: string, at: Date, keyPem: string): string {
  const stamp = at.toISOString().replace(/\D/g, '').slice(0, 17);
  const poa = Object.entries(resident.address).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><OfflinePaperlessKyc referenceId="${aadhaarNumber.slice(-4)}${stamp}"><UidData>`
    + `<Poi dob="${resident.dob}" e="${sha256(resident.email)}" gender="${resident.gender}" m="${offlineMobileHash(resident.mobile, shareCode, aadhaarNumber)}" name="${escapeXml(resident.name)}"/>`
    + `<Poa${poa}/><Pht>/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP</Pht></UidData></OfflinePaperlessKyc>`;
  const signer = new SignedXml({
    privateKey: keyPem,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  });
  signer.addReference({
    xpath: '/*',
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature'],
    isEmptyUri: true,
  });
  signer.computeSignature(xml, { location: { reference: '/*', action: 'append' } });
  const signed = signer.getSignedXml();
  return resident.tamper ? signed.replace(`name="${escapeXml(resident.name)}"`, 'name="Someone Else"') : signed;
}

export function registerIndiaRoutes(app: FastifyInstance, options: IndiaSandboxOptions): { state: () => Record<string, unknown> } {
  const residents = new Map<string, Resident>();
  const verifications: { pan: string; transactionId: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  options.onClose(() => timers.forEach(clearTimeout));
  const same = (a: string | undefined, b: string) => a !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const authorised = (request: FastifyRequest, reply: FastifyReply) => {
    const key = request.headers['x-api-key'];
    const token = request.headers.authorization;
    if (same(typeof key === 'string' ? key : undefined, options.panApiKey) && same(token, options.panAccessToken)) return true;
    void reply.status(401).send({ code: 401, timestamp: Date.now(), message: 'Invalid API key or access token' });
    return false;
  };

  app.post<{ Body: Record<string, unknown> }>('/kyc/pan/verify', async (request, reply) => {
    if (!authorised(request, reply)) return reply;
    const body = request.body ?? {};
    const pan = typeof body.pan === 'string' ? body.pan : '';
    if (body['@entity'] !== 'in.co.sandbox.kyc.pan_verification.request') return reply.status(422).send({ code: 422, timestamp: Date.now(), message: 'Invalid @entity' });
    if (!PAN_PATTERN.test(pan)) return reply.status(422).send({ code: 422, timestamp: Date.now(), message: 'Invalid PAN Pattern' });
    if (body.consent !== 'Y' && body.consent !== 'y') return reply.status(422).send({ code: 422, timestamp: Date.now(), message: 'Consent Required' });
    if (typeof body.reason !== 'string' || body.reason.length < 20) return reply.status(422).send({ code: 422, timestamp: Date.now(), message: 'Reason must be at least 20 characters' });
    const record = panRecord(pan);
    if (record.fault === 'server-error') return reply.status(500).send({ code: 500, timestamp: Date.now(), message: 'Upstream source unavailable' });
    if (record.fault === 'malformed-json') return reply.status(200).type('application/json').send('{"code":200,"data":{"pan":');
    if (record.fault === 'timeout') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 30_000);
        timers.add(timer);
      });
      return reply.status(504).send({ code: 504, timestamp: Date.now(), message: 'Gateway timeout' });
    }
    const transactionId = randomUUID();
    verifications.push({ pan, transactionId });
    if (verifications.length > options.maxRecords) verifications.shift();
    return {
      code: 200,
      timestamp: Date.now(),
      transaction_id: transactionId,
      data: {
        '@entity': 'in.co.sandbox.kyc.pan_verification.response',
        pan,
        category: panCategory(pan),
        status: record.status,
        remarks: record.remarks,
        name_as_per_pan_match: record.nameMatches,
        date_of_birth_match: record.dobMatches,
        aadhaar_seeding_status: record.aadhaarSeeding,
      },
    };
  });

  app.put<{ Params: { aadhaar: string }; Body: Resident }>('/sandbox/uidai/residents/:aadhaar', async (request, reply) => {
    if (!/^\d{12}$/.test(request.params.aadhaar)) return reply.status(400).send({ message: 'aadhaar_number must be 12 digits' });
    const body = request.body;
    if (!body || typeof body.name !== 'string' || !/^\d{2}-\d{2}-\d{4}$/.test(String(body.dob)) || !/^\d{10}$/.test(String(body.mobile))) return reply.status(400).send({ message: 'name, dob (DD-MM-YYYY) and mobile (10 digits) are required' });
    while (residents.size >= options.maxRecords) residents.delete(residents.keys().next().value as string);
    residents.set(request.params.aadhaar, { ...body, gender: body.gender ?? 'F', email: body.email ?? '', address: body.address ?? {} });
    return reply.status(204).send();
  });

  app.post<{ Body: { aadhaar_number?: string; share_code?: string } }>('/uidai/offline-ekyc', async (request, reply) => {
    const { aadhaar_number: uid, share_code: shareCode } = request.body ?? {};
    if (typeof uid !== 'string' || !/^\d{12}$/.test(uid)) return reply.status(400).send({ message: 'aadhaar_number must be 12 digits' });
    if (typeof shareCode !== 'string' || !/^[A-Za-z0-9@#$]{4}$/.test(shareCode)) return reply.status(400).send({ message: 'share_code must be 4 characters' });
    const resident = residents.get(uid);
    if (!resident) return reply.status(404).send({ message: 'Aadhaar number not found' });
    const at = new Date();
    const xml = offlineKycXml(uid, resident, shareCode, at, options.signingKeyPem);
    const fileName = `offlineaadhaar${at.toISOString().replace(/\D/g, '').slice(0, 17)}`;
    const zip = new ZipWriter(new Uint8ArrayWriter(), { password: shareCode });
    await zip.add(`${fileName}.xml`, new TextReader(xml));
    const bytes = await zip.close();
    return reply.status(200).type('application/zip').header('content-disposition', `attachment; filename="${fileName}.zip"`).send(Buffer.from(bytes));
  });

  app.get('/sandbox/uidai/certificate', async (_request, reply) => reply.type('application/x-pem-file').send(options.signingCertPem));

  return { state: () => ({ panVerifications: verifications.length, residents: residents.size }) };
}
