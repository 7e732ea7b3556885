/**
 * The 'document-ocr' check: each identity document and payslip is read (OCR) and its fields cross-checked
 * against the application. A PDF's text layer is taken as it is when it has one (a digitally generated
 * payslip); otherwise its first pages are rendered and OCR'd (adapters/pdfjs-pdf.reader.ts). A PDF that
 * cannot be opened is a `pdf-unreadable` finding; unreadable images are `document-unreadable`. The check
 * never throws for a document, only for infrastructure (the blob store).
 */
import type { CheckOutcome, CheckReason, CheckRunner, CheckSubject } from '../checks/check-runner.js';
import { createPdfjsPdfReader, type PdfReader } from './adapters/pdfjs-pdf.reader.js';
import type { OcrEngine } from './adapters/tesseract-ocr.engine.js';
import { crossCheckDocument, DEFAULT_CROSS_CHECK_POLICY, type CrossCheckPolicy, type StatedFacts } from './domain/cross-check.js';
import { extractFields, type ExtractedFields } from './domain/extract-fields.js';
import type { BlobStore } from './ports.js';

export interface DocumentOcrRunnerDeps {
  readonly blobs: BlobStore;
  readonly ocr: OcrEngine;
  /** PDF text layer and page rendering; PDF.js with the default bounds when not given. */
  readonly pdf?: PdfReader;
  readonly policy?: CrossCheckPolicy;
  /** Below this mean confidence (0..100) a document counts as unreadable. */
  readonly minConfidence?: number;
}

/** How a document's text was obtained: OCR of an image, a PDF's text layer, or OCR of rendered PDF pages. */
export interface ReadVia {
  readonly via: 'image-ocr' | 'pdf-text-layer' | 'pdf-ocr';
  /** PDFs: pages read and pages in the file. */
  readonly pagesRead?: number;
  readonly pageCount?: number;
}

export type ReadDocument =
  | { readonly ok: true; readonly fields: ExtractedFields; readonly confidence: number; readonly read: ReadVia }
  | { readonly ok: false; readonly reason: CheckReason };

let defaultPdfReader: PdfReader | undefined;

/** OCR one document into fields, or the finding that says why it could not be read. */
export async function readDocument(deps: Pick<DocumentOcrRunnerDeps, 'blobs' | 'ocr' | 'pdf' | 'minConfidence'>, document: CheckSubject['documents'][number]): Promise<ReadDocument> {
  const bytes = await deps.blobs.get(document.blobKey);
  if (!bytes) return { ok: false, reason: { code: 'document-missing', detail: `The bytes of document ${document.id} are not in the blob store` } };
  let images: readonly Buffer[] = [bytes];
  let read: ReadVia = { via: 'image-ocr' };
  if (document.contentType === 'application/pdf') {
    const pdf = await (deps.pdf ?? (defaultPdfReader ??= createPdfjsPdfReader())).read(bytes);
    if (!pdf.ok) return { ok: false, reason: { code: 'pdf-unreadable', detail: `PDF document ${document.id} could not be read: ${pdf.reason}` } };
    if (pdf.via === 'text-layer') {
      return { ok: true, fields: extractFields(pdf.text), confidence: 100, read: { via: 'pdf-text-layer', pagesRead: pdf.pagesRead, pageCount: pdf.pageCount } };
    }
    images = pdf.images;
    read = { via: 'pdf-ocr', pagesRead: pdf.pagesRead, pageCount: pdf.pageCount };
  }
  try {
    const results = [];
    for (const image of images) results.push(await deps.ocr.recognize(image));
    const text = results.map((r) => r.text).join('\n');
    const confidence = results.length === 0 ? 0 : results.reduce((sum, r) => sum + r.confidence, 0) / results.length;
    if (text.trim().length < 8 || confidence < (deps.minConfidence ?? 40)) {
      return { ok: false, reason: { code: 'document-unreadable', detail: `Document ${document.id} could not be read (OCR confidence ${Math.round(confidence)})` } };
    }
    return { ok: true, fields: extractFields(text), confidence, read };
  } catch (error) {
    return { ok: false, reason: { code: 'document-unreadable', detail: `Document ${document.id} could not be read: ${(error as Error).message.slice(0, 200)}` } };
  }
}

export async function statedFacts(subject: CheckSubject): Promise<StatedFacts> {
  return {
    fullName: `${subject.applicant.name.given} ${subject.applicant.name.family}`,
    nationalId: await subject.reveal('national-id').catch(() => null),
    dateOfBirth: await subject.reveal('date-of-birth').catch(() => null),
    employerName: subject.employerName,
    statedMonthlyIncome: subject.statedMonthlyIncome,
  };
}

export function createDocumentOcrCheckRunner(deps: DocumentOcrRunnerDeps): CheckRunner {
  return {
    kind: 'document-ocr',
    async run(subject): Promise<CheckOutcome> {
      const relevant = subject.documents.filter((d) => d.kind === 'identity' || d.kind === 'payslip');
      const reasons: CheckReason[] = [];
      const documents: Record<string, unknown>[] = [];
      const scores: number[] = [];
      if (!relevant.some((d) => d.kind === 'identity')) reasons.push({ code: 'identity-document-missing', detail: 'No identity document was uploaded' });
      if (!relevant.some((d) => d.kind === 'payslip')) reasons.push({ code: 'payslip-missing', detail: 'No payslip was uploaded' });
      const stated = relevant.length > 0 ? await statedFacts(subject) : undefined;
      for (const document of relevant) {
        const read = await readDocument(deps, document);
        if (!read.ok) {
          reasons.push(read.reason);
          documents.push({ documentId: document.id, kind: document.kind, sha256: document.sha256, read: false, reason: read.reason.code });
          continue;
        }
        const check = crossCheckDocument(document.kind, read.fields, stated!, deps.policy ?? DEFAULT_CROSS_CHECK_POLICY);
        reasons.push(...check.findings.map((f) => ({ ...f, detail: `${f.detail} [document ${document.id}]` })));
        if (check.nameScore !== null) scores.push(check.nameScore);
        documents.push({ documentId: document.id, kind: document.kind, sha256: document.sha256, read: true, ...read.read, confidence: Math.round(read.confidence), extracted: check.evidence });
      }
      return {
        kind: 'document-ocr',
        result: reasons.length === 0 ? 'pass' : 'refer',
        ...(scores.length > 0 ? { score: Math.min(...scores) } : {}),
        reasons,
        evidence: { engine: 'tesseract.js 7.0.0 (eng 4.0.0_best_int); PDFs by pdfjs-dist 5.5.207', documents },
      };
    },
  };
}
