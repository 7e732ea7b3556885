-- What the KYC adapters created at a vendor per check attempt group (the workflow's idempotency key), so a
-- retried or resumed check continues with the same applicant, documents and vendor check instead of
-- creating new ones (Onfido documents no idempotency header).
CREATE TABLE "kyc_vendor_checks" (
    "idempotency_key" TEXT NOT NULL,
    "vendor" TEXT NOT NULL,
    "applicant_id" TEXT,
    "document_ids" JSONB NOT NULL DEFAULT '{}',
    "check_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "kyc_vendor_checks_pkey" PRIMARY KEY ("idempotency_key", "vendor")
);
CREATE INDEX "kyc_vendor_checks_check_idx" ON "kyc_vendor_checks"("vendor", "check_id");

-- Verified vendor webhooks, one row per event (id = SHA-256 of the raw signed body): a replay of the same
-- bytes finds its row and is refused; the KYC runner waiting on a check reads its completion here.
CREATE TABLE "kyc_webhook_events" (
    "event_id" CHAR(64) NOT NULL,
    "vendor" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "object_id" TEXT NOT NULL,
    "object_status" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "kyc_webhook_events_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "kyc_webhook_events_object_idx" ON "kyc_webhook_events"("vendor", "object_id", "action");
CREATE INDEX "kyc_webhook_events_received_idx" ON "kyc_webhook_events"("received_at");
