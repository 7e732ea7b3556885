-- Foreclosure is a money event of its own (POST /v1/loans/{id}/foreclosure): the loan engine settles every
-- balance with it at the end of its value date. Posted like a repayment; not reversible.
ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_kind_check";
ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_kind_check" CHECK ("kind" IN ('disbursement', 'repayment', 'reversal', 'foreclosure'));
