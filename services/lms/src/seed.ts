import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from './config.js';
import { saveScheduleIfAbsent } from './modules/collections/adapters/collector.repository.js';
import { collectionScheduleSchema } from './modules/collections/domain/collection-plan.js';
import { DEMO_COLLECTION_SCHEDULES } from './modules/collections/domain/demo-schedules.js';
import { createPrismaProductRepository } from './modules/products/adapters/prisma-product.repository.js';
import { seedDemoProducts } from './modules/products/use-cases/seed-demo-products.js';
import { createPrisma } from './platform/prisma.js';

// Seeds tenant `demo` with the demo products and their collection schedules (idempotent); run by infra/up.sh after the migrations.
// The ProductPublished events wait on the outbox until the LMS's relay publishes them.
const tenantId = process.argv[2] ?? 'demo';
const pool = new pg.Pool({ connectionString: loadConfig().LMS_DATABASE_URL, max: 2 });
const prisma = createPrisma(pool);
try {
  const store = createPrismaProductRepository(prisma);
  const seeded = await seedDemoProducts({ store, now: () => new Date(), newId: randomUUID }, tenantId);
  console.log(`lms: products for ${tenantId}: ${seeded.map((s) => `${s.code} v${s.version}${s.created ? ' (new)' : ''}`).join(', ')}`);
  // Each demo product's collection schedule, where the tenant has none yet (a lender's own edit stays).
  const schedules = [];
  for (const [productCode, schedule] of Object.entries(DEMO_COLLECTION_SCHEDULES)) {
    const stored = await saveScheduleIfAbsent(pool, { tenantId, productCode, schedule: collectionScheduleSchema.parse(schedule), updatedBy: 'seed' });
    schedules.push(`${productCode}${stored ? ' (new)' : ''}`);
  }
  console.log(`lms: collection schedules for ${tenantId}: ${schedules.join(', ')}`);
} finally {
  await prisma.$disconnect();
  await pool.end();
}
