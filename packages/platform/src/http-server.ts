import swagger from '@fastify/swagger';
import { currencyCodes, isLoanDateSchema, LOAN_DATE_PATTERN, loanDateDescription, MAX_AMOUNT_DIGITS, moneySchema, nonNegativeMoneySchema, positiveMoneySchema } from '@lendstack/contracts';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from './logger.js';
import { registerMetricsRoute, type Metrics } from './metrics.js';
import { documentSharedResponses, problemMediaTypes } from './openapi.js';
import { HttpProblem, installProblemHandlers, sendProblem } from './problem.js';
import { installTextHygiene } from './text-hygiene.js';

export interface HttpServerOptions {
  readonly logger: Logger;
  readonly serviceName: string;
  readonly title: string;
  readonly description: string;
  readonly version: string;
  /** Upper bound on a request body; larger ones get 413. */
  readonly bodyLimitBytes?: number;
  /** Upper bound on the request target (path and query); longer ones get 414. Default 8192 (RFC 9110 §4.1). */
  readonly maxUrlChars?: number;
  readonly metrics: Metrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    span?: Span;
  }
}

/**
 * A fastify instance with what every Lendstack API shares: problem+json errors, a server span per
 * request continuing the caller's W3C trace context, and an OpenAPI 3.1 document at /openapi.json.
 * Route schemas are documentation; bodies are validated by the routes' zod schemas (one source of truth).
 */
export async function createHttpServer(options: HttpServerOptions): Promise<FastifyInstance> {
  const bodyLimitBytes = options.bodyLimitBytes ?? 256 * 1024;
  const maxUrlChars = options.maxUrlChars ?? 8192;
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: bodyLimitBytes,
    genReqId: () => crypto.randomUUID(),
    // A path parameter is bounded by its route's schema (400 naming it), not by the router's default of
    // 100 characters (which answered 414 with Fastify's own body, echoing the path); the request target
    // as a whole is bounded by maxUrlChars.
    routerOptions: { maxParamLength: maxUrlChars },
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
      return sendProblem(reply, tooLong ? uriTooLong(maxUrlChars) : {
        type: 'https://lendstack.dev/problems/validation-error', title: 'Request is not valid', status: 400,
        detail: 'The request path is not a valid URL.', errors: [{ pointer: '/path', detail: 'not a valid percent-encoded URL path' }],
      });
    },
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRequest', async (request) => {
    if ((request.raw.url ?? '').length > maxUrlChars) throw new HttpProblem(414, 'uri-too-long', 'URI too long', uriTooLong(maxUrlChars).detail);
  });
  // After the 414 bound (a 405 repeats the request target), before text hygiene (a 405 outranks a bad query).
  installProblemHandlers(app);
  installTextHygiene(app);
  installTracing(app, options.serviceName, options.metrics);
  registerMetricsRoute(app, options.metrics);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A staff JWT (HS256 development token, or RS256/ES256 from the configured identity provider), a client-credentials access token, or an API key (`lsk_…`).' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A partner API key (`lsk_…`), created by a tenant admin at POST /v1/api-keys.' },
          oauth2: {
            type: 'oauth2', description: "Client credentials (RFC 6749 §4.4): client id = an API key's id, client secret = the key.",
            flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { read: 'Read the tenant’s applications and loans', submit: 'Create and submit applications, upload documents, accept offers', service: 'Post repayments and repayment files' } } },
          },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }, { oauth2: [] }],
    },
    transform: documentSharedResponses({ bodyLimitBytes, maxUrlChars }),
    transformObject: problemMediaTypes as never,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** 414 without the request target: a problem never echoes a URL too long to accept. */
function uriTooLong(maxUrlChars: number) {
  return { type: 'https://lendstack.dev/problems/uri-too-long', title: 'URI too long', status: 414, detail: `The request target (path and query) is longer than ${maxUrlChars} characters.` };
}

function installTracing(app: FastifyInstance, serviceName: string, metrics: Metrics): void {
  const tracer = trace.getTracer(serviceName);
  app.addHook('onRequest', (request, reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?')[0] ?? '' } }, parent);
    request.span = span;
    const traceId = span.spanContext().traceId;
    void reply.header('trace-id', traceId);
    // Everything after this hook, the handler included, runs inside the request span.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) request.span?.setStatus({ code: SpanStatusCode.ERROR });
    request.span?.end();
    metrics.httpRequestSeconds.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}

/**
 * Minor-unit amounts the money schemas' refinements accept, which JSON Schema cannot see in a refine.
 * Keyed by the schemas' definitions, which `.describe()` and `.meta()` copies share with the original.
 */
const defOf = (schema: unknown) => (schema as { _zod?: { def?: unknown } })._zod?.def;
const AMOUNT_PATTERNS = new Map<unknown, string | undefined>([
  [defOf(moneySchema), undefined],
  [defOf(positiveMoneySchema), `^[1-9]\\d{0,${MAX_AMOUNT_DIGITS - 1}}$`],
  [defOf(nonNegativeMoneySchema), `^(0|[1-9]\\d{0,${MAX_AMOUNT_DIGITS - 1}})$`],
]);

/**
 * Money's scale must be its currency's own (JPY 0, INR 2, KWD 3): the currencies grouped by the scale
 * moneySchema itself accepts for them, as one `anyOf` branch per scale.
 */
function scaleBranches(): Record<string, unknown>[] {
  const byScale = new Map<number, string[]>();
  for (const currency of currencyCodes) {
    const scale = [0, 1, 2, 3, 4].find((s) => moneySchema.safeParse({ amount: '1', currency, scale: s }).success);
    if (scale !== undefined) byScale.set(scale, [...(byScale.get(scale) ?? []), currency]);
  }
  return [...byScale].sort(([a], [b]) => a - b).map(([scale, currencies]) => ({ properties: { currency: { enum: currencies }, scale: { enum: [scale] } } }));
}
let moneyScaleBranches: Record<string, unknown>[] | undefined;

/**
 * A route's zod schema as JSON Schema for the OpenAPI document (what callers send, before defaults).
 * Money carries what its refinements enforce: the amount's sign in the pattern (positive and
 * non-negative money) and the scale of each currency, so a schema-valid amount is one the service accepts;
 * a loan date carries the range and calendar of its refinements as LOAN_DATE_PATTERN.
 */
export function schemaDoc(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // A loan date (the engine's 1900-01-01..2999-12-31, a real calendar day) as the contracts' pattern
      // says it, so a schema-valid date is one the route accepts.
      if (isLoanDateSchema(zodSchema) || z.globalRegistry.get(zodSchema)?.description === loanDateDescription) {
        jsonSchema.pattern = LOAN_DATE_PATTERN;
        return;
      }
      if (!AMOUNT_PATTERNS.has(defOf(zodSchema))) return;
      const pattern = AMOUNT_PATTERNS.get(defOf(zodSchema));
      const properties = jsonSchema.properties as Record<string, Record<string, unknown>> | undefined;
      // New objects, not edits: both refinements share their parent's (moneySchema's) generated members.
      if (pattern && properties?.amount) jsonSchema.properties = { ...properties, amount: { ...properties.amount, pattern } };
      moneyScaleBranches ??= scaleBranches();
      jsonSchema.anyOf = structuredClone(moneyScaleBranches);
    },
  }) as Record<string, unknown>;
}
