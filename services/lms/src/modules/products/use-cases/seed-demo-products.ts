import { DEMO_PRODUCTS } from '../domain/demo-products.js';
import { productInputSchema } from '../domain/product.js';
import { publishProduct, type PublishProductDeps } from './publish-product.js';

/**
 * Upserts the demo products for `tenantId` through the same use case as POST /v1/products: a product
 * already at the seed's definition is left as it is (no new version, no event), so running the seed
 * again changes nothing; one changed since is brought back to the seed's definition as a new version.
 */
export async function seedDemoProducts(deps: PublishProductDeps, tenantId: string): Promise<{ code: string; version: number; created: boolean }[]> {
  const results = [];
  for (const input of DEMO_PRODUCTS) {
    const definition = productInputSchema.parse(input);
    const result = await publishProduct(deps, { tenantId, definition, createdBy: 'seed', correlationId: `seed-${tenantId}-${definition.code}` });
    if (!result.ok) throw new Error(`seeding ${definition.code} for ${tenantId} failed: ${result.error}`);
    results.push({ code: result.product.code, version: result.product.version, created: result.status === 201 });
  }
  return results;
}
