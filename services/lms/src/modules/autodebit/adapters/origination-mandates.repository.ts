import type { LoanApprovedV1 } from '@lendstack/contracts';

/** What the booking transaction runs statements on (its node-postgres client). */
interface RawTx {
  query(text: string, values: unknown[]): Promise<unknown>;
}

export interface BookedWithAccount {
  readonly tenantId: string;
  readonly loanId: string;
  readonly currency: string;
  readonly bankAccount: LoanApprovedV1['payload']['borrower']['bankAccount'];
}

/** Who the LMS records as having registered a mandate it adopted from LoanApproved. */
export const ORIGINATION_MANDATE_CREATOR = 'lendstack:origination';

/**
 * A loan whose LoanApproved carries the mandate registered at origination (`bankAccount.mandateReference` with
 * its terms in `bankAccount.mandate`) is booked with that mandate as its debit authorisation, in the booking's
 * transaction: NACH and UPI AutoPay mandates as `active` autodebit mandates (UMRN / UMN, maximum, validity: what
 * a presentment is checked against), and the loan's debit account on the rail, authorised by the reference
 * (US ACH: an online authorisation, SEC code WEB). Nothing is registered at the processor again. A mandate in
 * another currency than the loan's, or one without its reference, is not adopted (an operator registers one).
 */
export async function adoptOriginationMandates(tx: RawTx, booked: readonly BookedWithAccount[]): Promise<number> {
  let adopted = 0;
  for (const b of booked) {
    const { mandate, mandateReference: reference } = b.bankAccount;
    if (!mandate || !reference || mandate.maxAmount.currency !== b.currency) continue;
    const a = b.bankAccount;
    if (mandate.rail !== 'us-ach') {
      await tx.query(
        `INSERT INTO autodebit_mandates (id, tenant_id, loan_id, rail, status, umrn, bank_code, account_token, account_number_masked, holder_name, max_amount_minor, currency, scale, frequency, category, valid_from, valid_until, created_by)
         VALUES (gen_random_uuid(), $1, $2, $3, 'active', $4, $5, $6, $7, $8, $9::bigint, $10, $11, $12, 'loan-instalment', $13::date, $14::date, $15) ON CONFLICT (rail, umrn) DO NOTHING`,
        [b.tenantId, b.loanId, mandate.rail, reference, a.bankCode, a.accountToken, a.accountNumberMasked, a.holderName, mandate.maxAmount.amount, mandate.maxAmount.currency, mandate.maxAmount.scale,
          mandate.frequency, mandate.validFrom, mandate.validUntil ?? null, ORIGINATION_MANDATE_CREATOR],
      );
    }
    await tx.query(
      `INSERT INTO autodebit_accounts (tenant_id, loan_id, rail, account_token, bank_code, account_type, holder_name, account_number_masked, authorisation_id, sec_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (tenant_id, loan_id) DO NOTHING`,
      [b.tenantId, b.loanId, mandate.rail, a.accountToken, a.bankCode, mandate.rail === 'us-ach' ? 'checking' : 'savings', a.holderName, a.accountNumberMasked, reference, mandate.rail === 'us-ach' ? 'WEB' : null],
    );
    adopted += 1;
  }
  return adopted;
}
