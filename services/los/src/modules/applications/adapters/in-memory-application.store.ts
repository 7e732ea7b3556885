import type { Application, CheckState } from '../domain/application.js';
import { IdempotencyConflict, type ApplicationStore, type AdverseActionNoticeRecord, type DecisionAuditEntry, type IdempotencyRecord, type OutboxMessage, type SealedPiiRecord } from '../ports.js';

/**
 * An in-memory ApplicationStore for use-case tests: a transaction works on copies and commits them
 * only when the work resolves, so a failed use case leaves no trace, as in Postgres.
 */
export interface InMemoryApplicationStore extends ApplicationStore {
  readonly applications: Map<string, Application>;
  readonly outbox: OutboxMessage[];
  readonly audit: DecisionAuditEntry[];
  readonly notices: AdverseActionNoticeRecord[];
  readonly idempotency: Map<string, IdempotencyRecord>;
  /** Checks per application id, as a test sets them. */
  readonly checks: Map<string, CheckState[]>;
  readonly pii: Map<string, SealedPiiRecord>;
  readonly pendingRuns: Map<string, number>;
}

export function createInMemoryApplicationStore(): InMemoryApplicationStore {
  const applications = new Map<string, Application>();
  const outbox: OutboxMessage[] = [];
  const audit: DecisionAuditEntry[] = [];
  const notices: AdverseActionNoticeRecord[] = [];
  const idempotency = new Map<string, IdempotencyRecord>();
  const checks = new Map<string, CheckState[]>();
  const pii = new Map<string, SealedPiiRecord>();
  const pendingRuns = new Map<string, number>();
  const idemKey = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;
  let queue: Promise<unknown> = Promise.resolve();

  const store: InMemoryApplicationStore = {
    applications,
    outbox,
    audit,
    notices,
    idempotency,
    checks,
    pii,
    pendingRuns,
    // Transactions run one at a time, standing in for the row locks of the real store.
    transaction(work) {
      const run = queue.then(async () => {
        const staged = new Map<string, Application>();
        const enqueued: OutboxMessage[] = [];
        const audited: DecisionAuditEntry[] = [];
        const noticed: AdverseActionNoticeRecord[] = [];
        const keys = new Map<string, IdempotencyRecord>();
        const result = await work({
          lockForUpdate: async (tenantId, id) => {
            const app = staged.get(id) ?? applications.get(id);
            return app?.tenantId === tenantId ? app : undefined;
          },
          insert: async (app) => void staged.set(app.id, app),
          update: async (app) => {
            const current = staged.get(app.id) ?? applications.get(app.id);
            if (current?.version !== app.version - 1) throw new Error(`application ${app.id} changed concurrently`);
            staged.set(app.id, app);
          },
          enqueue: async (message) => void enqueued.push(message),
          audit: async (entry) => void audited.push(entry),
          saveNotice: async (n) => void noticed.push(n),
          checksOf: async (id) => checks.get(id) ?? [],
          savePii: async (record) => void pii.set(record.applicationId, record),
          requestChecks: async (id, run) => void pendingRuns.set(id, run),
          findIdempotency: async (tenantId, key) => keys.get(idemKey(tenantId, key)) ?? idempotency.get(idemKey(tenantId, key)),
          saveIdempotency: async (record) => {
            if (idempotency.has(idemKey(record.tenantId, record.key))) throw new IdempotencyConflict(record.key);
            keys.set(idemKey(record.tenantId, record.key), record);
          },
        });
        for (const [id, app] of staged) applications.set(id, app);
        outbox.push(...enqueued);
        audit.push(...audited);
        for (const n of noticed) if (!notices.some((m) => m.applicationId === n.applicationId && m.checksRun === n.checksRun)) notices.push(n);
        for (const [k, record] of keys) idempotency.set(k, record);
        return result;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async readForDecision(tenantId, id) {
      const app = applications.get(id);
      return app?.tenantId === tenantId ? { application: app, checks: [...(checks.get(id) ?? [])].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)) } : undefined;
    },
    // As the real store's one statement: nothing is written unless the application (and the checks given) are as read.
    commitDecision(commit) {
      const run = queue.then(() => {
        const current = applications.get(commit.application.id);
        if (current?.tenantId !== commit.application.tenantId || current.version !== commit.expectedVersion) return false;
        const sameChecks = (a: readonly CheckState[], b: readonly CheckState[]) => JSON.stringify(a.map((c) => [c.kind, c.status, c.result])) === JSON.stringify(b.map((c) => [c.kind, c.status, c.result]));
        if (commit.checks && !sameChecks([...(checks.get(current.id) ?? [])].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)), commit.checks)) return false;
        applications.set(current.id, commit.application);
        audit.push(...commit.audit);
        const n = commit.notice;
        if (n && !notices.some((m) => m.applicationId === n.applicationId && m.checksRun === n.checksRun)) notices.push(n);
        if (commit.message) outbox.push(commit.message);
        return true;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async find(tenantId, id) {
      const app = applications.get(id);
      return app?.tenantId === tenantId ? app : undefined;
    },
    async list(tenantId, query) {
      const newestFirst = (a: Application, b: Application) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id < a.id ? -1 : 1);
      const after = query.after;
      return [...applications.values()]
        .filter((a) => a.tenantId === tenantId && (!query.status || a.status === query.status))
        .filter((a) => !after || a.createdAt < after.createdAt || (a.createdAt.getTime() === after.createdAt.getTime() && a.id < after.id))
        .sort(newestFirst)
        .slice(0, query.limit + 1);
    },
  };
  return store;
}
