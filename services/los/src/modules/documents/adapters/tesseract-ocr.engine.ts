/**
 * OCR with tesseract.js 7 and the English model shipped in @tesseract.js-data/eng (4.0.0_best_int), loaded
 * from node_modules (`langPath` is a local directory and `cacheMethod: 'none'`), so nothing is downloaded at
 * run time. One worker, created on first use, recognises one image at a time; the queue is bounded.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createWorker, type Worker } from 'tesseract.js';

export interface OcrResult {
  readonly text: string;
  /** Tesseract's mean word confidence, 0..100. */
  readonly confidence: number;
}

export interface OcrEngine {
  /** PNG or JPEG bytes. */
  recognize(image: Buffer): Promise<OcrResult>;
  close(): Promise<void>;
}

export const ENG_LANG_PATH = join(dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

export function createTesseractOcrEngine(options: { timeoutMs?: number; maxQueued?: number; cacheEntries?: number } = {}): OcrEngine {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxQueued = options.maxQueued ?? 32;
  const cacheEntries = options.cacheEntries ?? 64;
  let worker: Promise<Worker> | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let queued = 0;
  // The document and income checks read the same payslip: its text is kept by SHA-256 (bounded).
  const cache = new Map<string, OcrResult>();

  const getWorker = () => (worker ??= createWorker('eng', 1, { langPath: ENG_LANG_PATH, cacheMethod: 'none', gzip: true }));
  const reset = async () => {
    const current = worker;
    worker = undefined;
    await current?.then((w) => w.terminate()).catch(() => undefined);
  };

  const recognizeNow = async (image: Buffer): Promise<OcrResult> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        getWorker().then((w) => w.recognize(image)),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`OCR took longer than ${timeoutMs} ms`)), timeoutMs); }),
      ]);
      return { text: result.data.text, confidence: result.data.confidence };
    } catch (error) {
      await reset();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    recognize(image) {
      const key = createHash('sha256').update(image).digest('hex');
      const known = cache.get(key);
      if (known) return Promise.resolve(known);
      if (queued >= maxQueued) return Promise.reject(new Error(`OCR queue full (${maxQueued})`));
      queued += 1;
      const run = chain.then(() => recognizeNow(image));
      chain = run.catch(() => undefined);
      return run.then((result) => {
        cache.set(key, result);
        if (cache.size > cacheEntries) cache.delete(cache.keys().next().value as string);
        return result;
      }).finally(() => { queued -= 1; });
    },
    async close() {
      await chain;
      await reset();
    },
  };
}
