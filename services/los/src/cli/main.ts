// `pnpm -s los <command>`: the LOS's operator commands, run in this process against LOS_DATABASE_URL.
//   audit verify [--tenant T] [--page-size N]   walks the hash-chained audit log (modules/audit) and
//     prints `ok: N entries, head <hash>` per tenant, or the first broken entry (seq, what differs) and
//     exits 1. Progress goes to stderr, one line per page.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { summaryLine, verdictLine } from '@lendstack/platform';
import { loadConfig } from '../config.js';
import { createPgAuditChainReader } from '../modules/audit/adapters/pg-audit-chain.repository.js';
import { verifyAuditChain, type TenantVerdict } from '../modules/audit/use-cases/verify-audit-chain.js';

const USAGE = 'usage: pnpm -s los audit verify [--tenant <tenant>] [--page-size N]';
const MAX_PAGE_SIZE = 10_000;

async function auditVerify(args: string[]): Promise<number> {
  let values: { tenant?: string; 'page-size'?: string };
  try {
    values = parseArgs({ args, options: { tenant: { type: 'string' }, 'page-size': { type: 'string' } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const pageSize = Number(values['page-size'] ?? 1000);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE || values.tenant === '') {
    console.error(USAGE);
    return 2;
  }
  const pool = new pg.Pool({ connectionString: loadConfig().LOS_DATABASE_URL, max: 2 });
  const single = values.tenant !== undefined;
  const line = (v: TenantVerdict) => console.log(verdictLine(v, !single));
  try {
    const summary = await verifyAuditChain(createPgAuditChainReader(pool), {
      pageSize, ...(single ? { tenantId: values.tenant } : {}),
      onProgress: (tenantId, verified) => console.error(`audit verify: tenant ${tenantId}: ${verified} entries verified…`),
      onTenant: line,
    });
    if (!single) console.log(summaryLine(summary));
    return summary.broken === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === 'audit' && command === 'verify') return auditVerify(rest);
  console.error(USAGE);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
