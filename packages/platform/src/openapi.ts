/**
 * What every Lendstack OpenAPI document says about errors, so the document tells the truth about the
 * responses the shared HTTP layer gives on every route:
 * - every 4xx and 5xx body is RFC 9457 `application/problem+json` (the `Problem` component), except a
 *   response whose schema names a media type of its own (`x-media-type`: OAuth 2.0's token errors);
 * - every route documents 400 (text hygiene refuses bad paths and query strings anywhere), 414 (the
 *   request-target bound) and 500; every route that reads a body also 413 (body limit) and 415 (a
 *   content type it has no parser for), and 401 where a route has not described its own; 422 where
 *   a route reads an Idempotency-Key (reused with another request) or a page cursor (one not issued).
 *   Routes document their own 403, 404, 409 and other 422s.
 */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** RFC 9457 §3 members the services send, with `errors` naming each offending field (RFC 6901 pointer). */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'Identifies the kind of problem (https://lendstack.dev/problems/<slug>)' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request target the problem occurred on (absent on 414)' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: { pointer: { type: 'string', description: 'JSON pointer into the request: /field for the body, /params/x, /query/x, /header/x' }, detail: { type: 'string' } },
      },
    },
  },
} as const;

export interface ErrorDocOptions {
  /** The server's body limit, for routes that set none of their own. */
  readonly bodyLimitBytes: number;
  /** Longest request target (path and query) a request may have. */
  readonly maxUrlChars: number;
}

type ResponseDoc = Record<string, unknown> & { description?: string };
interface RouteSchema {
  hide?: boolean;
  headers?: unknown;
  querystring?: unknown;
  response?: Record<string | number, ResponseDoc>;
  [key: string]: unknown;
}
interface TransformInput {
  schema: unknown;
  url: string;
  route: { method: string | string[]; bodyLimit?: number };
}

const BODY_LESS_METHODS = new Set(['GET', 'HEAD']);

/** `transform` for @fastify/swagger: adds the responses the shared layer gives to every route. */
export function documentSharedResponses(options: ErrorDocOptions) {
  return ({ schema, url, route }: TransformInput): { schema: RouteSchema; url: string } => {
    const routeSchema = (schema ?? {}) as RouteSchema;
    if (routeSchema.hide) return { schema: routeSchema, url };
    const response: Record<string, ResponseDoc> = {};
    for (const [code, doc] of Object.entries(routeSchema.response ?? {})) response[code] = doc;
    const add = (code: number, description: string) => {
      if (!(String(code) in response)) response[String(code)] = { description };
    };
    add(400, 'Invalid request: a path, query, header or body value fails its schema, or is not well-formed UTF-8 text (`errors` names each field)');
    add(401, 'Missing or invalid credentials');
    const methods = typeof route.method === 'string' ? [route.method] : route.method;
    if (methods.some((m) => !BODY_LESS_METHODS.has(m.toUpperCase()))) {
      add(413, `Body larger than ${route.bodyLimit ?? options.bodyLimitBytes} bytes`);
      add(415, 'Content-Type is not one this operation accepts');
    }
    // Refusals the shared helpers make wherever a route reads what they read.
    const props = (part: unknown) => ((part as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
    if ('idempotency-key' in props(routeSchema.headers)) add(422, 'Idempotency-Key reused with another request (`errors` names /header/idempotency-key)');
    if ('cursor' in props(routeSchema.querystring)) add(422, 'A cursor this API did not issue (`errors` names /query/cursor)');
    add(414, `Request target (path and query) longer than ${options.maxUrlChars} characters; the problem does not repeat it`);
    add(500, 'Internal error (no details are given)');
    // A multipart route reads its parts itself (no body schema to validate with); it documents them here.
    const { 'x-multipart-body': multipart, ...documented } = routeSchema;
    return { schema: { ...documented, ...(multipart ? { body: multipart } : {}), response }, url };
  };
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> } & Record<string, unknown>> }>>;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
  [key: string]: unknown;
}

const isErrorStatus = (code: string) => /^[45](\d\d|XX)$/.test(code);
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

/**
 * `transformObject` for @fastify/swagger: every error response's body is problem+json. A route that
 * described extension members of its own keeps them, combined with the Problem schema.
 */
export function problemMediaTypes({ openapiObject }: { openapiObject: unknown }): OpenApiDoc {
  const doc = openapiObject as OpenApiDoc;
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: problemSchema } };
  for (const operations of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [code, response] of Object.entries(operation.responses ?? {})) {
        // 204 No Content (and 205, 304) has no body, so no media type either.
        if (code === '204' || code === '205' || code === '304') delete response.content;
        if (!isErrorStatus(code)) continue;
        const own = Object.values(response.content ?? {})[0]?.schema;
        // A response in a format of its own (OAuth 2.0's token errors) names its media type.
        const mediaType = own?.['x-media-type'];
        if (typeof mediaType === 'string') {
          const { 'x-media-type': _named, ...schema } = own!;
          // A 400 may still come from the shared layer (a body that is not JSON, text hygiene) as problem+json.
          response.content = { [mediaType]: { schema }, ...(code === '400' ? { [PROBLEM_MEDIA_TYPE]: { schema: PROBLEM_REF } } : {}) };
          continue;
        }
        const hasOwnShape = own !== undefined && ('properties' in own || '$ref' in own || 'allOf' in own);
        response.content = { [PROBLEM_MEDIA_TYPE]: { schema: hasOwnShape ? { allOf: [PROBLEM_REF, own] } : PROBLEM_REF } };
      }
    }
  }
  return doc;
}

/** Each error response of an OpenAPI document with the media types it documents (for tests of served documents). */
export function errorMediaTypes(doc: { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> }) {
  return Object.entries(doc.paths).flatMap(([path, operations]) => Object.entries(operations).flatMap(([method, operation]) =>
    Object.entries(operation.responses ?? {}).filter(([code]) => /^[45]/.test(code))
      .map(([code, response]) => ({ operation: `${method.toUpperCase()} ${path}`, code, mediaTypes: Object.keys(response.content ?? {}) }))));
}
