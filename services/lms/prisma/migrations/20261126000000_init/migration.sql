-- Loan Management Service: initial schema.

CREATE TABLE "inbox" (
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbox_pkey" PRIMARY KEY ("event_id")
);

CREATE TABLE "loan_accounts" (
    -- The LOS's loan id, whatever its form (the contract says a string of at most 64 characters).
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" TEXT NOT NULL,
    "borrower" JSONB NOT NULL,
    "product_code" TEXT NOT NULL,
    "principal_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "scale" INTEGER NOT NULL,
    "annual_rate_percent" TEXT NOT NULL,
    "term_periods" INTEGER NOT NULL,
    "frequency" TEXT NOT NULL,
    "schedule_method" TEXT NOT NULL,
    "disbursement_date" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "approved_at" TIMESTAMPTZ(3) NOT NULL,
    "approved_by" TEXT NOT NULL,
    "source_event_id" UUID NOT NULL,
    "traceparent" TEXT,
    "collections_workflow_id" TEXT NOT NULL,
    "collections_started_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "loan_accounts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "loan_accounts_principal_check" CHECK ("principal_minor" > 0),
    CONSTRAINT "loan_accounts_status_check" CHECK ("status" IN ('pending-disbursement', 'active', 'closed'))
);
CREATE UNIQUE INDEX "loan_accounts_source_event_id_key" ON "loan_accounts"("source_event_id");
CREATE INDEX "loan_accounts_tenant_id_created_at_idx" ON "loan_accounts"("tenant_id", "created_at");
-- The collections starter looks for loans whose workflow has not been started yet.
CREATE INDEX "loan_accounts_collections_pending_idx" ON "loan_accounts"("created_at") WHERE "collections_started_at" IS NULL;

CREATE TABLE "installments" (
    "loan_id" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "principal_minor" BIGINT NOT NULL,
    "interest_minor" BIGINT NOT NULL,
    "fees_minor" BIGINT NOT NULL,
    "total_minor" BIGINT NOT NULL,
    "balance_after_minor" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "due_marked_at" TIMESTAMPTZ(3),
    CONSTRAINT "installments_pkey" PRIMARY KEY ("loan_id", "number"),
    CONSTRAINT "installments_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    -- The parts always sum to the whole, and nothing is negative.
    CONSTRAINT "installments_total_check" CHECK ("total_minor" = "principal_minor" + "interest_minor" + "fees_minor"),
    CONSTRAINT "installments_nonnegative_check" CHECK ("principal_minor" >= 0 AND "interest_minor" >= 0 AND "fees_minor" >= 0 AND "balance_after_minor" >= 0),
    CONSTRAINT "installments_status_check" CHECK ("status" IN ('scheduled', 'due'))
);
