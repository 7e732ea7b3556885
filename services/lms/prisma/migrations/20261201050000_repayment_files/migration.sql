-- Bulk repayments (POST /v1/repayment-files): the file accepted, and each of its rows with its outcome.
-- Owned by modules/repayment-files. Rows are stored first (at upload, in the upload's transaction),
-- then posted one by one in the background through the single-repayment use case.

CREATE TABLE "repayment_files" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    -- Hex SHA-256 of the uploaded bytes: one file per tenant and content, ever (a second upload is 409).
    "sha256" TEXT NOT NULL,
    "byte_size" INTEGER NOT NULL,
    "idempotency_key" TEXT,
    "status" TEXT NOT NULL,
    "rows_total" INTEGER NOT NULL DEFAULT 0,
    "uploaded_by" TEXT NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "repayment_files_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "repayment_files_status_check" CHECK ("status" IN ('queued', 'processing', 'completed'))
);
CREATE UNIQUE INDEX "repayment_files_sha256_idx" ON "repayment_files"("tenant_id", "sha256");
CREATE UNIQUE INDEX "repayment_files_idempotency_idx" ON "repayment_files"("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
-- The runner resumes unfinished files at start.
CREATE INDEX "repayment_files_unfinished_idx" ON "repayment_files"("created_at") WHERE "status" <> 'completed';

-- One row of a file: `row_number` is the file line the record ends on (the header is line 1).
-- `fields` keeps the row's raw text by column. pending → posted (transaction_id) | failed (error) |
-- duplicate (duplicate_of: the earlier line, or the transaction already posted with that reference).
CREATE TABLE "repayment_file_rows" (
    "file_id" UUID NOT NULL,
    "row_number" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT,
    "fields" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "transaction_id" UUID,
    "error" JSONB,
    "duplicate_of" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "processed_at" TIMESTAMPTZ(3),
    CONSTRAINT "repayment_file_rows_pkey" PRIMARY KEY ("file_id", "row_number"),
    CONSTRAINT "repayment_file_rows_file_fkey" FOREIGN KEY ("file_id") REFERENCES "repayment_files"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "repayment_file_rows_status_check" CHECK ("status" IN ('pending', 'posted', 'failed', 'duplicate')),
    CONSTRAINT "repayment_file_rows_outcome_check" CHECK (
      ("status" = 'posted') = ("transaction_id" IS NOT NULL) AND ("status" = 'failed') = ("error" IS NOT NULL))
);
-- Processing takes the pending rows in file order; GET …/rows?status= pages by row number.
CREATE INDEX "repayment_file_rows_status_idx" ON "repayment_file_rows"("file_id", "status", "row_number");
