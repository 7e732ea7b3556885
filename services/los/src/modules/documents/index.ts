/**
 * Documents: upload routes, the blob store, OCR, and the 'document-ocr' and 'income' checks for the checks
 * workflow to register: `createDocumentOcrCheckRunner({ blobs, ocr })`, `createIncomeCheckRunner({ blobs, ocr })`
 * sharing one `createTesseractOcrEngine()`.
 */
export { documentRoutes, documentView, type DocumentRoutesDeps } from './adapters/documents.routes.js';
export { createFsBlobStore } from './adapters/fs-blob.store.js';
export { createPgDocumentStore } from './adapters/pg-document.store.js';
export { createPdfjsPdfReader, type PdfRead, type PdfReader, type PdfReaderOptions } from './adapters/pdfjs-pdf.reader.js';
export { createTesseractOcrEngine, ENG_LANG_PATH, type OcrEngine, type OcrResult } from './adapters/tesseract-ocr.engine.js';
export { createDocumentOcrCheckRunner, readDocument, type DocumentOcrRunnerDeps, type ReadDocument, type ReadVia } from './document-ocr.runner.js';
export { createIncomeCheckRunner, type IncomeRunnerDeps } from './income.runner.js';
export { crossCheckDocument, DEFAULT_CROSS_CHECK_POLICY, type CrossCheckPolicy } from './domain/cross-check.js';
export { extractFields, type ExtractedFields } from './domain/extract-fields.js';
export { nameMatchScore, classifyNameMatch } from './domain/name-match.js';
export { sniffContentType } from './domain/sniff.js';
export type { BlobStore, DocumentStore, StoredDocument } from './ports.js';
