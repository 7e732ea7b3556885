import type pg from 'pg';
import { buildStatement, type LedgerLine, type ScheduleRow, type Statement } from '../domain/statement.js';

/** Journal lines of the accounts a statement shows (the borrower's receivables and excess). */
const ACCOUNTS = ['loan-portfolio', 'interest-receivable', 'fees-receivable', 'penalties-receivable', 'excess-liability'];
/** A statement lists at most this many ledger entries' lines (ten years of daily accruals fit). */
export const MAX_STATEMENT_LINES = 50_000;

/** The range holds more lines than a statement lists: refused rather than cut short (its closing balance would be wrong). */
export class StatementTooLong extends Error {
  constructor(readonly maxLines: number) {
    super(`the range holds more than ${maxLines} ledger lines`);
  }
}

/**
 * Reads one loan's statement from the general ledger, read-only, in one REPEATABLE READ snapshot so the
 * opening sum, the lines and the schedule agree with each other. Undefined: no such loan for the tenant;
 * StatementTooLong: more than MAX_STATEMENT_LINES lines in the range.
 */
export async function readStatement(pool: pg.Pool, tenantId: string, loanId: string, from: string, to: string, maxLines = MAX_STATEMENT_LINES): Promise<Statement | undefined> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const loan = (await client.query<{ currency: string; scale: number }>('SELECT currency, scale FROM loan_accounts WHERE id = $1 AND tenant_id = $2', [loanId, tenantId])).rows[0];
    if (!loan) {
      // Ended here too: a client released inside its READ ONLY transaction poisons the pool's next user.
      await client.query('COMMIT');
      return undefined;
    }
    const opening = await client.query<{ logical_account: string; side: 'debit' | 'credit'; amount: string }>(
      `SELECT logical_account, side, sum(amount_minor)::text AS amount FROM journal_lines
       WHERE loan_id = $1 AND tenant_id = $2 AND value_date < $3::date AND logical_account = ANY($4) GROUP BY 1, 2`, [loanId, tenantId, from, ACCOUNTS]);
    const lines = await client.query<{ entry_id: string; seq: string; kind: string; effect_key: string; value_date: string; logical_account: string; side: 'debit' | 'credit'; amount_minor: string }>(
      `SELECT l.entry_id, e.seq::text AS seq, e.kind, e.effect_key, to_char(l.value_date, 'YYYY-MM-DD') AS value_date, l.logical_account, l.side, l.amount_minor::text AS amount_minor
       FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
       WHERE l.loan_id = $1 AND l.tenant_id = $2 AND l.value_date BETWEEN $3::date AND $4::date AND l.logical_account = ANY($5)
       ORDER BY l.value_date, e.seq, l.line_no LIMIT $6`, [loanId, tenantId, from, to, ACCOUNTS, maxLines + 1]);
    if (lines.rows.length > maxLines) throw new StatementTooLong(maxLines);
    const schedule = await client.query<{ number: number; due_date: string; principal_minor: string; interest_minor: string; fees_minor: string; total_minor: string; balance_after_minor: string }>(
      `SELECT number, to_char(due_date, 'YYYY-MM-DD') AS due_date, principal_minor::text, interest_minor::text, fees_minor::text, total_minor::text, balance_after_minor::text
       FROM installments WHERE loan_id = $1 AND due_date > $2::date ORDER BY number LIMIT 1200`, [loanId, to]);
    await client.query('COMMIT');
    return buildStatement({
      loanId, currency: loan.currency, scale: loan.scale, from, to,
      openingLines: opening.rows.map((r) => ({ logicalAccount: r.logical_account, side: r.side, amountMinor: BigInt(r.amount) })),
      lines: lines.rows.map((r): LedgerLine => ({ entryId: r.entry_id, seq: BigInt(r.seq), kind: r.kind, effectKey: r.effect_key, valueDate: r.value_date, logicalAccount: r.logical_account, side: r.side, amountMinor: BigInt(r.amount_minor) })),
      scheduleAhead: schedule.rows.map((r): ScheduleRow => ({ number: r.number, dueDate: r.due_date, principal: BigInt(r.principal_minor), interest: BigInt(r.interest_minor), fees: BigInt(r.fees_minor), total: BigInt(r.total_minor), balanceAfter: BigInt(r.balance_after_minor) })),
    });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
