-- Top-up loans. A LoanApproved may name the borrower's loan the new loan pays off (loan.topUpOfLoanId): the
-- new loan keeps that link, and its disbursement records the top-up here. The payout sends the principal less
-- the old loan's payoff on the value date; when it is confirmed, the old loan is foreclosed with exactly that
-- payoff (a `foreclosure` transaction, channel `top-up`, funded from disbursement-clearing) in the same
-- transaction, and the row is `settled` with that foreclosure's id. A payout that fails releases the old loan.
ALTER TABLE "loan_accounts" ADD COLUMN "top_up_of_loan_id" TEXT;
CREATE INDEX "loan_accounts_top_up_of_idx" ON "loan_accounts" ("tenant_id", "top_up_of_loan_id") WHERE "top_up_of_loan_id" IS NOT NULL;

CREATE TABLE "top_ups" (
    "disbursement_id" UUID NOT NULL PRIMARY KEY REFERENCES "loan_transactions" ("id"),
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL REFERENCES "loan_accounts" ("id"),
    "old_loan_id" TEXT NOT NULL REFERENCES "loan_accounts" ("id"),
    "value_date" DATE NOT NULL,
    "currency" TEXT NOT NULL,
    "scale" INTEGER NOT NULL,
    "principal_minor" BIGINT NOT NULL,
    "payoff_minor" BIGINT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "foreclosure_id" UUID REFERENCES "loan_transactions" ("id"),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "top_ups_state_check" CHECK ("state" IN ('pending', 'settled', 'failed')),
    -- The borrower receives principal − payoff: more than nothing.
    CONSTRAINT "top_ups_amounts_check" CHECK ("payoff_minor" > 0 AND "payoff_minor" < "principal_minor"),
    CONSTRAINT "top_ups_settled_check" CHECK (("state" = 'settled') = ("foreclosure_id" IS NOT NULL)),
    CONSTRAINT "top_ups_distinct_loans_check" CHECK ("loan_id" <> "old_loan_id")
);
-- One live top-up per old loan (pending or settled): a second loan cannot pay off the same loan again.
CREATE UNIQUE INDEX "top_ups_old_loan_live_idx" ON "top_ups" ("old_loan_id") WHERE "state" <> 'failed';
CREATE INDEX "top_ups_loan_idx" ON "top_ups" ("loan_id");
