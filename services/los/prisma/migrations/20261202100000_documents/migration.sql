-- Documents an applicant uploads (identity, payslip, bank statement): the bytes live in the blob store,
-- content-addressed by SHA-256; this row is written only after the blob is durable, so a row always has
-- its bytes. The same bytes for the same application are one document (a re-upload returns it).
CREATE TABLE "application_documents" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "blob_key" TEXT NOT NULL,
    "file_name" TEXT,
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "application_documents_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "application_documents_application_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE,
    CONSTRAINT "application_documents_kind_check" CHECK ("kind" IN ('identity', 'payslip', 'bank-statement', 'other')),
    CONSTRAINT "application_documents_content_type_check" CHECK ("content_type" IN ('image/jpeg', 'image/png', 'application/pdf')),
    CONSTRAINT "application_documents_size_check" CHECK ("size_bytes" > 0)
);
CREATE UNIQUE INDEX "application_documents_app_sha_key" ON "application_documents"("tenant_id", "application_id", "sha256");
CREATE UNIQUE INDEX "application_documents_idempotency_key" ON "application_documents"("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
CREATE INDEX "application_documents_app_created_idx" ON "application_documents"("application_id", "created_at");
