-- Servicing: the money events of each loan, its replayable engine state, its delinquency history,
-- the tenant's business date and the end-of-day runs that advance it. Owned by modules/servicing.

-- Booking records the product version the loan keeps (null: the tenant had no such product and the
-- engine's defaults apply) and the LoanApproved terms, so the schedule can be re-anchored on the
-- actual first disbursement date with the same engine call it was booked with.
ALTER TABLE "loan_accounts" ADD COLUMN "product_version" INTEGER;
ALTER TABLE "loan_accounts" ADD COLUMN "terms" JSONB;
ALTER TABLE "loan_accounts" DROP CONSTRAINT "loan_accounts_status_check";
ALTER TABLE "loan_accounts" ADD CONSTRAINT "loan_accounts_status_check" CHECK ("status" IN ('pending-disbursement', 'active', 'closed', 'charged-off'));

-- Every money event of a loan, append-only except for a disbursement's payout outcome and the
-- allocation a replay recomputes. A reversal is its own row naming its target.
CREATE TABLE "loan_transactions" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value_date" DATE NOT NULL,
    "amount_minor" BIGINT,
    "currency" TEXT NOT NULL,
    "scale" INTEGER NOT NULL,
    "channel" TEXT,
    "reference" TEXT,
    "target_id" UUID,
    "reason" TEXT,
    "status" TEXT NOT NULL,
    "failure_reason" TEXT,
    -- How the repayment was split (PaymentAllocation, bigints as strings); rewritten by a backdated replay.
    "allocation" JSONB,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seq" BIGSERIAL NOT NULL,
    CONSTRAINT "loan_transactions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "loan_transactions_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "loan_transactions_target_fkey" FOREIGN KEY ("target_id") REFERENCES "loan_transactions"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "loan_transactions_kind_check" CHECK ("kind" IN ('disbursement', 'repayment', 'reversal')),
    CONSTRAINT "loan_transactions_status_check" CHECK (
      ("kind" = 'disbursement' AND "status" IN ('pending', 'confirmed', 'failed')) OR ("kind" <> 'disbursement' AND "status" = 'posted')),
    CONSTRAINT "loan_transactions_amount_check" CHECK (("kind" = 'reversal' AND "amount_minor" IS NULL AND "target_id" IS NOT NULL) OR ("kind" <> 'reversal' AND "amount_minor" > 0)),
    CONSTRAINT "loan_transactions_failure_check" CHECK (("status" = 'failed') = ("failure_reason" IS NOT NULL))
);
-- One reversal per transaction, ever.
CREATE UNIQUE INDEX "loan_transactions_one_reversal_idx" ON "loan_transactions"("target_id") WHERE "kind" = 'reversal';
-- Idempotency-Key of every servicing POST, per tenant.
CREATE UNIQUE INDEX "loan_transactions_idempotency_idx" ON "loan_transactions"("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
-- GET /v1/loans/{id}/transactions pages by seq; a replay loads a loan's events in order.
CREATE INDEX "loan_transactions_loan_seq_idx" ON "loan_transactions"("loan_id", "seq");

-- The servicing state of each loan: the engine's snapshot (what end of day advances) and the state it
-- describes (for fast reads), with the figures reads filter on as columns. `version` grows by one on
-- every write; writers lock the row (SELECT ... FOR UPDATE) so one loan's changes serialise.
CREATE TABLE "loan_servicing" (
    "loan_id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "product_code" TEXT NOT NULL,
    "product_version" INTEGER,
    "snapshot" JSONB,
    "state" JSONB,
    "as_of" DATE,
    "status" TEXT NOT NULL,
    "accrual_status" TEXT NOT NULL DEFAULT 'accruing',
    "dpd" INTEGER NOT NULL DEFAULT 0,
    "us_bucket" TEXT NOT NULL DEFAULT 'current',
    "rbi_class" TEXT NOT NULL DEFAULT 'standard',
    "oldest_unpaid_due_date" DATE,
    "npa_since" DATE,
    "version" INTEGER NOT NULL DEFAULT 0,
    "eod_through" DATE,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "loan_servicing_pkey" PRIMARY KEY ("loan_id"),
    CONSTRAINT "loan_servicing_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "loan_servicing_status_check" CHECK ("status" IN ('pending-disbursement', 'active', 'closed', 'charged-off')),
    CONSTRAINT "loan_servicing_accrual_check" CHECK ("accrual_status" IN ('accruing', 'non-accrual')),
    CONSTRAINT "loan_servicing_dpd_check" CHECK ("dpd" >= 0)
);
-- End of day walks a tenant's active loans in loan id order, in batches.
CREATE INDEX "loan_servicing_eod_idx" ON "loan_servicing"("tenant_id", "loan_id") WHERE "status" = 'active';

-- Delinquency change points (engine DelinquencyPoint): append-only, except that a backdated replay
-- replaces the points from its earliest affected date on. dpd on a later day = day - dpd_anchor.
CREATE TABLE "delinquency_history" (
    "loan_id" TEXT NOT NULL,
    "from_date" DATE NOT NULL,
    "dpd" INTEGER NOT NULL,
    "dpd_anchor" DATE,
    "us_bucket" TEXT NOT NULL,
    "rbi_class" TEXT NOT NULL,
    "npa_since" DATE,
    CONSTRAINT "delinquency_history_pkey" PRIMARY KEY ("loan_id", "from_date"),
    CONSTRAINT "delinquency_history_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- Every schedule a loan had: the booked one (version 1) and each re-anchoring on the actual first
-- disbursement date. `installments` is the schedule replaced at that moment.
CREATE TABLE "schedule_versions" (
    "loan_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "anchor_date" DATE NOT NULL,
    "installments" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "schedule_versions_pkey" PRIMARY KEY ("loan_id", "version"),
    CONSTRAINT "schedule_versions_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- The business date of each tenant: the day money events are dated up to, advanced by end of day.
CREATE TABLE "business_dates" (
    "tenant_id" TEXT NOT NULL,
    "business_date" DATE NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "business_dates_pkey" PRIMARY KEY ("tenant_id")
);

-- End-of-day runs. At most one queued or running run per tenant. Progress is written per batch, in
-- the batch's own transaction, so a restarted run continues where the last commit left it.
CREATE TABLE "eod_runs" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "to_date" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "progress" JSONB NOT NULL DEFAULT '{"days_done":0,"days_total":0,"loans_done":0,"loans_total":0}',
    "error" TEXT,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "eod_runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "eod_runs_status_check" CHECK ("status" IN ('queued', 'running', 'completed', 'failed'))
);
CREATE UNIQUE INDEX "eod_runs_one_active_idx" ON "eod_runs"("tenant_id") WHERE "status" IN ('queued', 'running');
CREATE UNIQUE INDEX "eod_runs_idempotency_idx" ON "eod_runs"("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
