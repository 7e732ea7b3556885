import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem, jsonPointer } from './problem.js';

/**
 * Text the services accept, in bodies, query strings and paths, is well-formed Unicode without NUL:
 * - bytes that are not UTF-8 are refused (never silently replaced with U+FFFD);
 * - U+0000 and lone surrogates (`"\udace"` in JSON) are refused: Postgres cannot store them, and no
 *   name, address or reason needs them.
 * Each refusal is a 400 problem naming the field (RFC 6901 pointer, as parseOr400 does). Headers the
 * services read are checked by their own patterns (bearer token, Idempotency-Key); Node's HTTP parser
 * already refuses control characters in header values.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Why a string cannot be accepted, or undefined when it is clean. */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (no lone surrogate)';
  return undefined;
}

/** The first string (key or value) in a parsed JSON document that is not clean, with its path. */
export function findBadText(value: unknown, path: string[] = []): { path: string[]; problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findBadText(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: [...path, key], problem: `property name ${keyProblem}` };
      const found = findBadText(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function invalid(pointer: string, detail: string): HttpProblem {
  return new HttpProblem(400, 'validation-error', 'Request is not valid', `The request has 1 invalid field(s).`, { errors: [{ pointer, detail }] });
}

/** Percent-decodes a URL component to its bytes (a raw byte above 0x7F arrives as one latin1 character). */
function bytesOf(component: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < component.length; i += 1) {
    const c = component.charCodeAt(i);
    const hex = c === 0x25 ? component.slice(i + 1, i + 3) : '';
    if (/^[\da-fA-F]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(c === 0x2b ? 0x20 : c & 0xff);
    }
  }
  return Buffer.from(out);
}

function decodedText(component: string): { text?: string; problem?: string } {
  try {
    const text = utf8.decode(bytesOf(component));
    const problem = textProblem(text);
    return problem ? { problem } : { text };
  } catch {
    return { problem: 'must be UTF-8' };
  }
}

function checkUrl(request: FastifyRequest): void {
  const raw = request.raw.url ?? '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const pathCheck = decodedText(path.replaceAll('+', '%2B'));
  if (pathCheck.problem) throw invalid('/path', `the request path ${pathCheck.problem}`);
  if (q < 0) return;
  for (const pair of raw.slice(q + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodedText(eq < 0 ? pair : pair.slice(0, eq));
    if (name.problem) throw invalid('/query', `a query parameter name ${name.problem}`);
    const value = eq < 0 ? {} : decodedText(pair.slice(eq + 1));
    if (value.problem) throw invalid(jsonPointer(['query', name.text ?? '']), value.problem);
  }
}

/** Installs the rule above: a JSON body parser that refuses bad text, and a URL check on every request. */
export function installTextHygiene(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      return done(invalid('/', 'the request body must be UTF-8'), undefined);
    }
    parseJson(request, text, (error, parsed) => {
      if (error) return done(error, undefined);
      const bad = findBadText(parsed);
      if (bad) return done(invalid(jsonPointer(bad.path), bad.problem), undefined);
      return done(null, parsed);
    });
  });
  app.addHook('onRequest', async (request) => checkUrl(request));
}
