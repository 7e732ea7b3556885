import type { Prisma } from '../../../generated/prisma/client.js';
import type { Tx } from '../../../platform/prisma.js';
import type { CheckState } from '../domain/application.js';
import { IdempotencyConflict, type ApplicationUnitOfWork } from '../ports.js';
import { APPLICATION_COLUMNS, fromRow, type ApplicationRow } from './pg-application.store.js';

const json = (value: unknown) => value as Prisma.InputJsonValue;

/**
 * The unit of work over one Prisma transaction, for the checks module, whose own writes are Prisma's and
 * share the transaction. The application store itself runs on node-postgres (pg-application.store.ts).
 */
export function unitOfWork(tx: Tx): ApplicationUnitOfWork {
  return {
    async lockForUpdate(tenantId, id) {
      const [row] = await tx.$queryRawUnsafe<ApplicationRow[]>(`SELECT ${APPLICATION_COLUMNS} FROM applications WHERE id = $1::uuid AND tenant_id = $2 FOR UPDATE`, id, tenantId);
      return row ? fromRow(row) : undefined;
    },
    async insert(app) {
      await tx.application.create({
        data: {
          id: app.id, tenantId: app.tenantId, status: app.status, applicant: json(app.applicant), loanRequest: json(app.loanRequest), submittedBy: app.submittedBy,
          version: app.version, createdAt: app.createdAt, dateOfBirthMasked: app.dateOfBirthMasked,
          ...(app.employment ? { employment: json(app.employment) } : {}), ...(app.device ? { device: json(app.device) } : {}), ...(app.topUpOf ? { topUpOfLoanId: app.topUpOf } : {}), checksRun: app.checksRun,
        },
      });
    },
    async update(app) {
      // Optimistic check on top of the row lock: a lost update is a bug, so fail loudly.
      const { count } = await tx.application.updateMany({
        where: { id: app.id, version: app.version - 1 },
        data: { status: app.status, decidedBy: app.decidedBy, decidedAt: app.decidedAt, decisionReason: app.decisionReason, loanId: app.loanId, checksRun: app.checksRun, version: app.version },
      });
      if (count !== 1) throw new Error(`application ${app.id} changed concurrently`);
    },
    async enqueue(message) {
      await tx.outboxMessage.create({ data: { id: message.id, topic: message.topic, key: message.key, value: json(message.value), headers: message.headers } });
    },
    async audit(entry) {
      await tx.decisionAudit.create({ data: { ...entry, detail: json(entry.detail) } });
    },
    async saveNotice(n) {
      await tx.adverseActionNotice.createMany({
        data: [{ applicationId: n.applicationId, checksRun: n.checksRun, tenantId: n.tenantId, pdf: new Uint8Array(n.pdf), pdfSha256: n.sha256, content: json(n.content), createdAt: n.at }],
        skipDuplicates: true,
      });
    },
    async checksOf(applicationId) {
      const rows = await tx.applicationCheck.findMany({ where: { applicationId }, select: { kind: true, status: true, result: true }, orderBy: { kind: 'asc' } });
      return rows as CheckState[];
    },
    async savePii(record) {
      await tx.applicationPii.create({
        data: { applicationId: record.applicationId, tenantId: record.tenantId, nationalId: new Uint8Array(record.nationalId), dateOfBirth: record.dateOfBirth ? new Uint8Array(record.dateOfBirth) : null, bankAccount: new Uint8Array(record.bankAccount) },
      });
    },
    async requestChecks(applicationId, run) {
      await tx.application.update({ where: { id: applicationId }, data: { checksPendingRun: run } });
    },
    async findIdempotency(tenantId, key) {
      const row = await tx.idempotencyRecord.findUnique({ where: { tenantId_key: { tenantId, key } } });
      return row ?? undefined;
    },
    async saveIdempotency(record) {
      try {
        await tx.idempotencyRecord.create({ data: { ...record, responseBody: json(record.responseBody) } });
      } catch (error) {
        if ((error as { code?: string }).code === 'P2002') throw new IdempotencyConflict(record.key);
        throw error;
      }
    },
  };
}
