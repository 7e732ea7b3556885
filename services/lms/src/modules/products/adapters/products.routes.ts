import { authenticate, decodeCursor, HttpProblem, idempotencyKeyHeaderDoc, idempotencyKeyOf, pageQuerySchema, parseOr400, parseOr422Rules, schemaDoc, toPage } from '@lendstack/platform';
import { productCodeSchema } from '@lendstack/contracts';
import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { productInputSchema, type ProductVersion } from '../domain/product.js';
import type { ProductReader } from '../ports.js';
import { publishProduct, type PublishProductDeps } from '../use-cases/publish-product.js';

export interface ProductRoutesDeps extends PublishProductDeps {
  readonly products: ProductReader;
  readonly authSecret: string;
}

const paramsSchema = z.object({ code: productCodeSchema }).strict();
const versionQuerySchema = z.object({ version: z.coerce.number().int().min(1).max(1_000_000).optional() }).strict();
const problems = {
  400: { description: 'Invalid request (problem+json, `errors` names each field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the admin role' },
  404: { description: 'No such product (or version) for this tenant' },
  409: { description: 'The definition changes the currency of an existing product' },
  422: { description: 'Idempotency-Key reused with another body, or a definition of the documented shape that breaks a rule across its fields (an amount not in the product currency, min above max, grace not below non-accrual, ...; `errors` names each field)' },
};

/** Products: any authenticated caller of the tenant reads them; writing one needs the admin role. */
export async function productRoutes(app: FastifyInstance, deps: ProductRoutesDeps): Promise<void> {
  app.post('/v1/products', {
    schema: {
      tags: ['products'],
      summary: 'Publish a product (a new code is version 1, a changed definition the next version)',
      description:
        'Needs the admin role. A body identical to the latest version creates nothing and returns it (200). Every new version is ' +
        'published as ProductPublished v1 on `lendstack.servicing.products` (compacted, key `<tenant>:<code>`). Honours ' +
        '`Idempotency-Key`: a retry with the same key and body replays the first result (header `idempotent-replayed: true`); the ' +
        'same key with another body is refused with 422. Omitted optional fields take their defaults; `chartOfAccounts` lists only ' +
        'the accounts that differ from the default chart.',
      headers: idempotencyKeyHeaderDoc(),
      body: schemaDoc(productInputSchema),
      response: { 201: { description: 'A new version was created' }, 200: { description: 'Identical to the latest version: nothing created' }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, 'admin');
    const idempotencyKey = idempotencyKeyOf(request.headers);
    const definition = parseOr422Rules(productInputSchema, request.body, 'body');
    const traceparent = traceparentOf();
    const result = await publishProduct(deps, {
      tenantId: principal.tenantId,
      definition,
      createdBy: principal.subject,
      correlationId: request.id,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(traceparent ? { traceparent } : {}),
    });
    if (!result.ok && result.error === 'idempotency-key-reused') {
      throw new HttpProblem(422, 'idempotency-key-reused', 'Idempotency-Key reused', 'This Idempotency-Key was used with a different request body.', { errors: [{ pointer: '/header/idempotency-key', detail: 'already used with another body' }] });
    }
    if (!result.ok) {
      const { currency } = result.latest.definition;
      throw new HttpProblem(409, 'product-currency-fixed', 'Product currency cannot change', `Product ${definition.code} is in ${currency}; publish a product with a new code for another currency.`, { errors: [{ pointer: '/currency', detail: `must be ${currency}, the currency of version ${result.latest.version}` }] });
    }
    void reply.header('location', selfLink(result.product));
    if (result.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(result.status).send(productView(result.product));
  });

  app.get('/v1/products', {
    schema: {
      tags: ['products'],
      summary: "List the tenant's products (latest version of each), newest code first",
      description: 'Keyset pagination: pass `nextCursor` from a page as `cursor` to get the next; `nextCursor` is null on the last page.',
      querystring: schemaDoc(pageQuerySchema),
      response: { 200: { description: '`{ items, nextCursor }`' }, 400: problems[400], 401: problems[401] },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const query = parseOr400(pageQuerySchema.strict(), request.query, 'query');
    const after = decodeCursor(query.cursor);
    const rows = await deps.products.list(principal.tenantId, { limit: query.limit, ...(after ? { after } : {}) });
    const page = toPage(rows, query.limit, (p) => ({ createdAt: p.createdAt, id: p.id }));
    return { items: page.items.map(productView), nextCursor: page.nextCursor };
  });

  app.get('/v1/products/:code', {
    schema: {
      tags: ['products'],
      summary: 'Read a product: its latest version, or `?version=N`',
      params: schemaDoc(paramsSchema),
      querystring: schemaDoc(versionQuerySchema),
      response: { 200: { description: 'The product version' }, 400: problems[400], 401: problems[401], 404: problems[404] },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret);
    const { code } = parseOr400(paramsSchema, request.params, 'params');
    const { version } = parseOr400(versionQuerySchema, request.query, 'query');
    const product = await deps.products.find(principal.tenantId, code, version);
    if (!product) throw new HttpProblem(404, 'not-found', 'Product not found', version === undefined ? `No product ${code} for this tenant.` : `No version ${version} of product ${code} for this tenant.`);
    return productView(product);
  });
}

const selfLink = (p: ProductVersion) => `/v1/products/${p.code}?version=${p.version}`;

/** The public representation of a product version: the definition as ProductPublished carries it, plus who and links. */
export function productView(p: ProductVersion) {
  return {
    ...p.definition,
    version: p.version,
    effectiveAt: p.effectiveAt.toISOString(),
    createdBy: p.createdBy,
    links: { self: selfLink(p), latest: `/v1/products/${p.code}` },
  };
}

/** The request span's W3C traceparent, so the event continues the caller's trace. */
function traceparentOf(): string | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || !trace.isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`;
}
