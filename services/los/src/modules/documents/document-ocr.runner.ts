/**
 * The 'document-ocr' check: each identity document and payslip is read (OCR) and its fields cross-checked
 * against the application. PDFs are not rasterised (no renderer is installable by the project offline): a
 * PDF is a `pdf-not-read` finding for an operator. Unreadable images are findings too; the check never
 * throws for a document, only for infrastructure (the blob store).
 */
import type { CheckOutcome, CheckReason, CheckRunner, CheckSubject } from '../checks/check-runner.js';
import type { OcrEngine } from './adapters/tesseract-ocr.engine.js';
import { crossCheckDocument, DEFAULT_CROSS_CHECK_POLICY, type CrossCheckPolicy, type StatedFacts } from './domain/cross-check.js';
import { extractFields, type ExtractedFields } from './domain/extract-fields.js';
import type { BlobStore } from './ports.js';

export interface DocumentOcrRunnerDeps {
  readonly blobs: BlobStore;
  readonly ocr: OcrEngine;
  readonly policy?: CrossCheckPolicy;
  /** Below this mean confidence (0..100) a document counts as unreadable. */
  readonly minConfidence?: number;
}

export type ReadDocument =
  | { readonly ok: true; readonly fields: ExtractedFields; readonly confidence: number }
  | { readonly ok: false; readonly reason: CheckReason };

/** OCR one document into fields, or the finding that says why it could not be read. */
export async function readDocument(deps: Pick<DocumentOcrRunnerDeps, 'blobs' | 'ocr' | 'minConfidence'>, document: CheckSubject['documents'][number]): Promise<ReadDocument> {
  if (document.contentType === 'application/pdf') return { ok: false, reason: { code: 'pdf-not-read', detail: `Document ${document.id} is a PDF; only jpg and png are read by OCR, so an operator must look at it` } };
  const bytes = await deps.blobs.get(document.blobKey);
  if (!bytes) return { ok: false, reason: { code: 'document-missing', detail: `The bytes of document ${document.id} are not in the blob store` } };
  try {
    const result = await deps.ocr.recognize(bytes);
    if (result.text.trim().length < 8 || result.confidence < (deps.minConfidence ?? 40)) {
      return { ok: false, reason: { code: 'document-unreadable', detail: `Document ${document.id} could not be read (OCR confidence ${Math.round(result.confidence)})` } };
    }
    return { ok: true, fields: extractFields(result.text), confidence: result.confidence };
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
        documents.push({ documentId: document.id, kind: document.kind, sha256: document.sha256, read: true, confidence: Math.round(read.confidence), extracted: check.evidence });
      }
      return {
        kind: 'document-ocr',
        result: reasons.length === 0 ? 'pass' : 'refer',
        ...(scores.length > 0 ? { score: Math.min(...scores) } : {}),
        reasons,
        evidence: { engine: 'tesseract.js 7.0.0 (eng 4.0.0_best_int)', documents },
      };
    },
  };
}
