-- Loan Origination Service: initial schema.

CREATE TABLE "applications" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "applicant" JSONB NOT NULL,
    "loan_request" JSONB NOT NULL,
    "submitted_by" TEXT NOT NULL,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decision_reason" TEXT,
    "loan_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "applications_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "applications_status_check" CHECK ("status" IN ('submitted', 'approved', 'declined')),
    -- An approved application always names its loan; no other status does.
    CONSTRAINT "applications_loan_id_check" CHECK (("status" = 'approved') = ("loan_id" IS NOT NULL))
);
CREATE UNIQUE INDEX "applications_loan_id_key" ON "applications"("loan_id");
CREATE INDEX "applications_tenant_id_created_at_idx" ON "applications"("tenant_id", "created_at");

CREATE TABLE "idempotency_records" (
    "tenant_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "response_status" INTEGER NOT NULL,
    "response_body" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("tenant_id", "key")
);

CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(6),
    "seq" BIGSERIAL NOT NULL,
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "outbox_unsent_idx" ON "outbox"("seq") WHERE "sent_at" IS NULL;
