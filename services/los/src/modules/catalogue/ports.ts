import type { ProductDefinition } from '@lendstack/contracts';

/** The LMS's product catalogue as the LOS holds it (latest version per tenant and code). */
export interface ProductCatalogue {
  find(tenantId: string, code: string): Promise<ProductDefinition | undefined>;
  /** Whether the tenant has published any product (see `catalogueDecision`). */
  hasAny(tenantId: string): Promise<boolean>;
  /** Stores a published version unless a later one is already stored. */
  upsert(products: readonly { tenantId: string; code: string; version: number; definition: ProductDefinition; effectiveAt: Date }[]): Promise<void>;
}
