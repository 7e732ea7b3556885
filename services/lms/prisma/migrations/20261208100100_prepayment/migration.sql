-- Partial prepayment (POST /v1/loans/{id}/prepayments) is a money event of its own: principal paid ahead,
-- the product's prepayment charge on top. Its option (reduce-installment | reduce-term) is its `reason`.
ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_kind_check";
ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_kind_check" CHECK ("kind" IN ('disbursement', 'repayment', 'reversal', 'foreclosure', 'prepayment'));

-- The loan engine's terms of a loan's schedule in force once a prepayment re-amortised it (its booked terms
-- no longer produce it): the next prepayment re-amortises from these. Bigints as "<digits>n".
CREATE TABLE "schedule_terms" (
    "loan_id" TEXT NOT NULL,
    "terms" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedule_terms_pkey" PRIMARY KEY ("loan_id"),
    CONSTRAINT "schedule_terms_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
