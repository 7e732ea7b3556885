import type { PageKey } from '@lendstack/platform';
import type { ProductPublishedV1 } from '@lendstack/contracts';
import type { ProductVersion } from './domain/product.js';

/** The result an Idempotency-Key stands for: the version a request produced and the status it got. */
export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly code: string;
  readonly version: number;
  readonly responseStatus: 200 | 201;
}

/** What one publishing transaction may do; everything commits or nothing does. */
export interface ProductUnitOfWork {
  /**
   * Claims `key` for this request, or returns the record a committed request left under it (a
   * concurrent request with the same key waits for the first to commit).
   */
  claimIdempotency(tenantId: string, key: string, requestHash: string): Promise<IdempotencyRecord | 'claimed'>;
  completeIdempotency(tenantId: string, key: string, record: IdempotencyRecord): Promise<void>;
  /** The latest version of a code, locking the product so versions are numbered one at a time. */
  lockLatest(tenantId: string, code: string): Promise<ProductVersion | undefined>;
  findVersion(tenantId: string, code: string, version: number): Promise<ProductVersion | undefined>;
  insertVersion(version: ProductVersion): Promise<void>;
  /** The event on the transactional outbox; the relay publishes it after commit. */
  enqueue(topic: string, key: string, event: ProductPublishedV1): Promise<void>;
}

export interface ProductStore {
  transaction<T>(work: (uow: ProductUnitOfWork) => Promise<T>): Promise<T>;
}

/** A product listed with the time its code was first created (the page key). */
export type ProductListItem = ProductVersion & { readonly id: string; readonly createdAt: Date };

export interface ProductReader {
  /** The latest version, or `version` when given. */
  find(tenantId: string, code: string, version?: number): Promise<ProductVersion | undefined>;
  /** The latest version of each product, newest code first; at most `limit + 1` rows. */
  list(tenantId: string, query: { after?: PageKey; limit: number }): Promise<ProductListItem[]>;
}
