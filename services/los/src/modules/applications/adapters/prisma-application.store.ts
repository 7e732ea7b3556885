import { afterKey } from '@lendstack/platform';
import type { Prisma } from '../../../generated/prisma/client.js';
import type { PrismaClient, Tx } from '../../../platform/prisma.js';
import type { Application, ApplicationStatus, BookingFailure, Borrower, CheckState, DeviceSignal, Employment, LoanTerms } from '../domain/application.js';
import { IdempotencyConflict, type ApplicationStore, type ApplicationUnitOfWork } from '../ports.js';

type Row = Awaited<ReturnType<PrismaClient['application']['findFirst']>> & {};

function toDomain(row: Row): Application {
  return {
    id: row.id,
    tenantId: row.tenantId,
    status: row.status as ApplicationStatus,
    applicant: row.applicant as unknown as Borrower,
    loanRequest: row.loanRequest as unknown as LoanTerms,
    submittedBy: row.submittedBy,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    decisionReason: row.decisionReason,
    loanId: row.loanId,
    bookingFailure: (row.bookingFailure as unknown as BookingFailure | null) ?? null,
    dateOfBirthMasked: row.dateOfBirthMasked ?? null,
    employment: (row.employment as unknown as Employment | null) ?? null,
    device: (row.device as unknown as DeviceSignal | null) ?? null,
    topUpOf: row.topUpOfLoanId ?? null,
    checksRun: row.checksRun,
    version: row.version,
    createdAt: row.createdAt,
  };
}

const json = (value: unknown) => value as Prisma.InputJsonValue;

interface LockedRow {
  id: string;
  tenant_id: string;
  status: string;
  applicant: unknown;
  loan_request: unknown;
  submitted_by: string;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  loan_id: string | null;
  booking_failure: unknown;
  date_of_birth_masked: string | null;
  employment: unknown;
  device: unknown;
  top_up_of_loan_id: string | null;
  checks_run: number;
  version: number;
  created_at: Date;
}

function fromLockedRow(row: LockedRow): Application {
  return toDomain({
    id: row.id, tenantId: row.tenant_id, status: row.status, applicant: row.applicant, loanRequest: row.loan_request,
    submittedBy: row.submitted_by, decidedBy: row.decided_by, decidedAt: row.decided_at, decisionReason: row.decision_reason,
    loanId: row.loan_id, bookingFailure: row.booking_failure, dateOfBirthMasked: row.date_of_birth_masked, employment: row.employment,
    device: row.device, topUpOfLoanId: row.top_up_of_loan_id, checksRun: row.checks_run, version: row.version, createdAt: row.created_at,
  } as Row);
}

/** The unit of work over one Prisma transaction; the checks module reuses it to move an application's status. */
export function unitOfWork(tx: Tx): ApplicationUnitOfWork {
  return {
    async lockForUpdate(tenantId, id) {
      // One round trip: the locking read returns the row itself (approval is the LOS's hot path).
      const [row] = await tx.$queryRaw<LockedRow[]>`
        SELECT id, tenant_id, status, applicant, loan_request, submitted_by, decided_by, decided_at, decision_reason, loan_id, booking_failure,
               date_of_birth_masked, employment, device, top_up_of_loan_id, checks_run, version, created_at
        FROM applications WHERE id = ${id}::uuid AND tenant_id = ${tenantId} FOR UPDATE`;
      return row ? fromLockedRow(row) : undefined;
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

export function createPrismaApplicationStore(prisma: PrismaClient): ApplicationStore {
  return {
    transaction: (work) => prisma.$transaction((tx) => work(unitOfWork(tx)), { timeout: 10_000 }),
    async list(tenantId, query) {
      const rows = await prisma.application.findMany({
        where: { tenantId, ...(query.status ? { status: query.status } : {}), ...afterKey(query.after) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return rows.map(toDomain);
    },
    async find(tenantId, id) {
      const row = await prisma.application.findFirst({ where: { id, tenantId } });
      return row ? toDomain(row) : undefined;
    },
  };
}
