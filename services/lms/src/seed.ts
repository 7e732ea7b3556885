import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from './config.js';
import { createPrismaProductRepository } from './modules/products/adapters/prisma-product.repository.js';
import { seedDemoProducts } from './modules/products/use-cases/seed-demo-products.js';
import { createPrisma } from './platform/prisma.js';

// Seeds tenant `demo` with the demo products (idempotent); run by infra/up.sh after the migrations.
// The ProductPublished events wait on the outbox until the LMS's relay publishes them.
const tenantId = process.argv[2] ?? 'demo';
const pool = new pg.Pool({ connectionString: loadConfig().LMS_DATABASE_URL, max: 2 });
const prisma = createPrisma(pool);
try {
  const store = createPrismaProductRepository(prisma);
  const seeded = await seedDemoProducts({ store, now: () => new Date(), newId: randomUUID }, tenantId);
  console.log(`lms: products for ${tenantId}: ${seeded.map((s) => `${s.code} v${s.version}${s.created ? ' (new)' : ''}`).join(', ')}`);
} finally {
  await prisma.$disconnect();
  await pool.end();
}
