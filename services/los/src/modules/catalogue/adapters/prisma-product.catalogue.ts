import type { ProductDefinition } from '@lendstack/contracts';
import type { PrismaClient } from '../../../platform/prisma.js';
import type { ProductCatalogue } from '../ports.js';

export function createPrismaProductCatalogue(prisma: PrismaClient): ProductCatalogue {
  return {
    async find(tenantId, code) {
      const row = await prisma.catalogueProduct.findUnique({ where: { tenantId_code: { tenantId, code } } });
      return row ? (row.definition as unknown as ProductDefinition) : undefined;
    },
    async hasAny(tenantId) {
      return (await prisma.catalogueProduct.findFirst({ where: { tenantId }, select: { code: true } })) !== null;
    },
    async upsert(all) {
      // A chunk may carry several versions of one product: keep the latest (one row per key per statement).
      const latest = new Map<string, (typeof all)[number]>();
      for (const p of all) {
        const key = `${p.tenantId}\u0000${p.code}`;
        if ((latest.get(key)?.version ?? 0) < p.version) latest.set(key, p);
      }
      const products = [...latest.values()];
      if (products.length === 0) return;
      // One statement; an older version (a replayed or out-of-order message) never overwrites a newer one.
      await prisma.$executeRawUnsafe(
        `INSERT INTO catalogue_products (tenant_id, code, version, definition, effective_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::jsonb[], $5::timestamptz[])
         ON CONFLICT (tenant_id, code) DO UPDATE
           SET version = EXCLUDED.version, definition = EXCLUDED.definition, effective_at = EXCLUDED.effective_at, updated_at = now()
           WHERE catalogue_products.version < EXCLUDED.version`,
        products.map((p) => p.tenantId), products.map((p) => p.code), products.map((p) => p.version),
        products.map((p) => JSON.stringify(p.definition)), products.map((p) => p.effectiveAt),
      );
    },
  };
}
