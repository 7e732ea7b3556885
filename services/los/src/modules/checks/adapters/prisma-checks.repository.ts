import type { Prisma } from '../../../generated/prisma/client.js';
import type { PrismaClient, Tx } from '../../../platform/prisma.js';
import { concludeChecks, startChecks, type CheckState } from '../../applications/domain/application.js';
import { unitOfWork } from '../../applications/adapters/prisma-application.store.js';
import { applicationEvent } from '../../applications/use-cases/application-events.js';
import type { CheckSummaryV1 } from '@lendstack/contracts';
import type { CheckKind, CheckReason } from '../check-runner.js';
import type { CheckRecord, CheckStatus, ChecksRepository } from '../ports.js';

type Row = NonNullable<Awaited<ReturnType<PrismaClient['applicationCheck']['findFirst']>>>;

export function toCheckRecord(row: Row): CheckRecord {
  return {
    applicationId: row.applicationId,
    tenantId: row.tenantId,
    kind: row.kind as CheckKind,
    run: row.run,
    status: row.status as CheckStatus,
    result: (row.result as CheckRecord['result']) ?? null,
    score: row.score,
    reasons: row.reasons as unknown as CheckReason[],
    vendorReference: row.vendorReference,
    evidence: row.evidence as Record<string, unknown>,
    attempts: row.attempts,
    idempotencyKey: row.idempotencyKey,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    durationMs: row.durationMs,
  };
}

/** The vendor-facing key of one check in one run: a retried or resumed attempt sends the same key. */
export const checkIdempotencyKey = (applicationId: string, kind: string, run: number) => `chk-${applicationId}-${kind}-r${run}`;

export function checkSummary(c: CheckRecord): CheckSummaryV1 {
  return {
    kind: c.kind,
    status: c.status,
    ...(c.result ? { result: c.result } : {}),
    ...(c.score !== null ? { score: c.score } : {}),
    reasons: c.reasons.slice(0, 50).map((r) => ({ code: r.code, detail: r.detail.slice(0, 1000) })),
    ...(c.vendorReference ? { vendorReference: c.vendorReference } : {}),
    attempts: c.attempts,
  };
}

const json = (value: unknown) => value as Prisma.InputJsonValue;

