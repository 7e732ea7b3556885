-- The borrower repayment profile the LOS keeps from the LMS's lifecycle events
-- (lendstack.servicing.loan-lifecycle), for repeat and top-up applications. One row per loan the LOS
-- originated (applications.loan_id), keyed to its borrower by the national-id vault token of the
-- application that produced it (applicant.nationalId.token: the same national id always tokenises to the
-- same token, so a repeat applicant matches). Every column is merged order-independently: dates by
-- LEAST/GREATEST, flags by OR, the current DPD only from a DelinquencyChanged of a later business date than
-- the one it holds, so a replayed or late event changes nothing it should not. The events applied are in
-- the inbox, in the same transaction.
CREATE TABLE "repayment_loans" (
    "loan_id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "borrower_key" TEXT NOT NULL,
    "application_id" UUID NOT NULL,
    "disbursed_on" DATE,
    "closed_on" DATE,
    "closure_reason" TEXT,
    "charged_off_on" DATE,
    "current_dpd" INTEGER NOT NULL DEFAULT 0,
    -- The business date of the DelinquencyChanged current_dpd comes from (null: none seen yet).
    "dpd_as_of" DATE,
    "worst_dpd" INTEGER NOT NULL DEFAULT 0,
    "last_business_date" DATE NOT NULL,
    "last_event_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "repayment_loans_pkey" PRIMARY KEY ("loan_id"),
    CONSTRAINT "repayment_loans_dpd_check" CHECK ("current_dpd" >= 0 AND "worst_dpd" >= "current_dpd")
);
CREATE INDEX "repayment_loans_borrower_idx" ON "repayment_loans"("tenant_id", "borrower_key");

-- One row per installment of such a loan: whether it fell due (InstallmentDue or InstallmentOverdue seen),
-- went overdue, and the business date it was settled (InstallmentPaid; the latest, should a payment have
-- been reversed and made again). On time = settled on or before its due date.
CREATE TABLE "repayment_installments" (
    "loan_id" UUID NOT NULL,
    "installment_number" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "fell_due" BOOLEAN NOT NULL DEFAULT false,
    "overdue" BOOLEAN NOT NULL DEFAULT false,
    "paid_on" DATE,
    CONSTRAINT "repayment_installments_pkey" PRIMARY KEY ("loan_id", "installment_number"),
    CONSTRAINT "repayment_installments_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "repayment_loans"("loan_id") ON DELETE CASCADE
);

-- The DPD of each DelinquencyChanged, by its business date: the worst DPD over a window (12 months) is
-- computed from these, as of the decision date.
CREATE TABLE "repayment_dpd_facts" (
    "loan_id" UUID NOT NULL,
    "business_date" DATE NOT NULL,
    "dpd" INTEGER NOT NULL,
    CONSTRAINT "repayment_dpd_facts_pkey" PRIMARY KEY ("loan_id", "business_date"),
    CONSTRAINT "repayment_dpd_facts_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "repayment_loans"("loan_id") ON DELETE CASCADE,
    CONSTRAINT "repayment_dpd_facts_dpd_check" CHECK ("dpd" >= 0)
);

-- A top-up application names the loan it tops up (submission field topUpOf); null for any other.
ALTER TABLE "applications" ADD COLUMN "top_up_of_loan_id" UUID;
