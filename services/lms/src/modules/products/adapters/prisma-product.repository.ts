import { randomUUID } from 'node:crypto';
import { afterKey } from '@lendstack/platform';
import { appendAudit, prismaAuditSql } from '../../audit/adapters/pg-audit-log.js';
import type { ProductDefinition, ProductVersion } from '../domain/product.js';
import type { PrismaClient, Tx } from '../../../platform/prisma.js';
import type { IdempotencyRecord, ProductReader, ProductStore, ProductUnitOfWork } from '../ports.js';

type VersionRow = NonNullable<Awaited<ReturnType<PrismaClient['productVersion']['findFirst']>>>;

const toVersion = (row: VersionRow): ProductVersion => ({
  tenantId: row.tenantId,
  code: row.code,
  version: row.version,
  definition: row.definition as ProductDefinition,
  definitionHash: row.definitionHash,
  effectiveAt: row.effectiveAt,
  createdBy: row.createdBy,
});

/** Products in the LMS database; a publishing transaction writes the version and its outbox row together. */
export function createPrismaProductRepository(prisma: PrismaClient): ProductStore & ProductReader {
  return {
    transaction: (work) => prisma.$transaction((tx) => work(unitOfWork(tx)), { timeout: 15_000 }),

    async find(tenantId, code, version) {
      if (version !== undefined) {
        const row = await prisma.productVersion.findUnique({ where: { tenantId_code_version: { tenantId, code, version } } });
        return row ? toVersion(row) : undefined;
      }
      const head = await prisma.product.findUnique({ where: { tenantId_code: { tenantId, code } }, select: { latestVersion: true } });
      if (!head || head.latestVersion === 0) return undefined;
      const row = await prisma.productVersion.findUnique({ where: { tenantId_code_version: { tenantId, code, version: head.latestVersion } } });
      return row ? toVersion(row) : undefined;
    },

    async list(tenantId, query) {
      const heads = await prisma.product.findMany({
        where: { tenantId, latestVersion: { gt: 0 }, ...afterKey(query.after) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      if (heads.length === 0) return [];
      const rows = await prisma.productVersion.findMany({
        where: { tenantId, OR: heads.map((h) => ({ code: h.code, version: h.latestVersion })) },
      });
      const byCode = new Map(rows.map((r) => [r.code, toVersion(r)]));
      return heads.flatMap((h) => {
        const latest = byCode.get(h.code);
        return latest ? [{ ...latest, id: h.id, createdAt: h.createdAt }] : [];
      });
    },
  };
}

function unitOfWork(tx: Tx): ProductUnitOfWork {
  return {
    async claimIdempotency(tenantId, key, requestHash) {
      // A concurrent claim of the same key blocks here until the first commits, then conflicts.
      const { count } = await tx.productIdempotency.createMany({ data: [{ tenantId, key, requestHash }], skipDuplicates: true });
      if (count === 1) return 'claimed';
      const row = await tx.productIdempotency.findUniqueOrThrow({ where: { tenantId_key: { tenantId, key } } });
      if (row.code === null || row.version === null || row.responseStatus === null) throw new Error(`idempotency key ${key} is claimed but not completed`);
      return { requestHash: row.requestHash, code: row.code, version: row.version, responseStatus: row.responseStatus === 201 ? 201 : 200 } satisfies IdempotencyRecord;
    },

    async completeIdempotency(tenantId, key, record) {
      await tx.productIdempotency.update({ where: { tenantId_key: { tenantId, key } }, data: { code: record.code, version: record.version, responseStatus: record.responseStatus } });
    },

    async lockLatest(tenantId, code) {
      // The head row exists before it is locked, so even the first version of a code is numbered under the lock.
      await tx.product.createMany({ data: [{ tenantId, code, id: randomUUID(), latestVersion: 0 }], skipDuplicates: true });
      const [head] = await tx.$queryRaw<{ latest_version: number }[]>`SELECT latest_version FROM products WHERE tenant_id = ${tenantId} AND code = ${code} FOR UPDATE`;
      if (!head || head.latest_version === 0) return undefined;
      const row = await tx.productVersion.findUnique({ where: { tenantId_code_version: { tenantId, code, version: head.latest_version } } });
      return row ? toVersion(row) : undefined;
    },

    async findVersion(tenantId, code, version) {
      const row = await tx.productVersion.findUnique({ where: { tenantId_code_version: { tenantId, code, version } } });
      return row ? toVersion(row) : undefined;
    },

    async insertVersion(v) {
      await tx.productVersion.create({
        data: { tenantId: v.tenantId, code: v.code, version: v.version, definition: v.definition, definitionHash: v.definitionHash, effectiveAt: v.effectiveAt, createdBy: v.createdBy },
      });
      await tx.product.update({ where: { tenantId_code: { tenantId: v.tenantId, code: v.code } }, data: { latestVersion: v.version, updatedAt: v.effectiveAt } });
      // Audited in the same transaction; the tenant's chain head is taken after the product's lock (appendAudit's rule).
      const before = v.version > 1 ? { code: v.code, version: v.version - 1 } : null;
      await appendAudit(prismaAuditSql(tx), { tenantId: v.tenantId, id: randomUUID(), at: v.effectiveAt, actor: v.createdBy, action: 'product.published', subject: `product/${v.code}`, before, after: { code: v.code, version: v.version, definitionHash: v.definitionHash } });
    },

    async enqueue(topic, key, event) {
      await tx.$executeRaw`INSERT INTO outbox (id, topic, key, value) VALUES (${event.id}::uuid, ${topic}, ${key}, ${JSON.stringify(event)}::jsonb)`;
    },
  };
}
