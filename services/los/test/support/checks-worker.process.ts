// A checks worker as its own process, for the test that kills it mid-run (checks-resume.int.test.ts).
// Registers the LOS's runners, each counting its calls per idempotency key in the real table
// test_vendor_calls, plus a slow `bureau` vendor that is idempotent by key: the first call for a key takes
// SLOW_VENDOR_MS to answer (the check itself is recorded on receipt); a repeated call with the same key returns that answer at once.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@lendstack/platform';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { createPgApplicationStore } from '../../src/modules/applications/adapters/pg-application.store.js';
import type { CheckRunner } from '../../src/modules/checks/check-runner.js';
import { startChecksRuntime } from '../../src/modules/checks/adapters/checks-runtime.js';
import { createPrismaChecksRepository } from '../../src/modules/checks/adapters/prisma-checks.repository.js';
import { createCheckRunners, withRunners } from '../../src/modules/checks/runners.js';
import { createFsBlobStore, createPgDocumentStore, createTesseractOcrEngine } from '../../src/modules/documents/index.js';
import { createEnvelopeCipher } from '../../src/modules/pii/envelope-cipher.js';
import { parseKeyring } from '../../src/modules/pii/keyring.js';
import { createPiiReader } from '../../src/modules/pii/pii-store.js';
import { createPrisma } from '../../src/platform/prisma.js';

const config = loadConfig();
const pool = new pg.Pool({ connectionString: config.LOS_DATABASE_URL, max: 5 });
const prisma = createPrisma(pool);
const logger = createLogger({ service: 'lendstack-los-checks-worker-test', level: 'warn' });
const count = async (key: string) =>
  (await pool.query<{ calls: number; answer: string | null }>(
    `INSERT INTO test_vendor_calls (idempotency_key, calls) VALUES ($1, 1)
     ON CONFLICT (idempotency_key) DO UPDATE SET calls = test_vendor_calls.calls + 1 RETURNING calls, answer`, [key])).rows[0]!;
const counted = (runner: CheckRunner): CheckRunner => ({ kind: runner.kind, run: async (subject, ctx) => (await count(ctx.idempotencyKey), runner.run(subject, ctx)) });
const slowBureau: CheckRunner = {
  kind: 'bureau',
  async run(_subject, ctx) {
    const { answer } = await count(ctx.idempotencyKey);
    if (answer) return { kind: 'bureau', result: 'pass', reasons: [], vendorReference: answer, evidence: { replayedByVendor: true } };
    // The vendor performs the check on receipt; its answer is slow to come back (the worker dies meanwhile).
    const reference = `bureau-report-${randomUUID()}`;
    await pool.query('UPDATE test_vendor_calls SET answer = $2 WHERE idempotency_key = $1', [ctx.idempotencyKey, reference]);
    await new Promise((r) => setTimeout(r, Number(process.env.SLOW_VENDOR_MS ?? 4_000)));
    return { kind: 'bureau', result: 'pass', reasons: [], vendorReference: reference, evidence: { replayedByVendor: false } };
  },
};
const store = createPgApplicationStore(pool);
const documents = createPgDocumentStore(pool);
const runtime = await startChecksRuntime({
  temporalAddress: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: process.env.CHECKS_TASK_QUEUE!,
  policy: { startToCloseMs: 5_000, initialIntervalMs: 200, maximumIntervalMs: 1_000, maximumAttempts: 5 },
  pool, prisma, applications: store, logger,
  checks: createPrismaChecksRepository({ prisma, now: () => new Date(), newId: randomUUID, notifyOutbox: () => undefined }),
  pii: createPiiReader({ pool, cipher: createEnvelopeCipher({ pool, keyring: parseKeyring(config.LOS_PII_KEKS, config.LOS_PII_ACTIVE_KEK) }) }),
  runners: withRunners(
    createCheckRunners(config, { pool, blobs: createFsBlobStore(config.LOS_BLOB_DIR), ocr: createTesseractOcrEngine(), now: () => new Date() }).map((r) => ({ ...r, runner: counted(r.runner) })),
    { runner: slowBureau },
  ),
  documentsOf: (tenantId, applicationId) => documents.list(tenantId, applicationId),
});
console.log('checks worker running');
process.on('SIGTERM', () => void runtime.stop().then(() => process.exit(0)));
