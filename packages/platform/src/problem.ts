import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/** RFC 9457 problem details. `errors` names each offending field as a JSON pointer into the request. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { pointer: string; detail: string }[];
  [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://lendstack.dev/problems/';

/** An expected failure a route turns into a problem response; thrown only across the HTTP layer. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    /** Response header fields the problem needs (e.g. a 401's WWW-Authenticate challenge). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }
}

export function sendProblem(reply: FastifyReply, problem: ProblemDetails): FastifyReply {
  return reply.status(problem.status).type('application/problem+json').send(problem);
}

/** Parses `value` with `schema` or throws a 400 problem listing every wrong field (`in` = body/query/params). */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'header'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    const base = [...(where === 'body' ? [] : [where]), ...issue.path.map(String)];
    // An unknown property is named by its own pointer, not its parent's.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ pointer: jsonPointer([...base, key]), detail: `unknown property ${key}` }));
    return [{ pointer: jsonPointer(base), detail: issue.message }];
  });
  throw new HttpProblem(400, 'validation-error', 'Request is not valid', `The request ${where} has ${errors.length} invalid field(s).`, { errors });
}

/**
 * As parseOr400, except that a value refused only by rules across its fields (zod refinements: `custom`
 * issues, e.g. every amount in the product's currency, min ≤ max) is a 422: it has the documented
 * shape, and the rule is one no JSON Schema in the document can state. Any shape error keeps it a 400,
 * and so does a refinement marked `params: { documented: true }` (its rule is in the published schema,
 * e.g. a loan date's calendar pattern).
 */
export function parseOr422Rules<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'header'): z.infer<S> {
  try {
    return parseOr400(schema, value, where);
  } catch (error) {
    const result = schema.safeParse(value);
    if (error instanceof HttpProblem && !result.success && result.error.issues.every((issue) => issue.code === 'custom' && issue.params?.['documented'] !== true)) {
      throw new HttpProblem(422, 'validation-error', 'Request is not valid', `The request ${where} breaks ${result.error.issues.length} rule(s) across its fields.`, error.extensions);
    }
    throw error;
  }
}

/** RFC 6901: each segment escapes ~ as ~0 and / as ~1. */
export function jsonPointer(segments: readonly string[]): string {
  return segments.length === 0 ? '/' : segments.map((s) => `/${s.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** One table from failure to response, for every route of a service. */
export function installProblemHandlers(app: FastifyInstance): void {
  // Every route's path as a pattern with its methods, so a known path asked with another method answers
  // 405 with Allow (RFC 9110 §15.5.6) instead of 404.
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    const source = route.url.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
    const known = routes.find((r) => r.pattern.source === `^${source}$`);
    const methods = [route.method].flat();
    if (known) methods.forEach((m) => known.methods.add(m));
    else routes.push({ pattern: new RegExp(`^${source}$`), methods: new Set(methods) });
  });
  const allowedAt = (url: string) => {
    const path = url.split('?')[0] ?? '';
    return [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]))].sort();
  };
  const methodNotAllowed = (request: FastifyRequest, reply: FastifyReply, allowed: string[]) => {
    void reply.header('allow', allowed.join(', '));
    return sendProblem(reply, { type: `${PROBLEM_BASE}method-not-allowed`, title: 'Method not allowed', status: 405, detail: `${request.method} is not allowed here; allowed: ${allowed.join(', ')}.`, instance: request.url });
  };
  // Before the body is read: a method no route serves (QUERY, PATCH, ...) is 405 whatever its body, not a
  // 400 for a Content-Type or body the parsers refuse.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    const allowed = allowedAt(request.url);
    if (allowed.length > 0) await methodNotAllowed(request, reply, allowed);
  });
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedAt(request.url);
    if (allowed.length > 0) return methodNotAllowed(request, reply, allowed);
    return sendProblem(reply, { type: `${PROBLEM_BASE}not-found`, title: 'Not found', status: 404, detail: `No route ${request.method} ${request.url}`, instance: request.url });
  });
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpProblem) {
      void reply.headers(error.headers);
      return sendProblem(reply, {
        type: `${PROBLEM_BASE}${error.slug}`,
        title: error.title,
        status: error.status,
        ...(error.detail ? { detail: error.detail } : {}),
        // A 414's target is the thing too long to repeat.
        ...(error.status === 414 ? {} : { instance: request.url }),
        ...error.extensions,
      });
    }
    const err = error as { statusCode?: number; code?: string; message: string };
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors: unparsable JSON, wrong content type, body too large.
      return sendProblem(reply, { type: `${PROBLEM_BASE}bad-request`, title: 'Bad request', status: err.statusCode, detail: err.message, instance: request.url });
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, { type: `${PROBLEM_BASE}internal`, title: 'Internal error', status: 500, instance: request.url });
  });
}
