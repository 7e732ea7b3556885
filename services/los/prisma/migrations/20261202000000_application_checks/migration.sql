-- Applications are checked before anyone decides them: submitted → checks-running → checks-complete |
-- checks-exception → approved | declined. The run that still needs its Temporal workflow started is
-- kept on the row (checks_pending_run), so a submission committed while Temporal is down is started later.
ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("status" IN ('submitted', 'checks-running', 'checks-complete', 'checks-exception', 'approved', 'declined', 'booking-failed'));
ALTER TABLE "applications" ADD COLUMN "date_of_birth_masked" TEXT;
ALTER TABLE "applications" ADD COLUMN "employment" JSONB;
ALTER TABLE "applications" ADD COLUMN "device" JSONB;
ALTER TABLE "applications" ADD COLUMN "checks_run" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "applications" ADD COLUMN "checks_pending_run" INTEGER;
CREATE INDEX "applications_checks_pending_idx" ON "applications"("created_at") WHERE "checks_pending_run" IS NOT NULL;

-- One row per (application, kind of check): its latest run, attempt count, outcome and evidence (masked).
CREATE TABLE "application_checks" (
    "application_id" UUID NOT NULL REFERENCES "applications"("id"),
    "tenant_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "run" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "result" TEXT,
    "score" DOUBLE PRECISION,
    "reasons" JSONB NOT NULL DEFAULT '[]',
    "vendor_reference" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "idempotency_key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "duration_ms" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "application_checks_pkey" PRIMARY KEY ("application_id", "kind"),
    CONSTRAINT "application_checks_status_check" CHECK ("status" IN ('queued', 'running', 'completed', 'failed', 'exception')),
    CONSTRAINT "application_checks_result_check" CHECK (("status" = 'completed') = ("result" IS NOT NULL) AND ("result" IS NULL OR "result" IN ('pass', 'refer', 'fail')))
);
CREATE INDEX "application_checks_tenant_status_idx" ON "application_checks"("tenant_id", "status");

-- Envelope encryption of clear PII: one data key per tenant (AES-256-GCM), stored only wrapped by a
-- key-encryption key from configuration; kek_id says which one, so KEKs rotate by re-wrapping.
CREATE TABLE "pii_data_keys" (
    "tenant_id" TEXT NOT NULL,
    "kek_id" TEXT NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrapped_at" TIMESTAMPTZ(3),
    CONSTRAINT "pii_data_keys_pkey" PRIMARY KEY ("tenant_id")
);
CREATE INDEX "pii_data_keys_kek_idx" ON "pii_data_keys"("kek_id");

-- The clear national id, date of birth and account number of an application, each sealed with the
-- tenant's data key (12-byte IV ‖ 16-byte GCM tag ‖ ciphertext; AAD binds tenant, application and field).
CREATE TABLE "application_pii" (
    "application_id" UUID NOT NULL REFERENCES "applications"("id"),
    "tenant_id" TEXT NOT NULL,
    "national_id" BYTEA NOT NULL,
    "date_of_birth" BYTEA,
    "bank_account" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "application_pii_pkey" PRIMARY KEY ("application_id")
);

-- Cross-tenant fraud signals: keyed hashes only (HMAC-SHA-256 of a normalised value under a deployment
-- secret), with the tenant and application they came from. A tenant is only ever told counts.
CREATE TABLE "identity_hashes" (
    "application_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "identity_hashes_pkey" PRIMARY KEY ("application_id", "kind"),
    CONSTRAINT "identity_hashes_kind_check" CHECK ("kind" IN ('national-id', 'phone', 'email', 'device', 'ip', 'bank-account'))
);
CREATE INDEX "identity_hashes_lookup_idx" ON "identity_hashes"("kind", "hash", "seen_at");