export function createPrismaChecksRepository(deps: { prisma: PrismaClient; now: () => Date; newId: () => string; notifyOutbox: () => void }): ChecksRepository {
  const { prisma } = deps;
  const tx = <T>(work: (t: Tx) => Promise<T>) => prisma.$transaction(work, { timeout: 10_000 });
  const finish = (status: CheckStatus, startedAt: Date | null, now: Date) => ({ status, completedAt: now, durationMs: startedAt ? now.getTime() - startedAt.getTime() : 0, updatedAt: now });

  return {
    async beginRun({ tenantId, applicationId, run, kinds }) {
      const started = await tx(async (t) => {
        const uow = unitOfWork(t);
        const app = await uow.lockForUpdate(tenantId, applicationId);
        if (!app) return { kinds: [] as CheckKind[], emitted: false };
        const next = startChecks(app, run);
        if (!next) return { kinds: [] as CheckKind[], emitted: false };
        if (run === 1) {
          await t.applicationCheck.createMany({
            data: kinds.map((kind) => ({ applicationId, tenantId, kind, run, status: 'queued', idempotencyKey: checkIdempotencyKey(applicationId, kind, run) })),
            skipDuplicates: true,
          });
        }
        const todo = await t.applicationCheck.findMany({ where: { applicationId, run, status: { in: ['queued', 'running'] } }, select: { kind: true }, orderBy: { kind: 'asc' } });
        const emitted = next !== app;
        if (emitted) {
          await uow.update(next);
          const planned = (await t.applicationCheck.findMany({ where: { applicationId, run }, select: { kind: true }, orderBy: { kind: 'asc' } })).map((r) => r.kind);
          await uow.enqueue(applicationEvent('ApplicationChecksStarted', { id: deps.newId(), tenantId, applicationId, now: deps.now(), payload: { applicationId, run, kinds: planned } }));
        }
        return { kinds: todo.map((r) => r.kind as CheckKind), emitted };
      });
      if (started.emitted) deps.notifyOutbox();
      return started.kinds;
    },

    async startAttempt(applicationId, kind, run) {
      const now = deps.now();
      const rows = await prisma.$queryRaw<{ application_id: string }[]>`
        UPDATE application_checks SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, ${now}), updated_at = ${now}
        WHERE application_id = ${applicationId}::uuid AND kind = ${kind} AND run = ${run} AND status IN ('queued', 'running')
        RETURNING application_id`;
      if (rows.length === 0) return undefined;
      const row = await prisma.applicationCheck.findUnique({ where: { applicationId_kind: { applicationId, kind } } });
      return row ? toCheckRecord(row) : undefined;
    },

    async complete(applicationId, kind, run, outcome) {
      const row = await prisma.applicationCheck.findUnique({ where: { applicationId_kind: { applicationId, kind } } });
      if (!row || row.run !== run) return;
      await prisma.applicationCheck.updateMany({
        where: { applicationId, kind, run, status: { in: ['queued', 'running'] } },
        data: {
          ...finish('completed', row.startedAt, deps.now()), result: outcome.result, score: outcome.score ?? null, reasons: json(outcome.reasons),
          vendorReference: outcome.vendorReference ?? null, evidence: json(outcome.evidence),
        },
      });
    },

    async park(applicationId, kind, run, status, reason) {
      const row = await prisma.applicationCheck.findUnique({ where: { applicationId_kind: { applicationId, kind } } });
      if (!row || row.run !== run) return;
      await prisma.applicationCheck.updateMany({
        where: { applicationId, kind, run, status: { in: ['queued', 'running'] } },
        data: { ...finish(status, row.startedAt, deps.now()), result: null, score: null, reasons: json([reason]) },
      });
    },

    async noteRetry(applicationId, kind, run, reason) {
      await prisma.applicationCheck.updateMany({ where: { applicationId, kind, run, status: 'running' }, data: { reasons: json([reason]), updatedAt: deps.now() } });
    },

    async conclude(tenantId, applicationId) {
      const concluded = await tx(async (t) => {
        const uow = unitOfWork(t);
        const app = await uow.lockForUpdate(tenantId, applicationId);
        if (!app) return undefined;
        const checks = (await t.applicationCheck.findMany({ where: { applicationId }, orderBy: { kind: 'asc' } })).map(toCheckRecord);
        const next = concludeChecks(app, checks.map((c): CheckState => ({ kind: c.kind, status: c.status, result: c.result })));
        if (!next) return undefined;
        await uow.update(next);
        const common = { id: deps.newId(), tenantId, applicationId, now: deps.now() };
        const summaries = checks.map(checkSummary);
        if (next.status === 'checks-complete') {
          await uow.enqueue(applicationEvent('ApplicationChecksCompleted', { ...common, payload: { applicationId, run: next.checksRun, checks: summaries } }));
        } else {
          const exceptions = checks
            .filter((c) => c.status === 'failed' || c.status === 'exception')
            .map((c) => ({ kind: c.kind, status: c.status as 'failed' | 'exception', reason: (c.reasons[0]?.detail ?? c.status).slice(0, 1000) }));
          await uow.enqueue(applicationEvent('ApplicationCheckException', { ...common, payload: { applicationId, run: next.checksRun, exceptions, checks: summaries } }));
        }
        return next.status as 'checks-complete' | 'checks-exception';
      });
      if (concluded) deps.notifyOutbox();
      return concluded;
    },

    async list(tenantId, applicationId) {
      const rows = await prisma.applicationCheck.findMany({ where: { tenantId, applicationId }, orderBy: { kind: 'asc' } });
      return rows.map(toCheckRecord);
    },
  };
}
