/**
 * Generates a payslip PDF with a text layer and a scanned one (the payslip PNG as the page image) with pdfkit,
 * plus an encrypted one, reads them as the 'document-ocr' and 'income' checks do (`readDocument`) and prints
 * how each was read, in how long, and the extracted fields. Runs offline:
 * `unshare -rn pnpm --filter @lendstack/los -s exec tsx scripts/pdf-sample.ts`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createTesseractOcrEngine } from '../src/modules/documents/adapters/tesseract-ocr.engine.js';
import { readDocument } from '../src/modules/documents/document-ocr.runner.js';
import type { BlobStore } from '../src/modules/documents/ports.js';
import { payslipLines, renderDocument, renderImagePdf, renderTextPdf } from '../test/support/vendor-checks.js';

const memory = new Map<string, Buffer>();
const blobs: BlobStore = {
  async put(key, bytes) { memory.set(key, bytes); },
  async get(key) { return memory.get(key); },
  async exists(key) { return memory.has(key); },
  async delete(key) { memory.delete(key); },
};
const ocr = createTesseractOcrEngine();
const samples: [string, Buffer][] = [
  ['text-layer payslip', await renderTextPdf(payslipLines())],
  ['scanned payslip', await renderImagePdf(renderDocument(payslipLines()))],
  ['encrypted payslip', await renderTextPdf(payslipLines(), { userPassword: 'secret' })],
];
for (const [label, bytes] of samples) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await blobs.put(sha256, bytes);
  const started = Date.now();
  const read = await readDocument({ blobs, ocr }, { id: randomUUID(), kind: 'payslip', contentType: 'application/pdf', sha256, sizeBytes: bytes.length, blobKey: sha256 });
  const took = Date.now() - started;
  console.log(`${label} (${bytes.length} bytes, ${took} ms):`, JSON.stringify(read.ok ? { ...read.read, confidence: Math.round(read.confidence), name: read.fields.name, employer: read.fields.employer, netPay: read.fields.netPay } : read.reason));
}
await ocr.close();
