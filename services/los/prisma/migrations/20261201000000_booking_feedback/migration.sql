-- What the LMS says back about approved loans: an application whose loan the LMS refused to book is
-- `booking-failed`, with the LMS's reason. The inbox makes each LMS event change things at most once.
ALTER TABLE "applications" ADD COLUMN "booking_failure" JSONB;
CREATE INDEX "applications_tenant_status_created_idx" ON "applications"("tenant_id", "status", "created_at");
-- Reconciliation reads approvals per tenant and day of decision, in loan id order.
CREATE INDEX "applications_tenant_decided_loan_idx" ON "applications"("tenant_id", "decided_at", "loan_id") WHERE "loan_id" IS NOT NULL;

CREATE TABLE "inbox" (
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "inbox_pkey" PRIMARY KEY ("event_id")
);
CREATE INDEX "inbox_applied_at_idx" ON "inbox"("applied_at");
