import { randomUUID, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { utcToday } from '../../business-date/business-date.repository.js';
import { createPgLedger } from '../../ledger/adapters/pg-ledger.repository.js';
import { acceptImport } from '../use-cases/accept-import.js';
import { processImport } from '../use-cases/process-import.js';
import { withImportLock } from './import-runner.js';
import { importById, progressOf, type ImportFormat } from './imports.repository.js';

export const IMPORT_USAGE = 'pnpm -s lms import --tenant <tenant> --file <book.ndjson|book.jsonl|book.csv> [--format ndjson|csv] [--key <import key>] [--batch-size N]';

/**
 * `pnpm -s lms import …`: stores a book file as an import (streamed, as POST /v1/imports does) and books
 * it in this process, with progress (a bar on a TTY, a line per batch through a pipe). The import key is
 * `--key`, else the file's SHA-256: running the same file again resumes or reports the same import.
 */
export async function importCommand(args: string[], databaseUrl: string): Promise<number> {
  const { values } = parseArgs({ args, options: { tenant: { type: 'string' }, file: { type: 'string' }, format: { type: 'string' }, key: { type: 'string' }, 'batch-size': { type: 'string' } } });
  const batchSize = Number(values['batch-size'] ?? 500);
  const format = (values.format ?? (values.file?.endsWith('.csv') ? 'csv' : 'ndjson')) as ImportFormat;
  if (!values.tenant || !values.file || !['ndjson', 'csv'].includes(format) || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) {
    console.error(`usage: ${IMPORT_USAGE}`);
    return 2;
  }
  const key = values.key ?? `sha256:${await fileSha256(values.file)}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  try {
    const accepted = await acceptImport({ pool, newId: randomUUID }, { tenantId: values.tenant, actor: 'cli', idempotencyKey: key, format, body: createReadStream(values.file) });
    if (!accepted.ok) {
      console.error(`import: ${accepted.error}: ${accepted.detail}`);
      return 1;
    }
    const id = accepted.import.id;
    console.log(`import ${id} (${format}, ${accepted.import.rowsTotal} records${accepted.replayed ? `, stored before${accepted.import.status === 'completed' ? ', completed' : ': resuming'}` : ''})`);
    const bar = process.stdout.isTTY ? new cliProgress.SingleBar({ format: `import ${values.tenant} |{bar}| {value}/{total} records {rate} rows/s` }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(Math.max(1, accepted.import.rowsTotal), 0, { rate: 0 });
    const deps = { pool, ledger: createPgLedger(), today: utcToday, now: () => new Date() };
    const done = await withImportLock(deps, id, () => processImport(deps, id, {
      batchSize,
      onProgress: (p) => (bar ? bar.update(p.rowsDone, { rate: p.rowsPerSecond })
        : console.log(`import ${id} records ${p.rowsDone}/${p.rowsTotal} imported ${p.imported} rejected ${p.rejected} duplicate ${p.duplicate} ${p.rowsPerSecond} rows/s`)),
    }));
    bar?.stop();
    if (done === null) {
      console.error(`import ${id}: another process is booking it`);
      return 1;
    }
    const p = progressOf((await importById(pool, id))!, new Date());
    console.log(`import ${id}: ${done?.status}: ${p.imported} imported, ${p.rejected} rejected, ${p.duplicate} duplicate of ${p.rowsTotal} records, ${p.rowsPerSecond} rows/s`);
    if (p.rejected > 0) console.log(`rejected records: GET /v1/imports/${id}/rows?status=rejected`);
    return 0;
  } finally {
    await pool.end();
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
