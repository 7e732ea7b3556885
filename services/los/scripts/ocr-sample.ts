/**
 * Renders a sample payslip as a PNG (text drawn with @napi-rs/canvas), reads it back with the LOS's OCR
 * engine and prints the text and the extracted fields. Run it with the network cut off to see that OCR
 * needs none: `unshare -rn pnpm --filter @lendstack/los -s exec tsx scripts/ocr-sample.ts`.
 */
import { createCanvas } from '@napi-rs/canvas';
import { createTesseractOcrEngine } from '../src/modules/documents/adapters/tesseract-ocr.engine.js';
import { extractFields } from '../src/modules/documents/domain/extract-fields.js';

const lines = ['ACME TECHNOLOGIES PVT LTD', 'PAYSLIP FOR OCTOBER 2026', 'Employee Name: Priya Sharma', 'Employer: Acme Technologies Pvt Ltd', 'PAN: ABCPS1234K', 'Gross Pay: INR 1,02,500.00', 'Net Pay: INR 85,000.00'];
const canvas = createCanvas(1100, 120 + lines.length * 64);
const g = canvas.getContext('2d');
g.fillStyle = '#ffffff';
g.fillRect(0, 0, canvas.width, canvas.height);
g.fillStyle = '#000000';
g.font = '30px DejaVu Sans';
lines.forEach((line, i) => g.fillText(line, 48, 80 + i * 64));
const png = canvas.toBuffer('image/png');

const ocr = createTesseractOcrEngine();
const started = Date.now();
const result = await ocr.recognize(png);
console.log(`OCR of a ${png.length}-byte PNG in ${Date.now() - started} ms, confidence ${Math.round(result.confidence)}:`);
console.log(result.text.trim());
console.log(JSON.stringify(extractFields(result.text), null, 2));
await ocr.close();
