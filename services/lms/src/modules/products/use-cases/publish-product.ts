import { topics } from '@lendstack/contracts';
import { decideVersion, definitionHash, productKey, productPublishedEvent, type ProductDefinition, type ProductVersion } from '../domain/product.js';
import type { ProductStore } from '../ports.js';

export type PublishProductResult =
  | { readonly ok: true; readonly status: 200 | 201; readonly replayed: boolean; readonly product: ProductVersion }
  | { readonly ok: false; readonly error: 'idempotency-key-reused' }
  | { readonly ok: false; readonly error: 'currency-change'; readonly latest: ProductVersion };

export interface PublishProductDeps {
  readonly store: ProductStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Called after a commit that put an event on the outbox, so the relay publishes it now. */
  readonly onPublished?: () => void;
}

/**
 * Publishes a product definition: a new code is version 1, a changed definition is version N+1
 * (201), a definition identical to the latest version creates nothing and returns it (200). The
 * version and its ProductPublished event (outbox, key `<tenant>:<code>`) commit in one transaction.
 * With an Idempotency-Key, a retry with the same body replays the first result (even after a later
 * version), and another body under the same key fails with `idempotency-key-reused`. A definition
 * in another currency than the code's latest version fails with `currency-change`.
 */
export async function publishProduct(
  deps: PublishProductDeps,
  input: { tenantId: string; definition: ProductDefinition; createdBy: string; idempotencyKey?: string; correlationId: string; traceparent?: string },
): Promise<PublishProductResult> {
  const requestHash = definitionHash(input.definition);
  const result = await deps.store.transaction(async (uow): Promise<PublishProductResult & { published?: boolean }> => {
    const key = input.idempotencyKey;
    if (key !== undefined) {
      const previous = await uow.claimIdempotency(input.tenantId, key, requestHash);
      if (previous !== 'claimed') {
        if (previous.requestHash !== requestHash) return { ok: false, error: 'idempotency-key-reused' };
        const product = await uow.findVersion(input.tenantId, previous.code, previous.version);
        if (!product) throw new Error(`idempotency record ${key} names a missing version ${previous.code} v${previous.version}`);
        return { ok: true, status: previous.responseStatus, replayed: true, product };
      }
    }
    const latest = await uow.lockLatest(input.tenantId, input.definition.code);
    const decision = decideVersion({ tenantId: input.tenantId, definition: input.definition, createdBy: input.createdBy, now: deps.now() }, latest);
    // Nothing is kept: the claimed key is rolled back with the transaction.
    if (decision.kind === 'currency-change') throw new Refused({ ok: false, error: 'currency-change', latest: decision.latest });
    const product = decision.kind === 'create' ? decision.version : decision.latest;
    const status = decision.kind === 'create' ? 201 : 200;
    if (decision.kind === 'create') {
      await uow.insertVersion(product);
      const event = productPublishedEvent(product, { eventId: deps.newId(), correlationId: input.correlationId, ...(input.traceparent ? { traceparent: input.traceparent } : {}) });
      await uow.enqueue(topics.products.name, productKey(product.tenantId, product.code), event);
    }
    if (key !== undefined) await uow.completeIdempotency(input.tenantId, key, { requestHash, code: product.code, version: product.version, responseStatus: status });
    return { ok: true, status, replayed: false, product, published: decision.kind === 'create' };
  }).catch((error: unknown) => {
    if (error instanceof Refused) return error.result;
    throw error;
  });
  if (result.ok && result.published) deps.onPublished?.();
  if (!result.ok) return result;
  return { ok: true, status: result.status, replayed: result.replayed, product: result.product };
}

/** Rolls the transaction back (the claimed idempotency key with it) and carries the failure out. */
class Refused extends Error {
  constructor(readonly result: Extract<PublishProductResult, { ok: false }>) {
    super(result.error);
  }
}
