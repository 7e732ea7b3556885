import { describe, expect, it } from 'vitest';

const isNative = (fn: unknown) => typeof fn === 'function' && /\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(fn));

describe('pdfjs-pdf.reader', () => {
  it('leaves the engine’s own JSON.parse, JSON.stringify and Array.prototype.push in place once PDF.js is loaded', async () => {
    const { createPdfjsPdfReader } = await import('./pdfjs-pdf.reader.js');
    expect(typeof createPdfjsPdfReader).toBe('function');
    // PDF.js did load its polyfills (what core-js only adds is still there)...
    expect(typeof (Uint8Array.prototype as { toHex?: unknown }).toHex).toBe('function');
    // ...but the hot built-ins are the natives again.
    expect([isNative(JSON.parse), isNative(JSON.stringify), isNative(Array.prototype.push)]).toEqual([true, true, true]);
    expect(JSON.parse(JSON.stringify({ a: [1, 2] }))).toEqual({ a: [1, 2] });
  });

  it('still reads a PDF after that', async () => {
    const { createPdfjsPdfReader } = await import('./pdfjs-pdf.reader.js');
    // A one-page PDF with a text layer, written by hand (offsets computed below).
    const objects = [
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    ];
    const text = 'BT /F1 18 Tf 20 100 Td (Net salary INR 250000 paid) Tj ET';
    objects.push(`<< /Length ${text.length} >>\nstream\n${text}\nendstream`);
    objects.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
    let body = '%PDF-1.4\n';
    const offsets: number[] = [];
    objects.forEach((o, i) => { offsets.push(body.length); body += `${i + 1} 0 obj\n${o}\nendobj\n`; });
    const xref = body.length;
    body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
    const read = await createPdfjsPdfReader({ minTextChars: 5 }).read(Buffer.from(body, 'latin1'));
    expect(read).toMatchObject({ ok: true, via: 'text-layer', pageCount: 1 });
    expect(read.ok && read.via === 'text-layer' ? read.text : '').toContain('Net salary INR 250000 paid');
  });
});
