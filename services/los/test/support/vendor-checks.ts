/**
 * Helpers for the KYC, bureau, documents and income tests: a CheckSubject with a reveal() closure over the
 * clear values (as the checks workflow builds one), an application row to attach documents to, and document
 * images GENERATED here (text rendered into a PNG with @napi-rs/canvas and the system's DejaVu fonts) and PDFs
 * generated with pdfkit (a text layer in DejaVu Sans, or a PNG as the page image, as a scanner makes).
 */
import { randomUUID } from 'node:crypto';
import { createCanvas } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import type pg from 'pg';
import type { ApplicationDocumentRef, CheckContext, CheckSubject } from '../../src/modules/checks/check-runner.js';

export interface SubjectSecrets {
  readonly nationalId: string;
  readonly dateOfBirth: string;
  readonly bankAccount?: string;
}

export function makeSubject(overrides: Partial<Omit<CheckSubject, 'applicant' | 'reveal'>> & { applicant?: Partial<CheckSubject['applicant']> } = {}, secrets: SubjectSecrets = { nationalId: 'ABCPS1234K', dateOfBirth: '1990-03-14' }): CheckSubject & { revealed: string[] } {
  const revealed: string[] = [];
  const nationalIdType = overrides.applicant?.nationalIdType ?? 'PAN';
  return {
    tenantId: overrides.tenantId ?? `checks-${randomUUID().slice(0, 8)}`,
    applicationId: overrides.applicationId ?? randomUUID(),
    statedMonthlyIncome: overrides.statedMonthlyIncome === undefined ? { amount: '8500000', currency: 'INR', scale: 2 } : overrides.statedMonthlyIncome,
    employerName: overrides.employerName === undefined ? 'Acme Technologies' : overrides.employerName,
    requestedPrincipal: overrides.requestedPrincipal ?? { amount: '50000000', currency: 'INR', scale: 2 },
    proposedMonthlyInstallment: overrides.proposedMonthlyInstallment ?? null,
    device: overrides.device ?? null,
    documents: overrides.documents ?? [],
    applicant: {
      name: { given: 'Priya', family: 'Sharma' },
      contact: { email: 'priya.sharma@example.in', phone: '+919800000002' },
      country: 'IN',
      nationalIdType,
      nationalIdMasked: `XXXXXX${secrets.nationalId.slice(-4)}`,
      nationalIdToken: `tok_${randomUUID()}`,
      bankAccountToken: `tok_${randomUUID()}`,
      ...overrides.applicant,
    },
    revealed,
    async reveal(field) {
      revealed.push(field);
      if (field === 'national-id') return secrets.nationalId;
      if (field === 'date-of-birth') return secrets.dateOfBirth;
      return secrets.bankAccount ?? '50100012345678';
    },
  };
}

export const checkContext = (idempotencyKey = `check-${randomUUID()}`): CheckContext => ({ idempotencyKey, signal: new AbortController().signal });

/** An application row for `tenantId` (documents need one to attach to). */
export async function insertApplication(pool: pg.Pool, tenantId: string): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO applications (id, tenant_id, status, applicant, loan_request, submitted_by, updated_at) VALUES ($1, $2, 'submitted', $3, $4, 'partner-test', now())`,
    [id, tenantId, JSON.stringify({ name: { given: 'Priya', family: 'Sharma' } }), JSON.stringify({ productCode: 'PL-12M' })]);
  return id;
}

/** A white page with the lines in black DejaVu Sans, as PNG (or JPEG) bytes. */
export function renderDocument(lines: readonly string[], format: 'png' | 'jpeg' = 'png'): Buffer {
  const canvas = createCanvas(1100, 120 + lines.length * 64);
  const g = canvas.getContext('2d');
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#000000';
  g.font = '30px DejaVu Sans';
  lines.forEach((line, i) => g.fillText(line, 48, 80 + i * 64));
  return format === 'png' ? canvas.toBuffer('image/png') : canvas.toBuffer('image/jpeg', 92);
}

const DEJAVU_SANS = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

function pdfBytes(options: PDFKit.PDFDocumentOptions, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ ...options, info: { Title: 'generated in a test' } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    draw(doc);
    doc.end();
  });
}

/** An A4 PDF with the lines as real text (a text layer), as payroll software makes. `userPassword` encrypts it. */
export function renderTextPdf(lines: readonly string[], options: { userPassword?: string; size?: [number, number] } = {}): Promise<Buffer> {
  return pdfBytes({ size: options.size ?? 'A4', ...(options.userPassword ? { userPassword: options.userPassword, ownerPassword: `${options.userPassword}-owner` } : {}) }, (doc) => {
    doc.font(DEJAVU_SANS).fontSize(14);
    for (const line of lines) doc.text(line, { lineGap: 6 });
  });
}

/** A PDF whose only page is the PNG (no text layer), as a scanner makes. */
export function renderImagePdf(png: Buffer): Promise<Buffer> {
  return pdfBytes({ size: 'A4', margin: 0 }, (doc) => { doc.image(png, 36, 36, { fit: [523, 770] }); });
}

export const payslipLines = (o: { name?: string; employer?: string; netPay?: string } = {}) => [
  (o.employer ?? 'Acme Technologies Pvt Ltd').toUpperCase(),
  'PAYSLIP FOR OCTOBER 2026',
  `Employee Name: ${o.name ?? 'Priya Sharma'}`,
  `Employer: ${o.employer ?? 'Acme Technologies Pvt Ltd'}`,
  'Employee ID: E-10442',
  'Gross Pay: INR 1,02,500.00',
  `Net Pay: INR ${o.netPay ?? '85,000.00'}`,
];

export const identityLines = (o: { name?: string; pan?: string; dob?: string } = {}) => [
  'INCOME TAX DEPARTMENT',
  'PERMANENT ACCOUNT NUMBER CARD',
  `Name: ${o.name ?? 'PRIYA SHARMA'}`,
  `PAN: ${o.pan ?? 'ABCPS1234K'}`,
  `Date of Birth: ${o.dob ?? '14/03/1990'}`,
];

/** A document ref for the blob just stored (what the checks workflow passes in CheckSubject.documents). */
export function documentRef(kind: ApplicationDocumentRef['kind'], blobKey: string, bytes: Buffer, contentType: ApplicationDocumentRef['contentType'] = 'image/png', sha256 = blobKey.split('/').pop()!): ApplicationDocumentRef {
  return { id: randomUUID(), kind, contentType, sha256, sizeBytes: bytes.length, blobKey };
}

/** A multipart/form-data body (for app.inject) with the document's kind and its file. */
export async function multipartBody(parts: { kind?: string; file?: { bytes: Buffer; name: string; type?: string } }): Promise<{ payload: Buffer; contentType: string }> {
  const form = new FormData();
  if (parts.kind !== undefined) form.set('kind', parts.kind);
  if (parts.file) form.set('file', new Blob([new Uint8Array(parts.file.bytes)], parts.file.type ? { type: parts.file.type } : {}), parts.file.name);
  const request = new Request('http://local/', { method: 'POST', body: form });
  return { payload: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}
