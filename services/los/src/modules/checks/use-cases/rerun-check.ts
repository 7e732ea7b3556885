import { createHash } from 'node:crypto';
import type { Principal } from '@lendstack/platform';
import type { PrismaClient } from '../../../platform/prisma.js';
import { startChecks, type ApplicationStatus } from '../../applications/domain/application.js';
import { unitOfWork } from '../../applications/adapters/prisma-application.store.js';
import { applicationEvent } from '../../applications/use-cases/application-events.js';
import { IdempotencyConflict } from '../../applications/ports.js';
import type { CheckKind } from '../check-runner.js';
import { checkIdempotencyKey } from '../adapters/prisma-checks.repository.js';

export interface RerunCheckDeps {
  readonly prisma: PrismaClient;
  readonly newId: () => string;
  readonly now: () => Date;
  readonly notifyOutbox: () => void;
  /** Starts the queued run at once (the checks starter would pick it up at its next poll anyway). */
  readonly onRequested: () => void;
}

export interface RerunAccepted {
  readonly applicationId: string;
  readonly kind: CheckKind;
  readonly run: number;
  readonly status: 'queued';
}

export type RerunResult =
  | { readonly ok: true; readonly rerun: RerunAccepted; readonly replayed: boolean }
  | { readonly ok: false; readonly error:
      | { kind: 'not-found' }
      | { kind: 'no-such-check' }
      | { kind: 'idempotency-key-reused' }
      | { kind: 'application-not-rerunnable'; status: ApplicationStatus }
      | { kind: 'check-not-rerunnable'; status: string; result: string | null } };

/**
 * An operator re-runs one check that failed, was parked as exception, or completed with `fail`: the check
 * is queued again under a new run (so the vendor gets a new idempotency key), the application goes back to
 * checks-running with ApplicationChecksStarted, and the new run's workflow concludes it again. Only on a
 * checks-complete or checks-exception application. Same Idempotency-Key and body: the first answer.
 */
export async function rerunCheck(deps: RerunCheckDeps, input: { principal: Principal; applicationId: string; kind: CheckKind; idempotencyKey: string }): Promise<RerunResult> {
  const tenantId = input.principal.tenantId;
  const requestHash = createHash('sha256').update(`${input.applicationId}:${input.kind}`).digest('hex');
  const path = `/v1/applications/${input.applicationId}/checks/${input.kind}/reruns`;
  const attempt = () => deps.prisma.$transaction(async (tx): Promise<RerunResult> => {
    const uow = unitOfWork(tx);
    const previous = await uow.findIdempotency(tenantId, input.idempotencyKey);
    if (previous) {
      if (previous.requestHash !== requestHash || previous.path !== path) return { ok: false, error: { kind: 'idempotency-key-reused' } };
      return { ok: true, rerun: previous.responseBody as RerunAccepted, replayed: true };
    }
    const app = await uow.lockForUpdate(tenantId, input.applicationId);
    if (!app) return { ok: false, error: { kind: 'not-found' } };
    const check = await tx.applicationCheck.findUnique({ where: { applicationId_kind: { applicationId: app.id, kind: input.kind } } });
    if (!check) return { ok: false, error: { kind: 'no-such-check' } };
    if (app.status !== 'checks-complete' && app.status !== 'checks-exception') return { ok: false, error: { kind: 'application-not-rerunnable', status: app.status } };
    const rerunnable = check.status === 'failed' || check.status === 'exception' || (check.status === 'completed' && check.result === 'fail');
    if (!rerunnable) return { ok: false, error: { kind: 'check-not-rerunnable', status: check.status, result: check.result } };
    const run = app.checksRun + 1;
    const now = deps.now();
    await tx.applicationCheck.update({
      where: { applicationId_kind: { applicationId: app.id, kind: input.kind } },
      data: {
        run, status: 'queued', result: null, score: null, reasons: [], vendorReference: null, evidence: {}, attempts: 0,
        idempotencyKey: checkIdempotencyKey(app.id, input.kind, run), startedAt: null, completedAt: null, durationMs: null, updatedAt: now,
      },
    });
    await uow.update(startChecks(app, run)!);
    await uow.requestChecks(app.id, run);
    await uow.enqueue(applicationEvent('ApplicationChecksStarted', { id: deps.newId(), tenantId, applicationId: app.id, now, payload: { applicationId: app.id, run, kinds: [input.kind] } }));
    const rerun: RerunAccepted = { applicationId: app.id, kind: input.kind, run, status: 'queued' };
    await uow.saveIdempotency({ tenantId, key: input.idempotencyKey, method: 'POST', path, requestHash, responseStatus: 202, responseBody: rerun });
    return { ok: true, rerun, replayed: false };
  }, { timeout: 10_000 });
  let result: RerunResult;
  try {
    result = await attempt();
  } catch (error) {
    if (!(error instanceof IdempotencyConflict)) throw error;
    result = await attempt();
  }
  if (result.ok && !result.replayed) {
    deps.notifyOutbox();
    deps.onRequested();
  }
  return result;
}
