/**
 * Reads a PDF with PDF.js (pdfjs-dist, Apache-2.0; the Node build, which runs its parser in-process and draws
 * with @napi-rs/canvas). A digitally generated PDF has a text layer: its text is taken directly, no OCR. A
 * scanned one has none: its first pages are rendered to PNG for OCR, on canvases from PDF.js's own canvas factory
 * (@napi-rs/canvas loaded once, by PDF.js; a canvas from a second load of the addon crashes the process). Bounded: at most `maxPages` pages, each
 * rendered at `dpi` but scaled down to at most `maxPixelsPerPage`, and the whole read within `timeoutMs`.
 * A PDF that cannot be read (encrypted, corrupt, a page larger than the limit, too slow) is `ok: false` with
 * the reason, never a throw.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * PDF.js's legacy build (the one that runs on Node 20) carries core-js, which on load replaces the process's
 * own JSON.parse, JSON.stringify and Array.prototype.push with JavaScript polyfills (for JSON.parse source
 * text access and edge cases of push at 2^32 elements that nothing here reaches). Every JSON body, jsonb
 * column and Kafka message of the LOS then went through them: in a pipeline-bench CPU profile they were
 * about 6 % of the LOS's CPU while it approved loans. The natives are kept before PDF.js loads and put back
 * after it; what core-js only adds (Promise.withResolvers, Set methods, …, which PDF.js needs) stays.
 */
const natives = { parse: JSON.parse, stringify: JSON.stringify, push: Array.prototype.push };
const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
JSON.parse = natives.parse;
JSON.stringify = natives.stringify;
Array.prototype.push = natives.push;

export type PdfRead =
  | { readonly ok: true; readonly via: 'text-layer'; readonly text: string; readonly pagesRead: number; readonly pageCount: number }
  | { readonly ok: true; readonly via: 'ocr'; readonly images: readonly Buffer[]; readonly pagesRead: number; readonly pageCount: number }
  | { readonly ok: false; readonly reason: string };

export interface PdfReader {
  read(bytes: Buffer): Promise<PdfRead>;
}

export interface PdfReaderOptions {
  /** Pages read (text or rendered), from the first. */
  readonly maxPages?: number;
  /** Render resolution for OCR; tesseract reads well at 200–300 dpi. */
  readonly dpi?: number;
  /** A page is rendered smaller than `dpi` if it would exceed this many pixels. */
  readonly maxPixelsPerPage?: number;
  /** A page whose side exceeds this (PDF points, 1/72 in) is not read at all. */
  readonly maxPageSidePoints?: number;
  /** A text layer with fewer non-blank characters than this counts as none (a scan with stray text). */
  readonly minTextChars?: number;
  readonly timeoutMs?: number;
}

/** PDF.js's Node canvas factory (not in its published types): canvases from @napi-rs/canvas. */
interface CanvasFactory {
  create(width: number, height: number): { canvas: { toBuffer(type: 'image/png'): Buffer }; context: unknown };
  destroy(pair: { canvas: unknown; context: unknown }): void;
}

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const STANDARD_FONTS = `${join(PDFJS_DIR, 'standard_fonts')}/`;

export function createPdfjsPdfReader(options: PdfReaderOptions = {}): PdfReader {
  const maxPages = options.maxPages ?? 3;
  const dpi = options.dpi ?? 200;
  const maxPixels = options.maxPixelsPerPage ?? 12_000_000;
  const maxSide = options.maxPageSidePoints ?? 14_400; // 200 inches, the PDF 1.x user-space limit
  const minTextChars = options.minTextChars ?? 20;
  const timeoutMs = options.timeoutMs ?? 30_000;

  const readDocument = async (doc: PDFDocumentProxy, cancelled: () => boolean): Promise<PdfRead> => {
    const pageCount = doc.numPages;
    const pagesRead = Math.min(pageCount, maxPages);
    const pages = [];
    for (let n = 1; n <= pagesRead; n += 1) {
      const page = await doc.getPage(n);
      const { width, height } = page.getViewport({ scale: 1 });
      if (!(width > 0 && height > 0) || width > maxSide || height > maxSide) {
        return { ok: false, reason: `page ${n} is ${Math.round(width)}×${Math.round(height)} pt, outside the readable size (at most ${maxSide} pt a side)` };
      }
      pages.push(page);
    }
    const texts: string[] = [];
    for (const page of pages) {
      const content = await page.getTextContent();
      texts.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    }
    const text = texts.join('\n');
    if (text.replace(/\s/g, '').length >= minTextChars) return { ok: true, via: 'text-layer', text, pagesRead, pageCount };
    const images: Buffer[] = [];
    const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
    for (const page of pages) {
      if (cancelled()) break;
      const base = page.getViewport({ scale: 1 });
      const scale = Math.min(dpi / 72, Math.sqrt(maxPixels / (base.width * base.height)));
      const viewport = page.getViewport({ scale });
      const { canvas, context } = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
      try {
        await page.render({ canvas: canvas as never, canvasContext: context as never, viewport, background: '#ffffff' }).promise;
        images.push(canvas.toBuffer('image/png'));
      } finally {
        factory.destroy({ canvas, context });
        page.cleanup();
      }
    }
    return { ok: true, via: 'ocr', images, pagesRead, pageCount };
  };

  return {
    async read(bytes) {
      const task = getDocument({
        data: new Uint8Array(bytes),
        standardFontDataUrl: STANDARD_FONTS,
        disableFontFace: true,
        useSystemFonts: false,
        stopAtErrors: true,
        verbosity: 0,
      });
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      try {
        return await Promise.race([
          task.promise.then((doc) => readDocument(doc, () => timedOut)),
          new Promise<PdfRead>((resolve) => { timer = setTimeout(() => { timedOut = true; resolve({ ok: false, reason: `reading took longer than ${timeoutMs} ms` }); }, timeoutMs); }),
        ]);
      } catch (error) {
        const e = error as Error;
        if (e.name === 'PasswordException') return { ok: false, reason: 'encrypted (a password is needed to open it)' };
        if (e.name === 'InvalidPDFException') return { ok: false, reason: `corrupt: ${e.message.slice(0, 200)}` };
        return { ok: false, reason: `${e.name || 'error'}: ${e.message.slice(0, 200)}` };
      } finally {
        clearTimeout(timer);
        await task.destroy().catch(() => undefined);
      }
    },
  };
}
