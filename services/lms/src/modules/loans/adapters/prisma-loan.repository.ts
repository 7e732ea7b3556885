import type { PrismaClient } from '../../../platform/prisma.js';
import { afterKey } from '@lendstack/platform';
import type { LoanAccountView, LoanReader } from '../ports.js';

/** Reads of booked loans (booking itself is pg-loan-booking.store.ts, on node-postgres). */
export function createPrismaLoanRepository(prisma: PrismaClient): LoanReader {
  return {
    async find(tenantId, loanId) {
      const row = await prisma.loanAccount.findFirst({ where: { id: loanId, tenantId } });
      return row ? toView(row) : undefined;
    },

    async list(tenantId, query) {
      const rows = await prisma.loanAccount.findMany({
        where: { tenantId, ...afterKey(query.after) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return rows.map(toView);
    },

    async schedule(tenantId, loanId) {
      const loan = await prisma.loanAccount.findFirst({ where: { id: loanId, tenantId }, select: { currency: true, scale: true } });
      if (!loan) return undefined;
      const [rows, servicing] = await Promise.all([
        prisma.installment.findMany({ where: { loanId }, orderBy: { number: 'asc' } }),
        prisma.loanServicing.findUnique({ where: { loanId }, select: { state: true } }),
      ]);
      // The servicing state's view of each installment (what was paid, when), by number.
      const served = new Map(((servicing?.state as { installments?: ServedInstallment[] } | null)?.installments ?? []).map((i) => [i.number, i]));
      return {
        ...loan,
        installments: rows.map((r) => {
          const s = served.get(r.number);
          const paidMinor = s ? Object.values(s.paid).reduce((sum, v) => sum + BigInt(v), 0n) : undefined;
          return { ...r, dueDate: r.dueDate.toISOString().slice(0, 10), ...(s ? { status: s.status, paidMinor, paidOn: s.paidOn } : {}) };
        }),
      };
    },
  };
}

/** An installment as loan_servicing.state stores it (servicing/domain/servicing.ts stateJson). */
interface ServedInstallment { readonly number: number; readonly status: string; readonly paid: Record<string, string>; readonly paidOn: string | null }

type AccountRow = NonNullable<Awaited<ReturnType<PrismaClient['loanAccount']['findFirst']>>>;

function toView(row: AccountRow): LoanAccountView {
  const { terms: _terms, ...rest } = row;
  return { ...rest, borrower: row.borrower as never, disbursementDate: row.disbursementDate.toISOString().slice(0, 10) };
}
