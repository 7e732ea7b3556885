import type { PrismaClient } from '../../../platform/prisma.js';

export interface OpenInstallment {
  readonly number: number;
  readonly dueDate: string;
}

export interface CollectionActivities {
  /** Installments not yet due, in due-date order. */
  openInstallments(loanId: string): Promise<OpenInstallment[]>;
  /** Marks an installment due; marking it again changes nothing. Returns whether this call changed it. */
  markInstallmentDue(loanId: string, number: number): Promise<boolean>;
}

export function createCollectionActivities(deps: { prisma: PrismaClient; now: () => Date }): CollectionActivities {
  return {
    async openInstallments(loanId) {
      const rows = await deps.prisma.installment.findMany({ where: { loanId, status: 'scheduled' }, orderBy: { number: 'asc' }, select: { number: true, dueDate: true } });
      return rows.map((r) => ({ number: r.number, dueDate: r.dueDate.toISOString().slice(0, 10) }));
    },
    async markInstallmentDue(loanId, number) {
      const { count } = await deps.prisma.installment.updateMany({
        where: { loanId, number, status: 'scheduled' },
        data: { status: 'due', dueMarkedAt: deps.now() },
      });
      return count === 1;
    },
  };
}
