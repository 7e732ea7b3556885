-- Migration import (POST /v1/imports, `pnpm -s lms import`): a book of existing loans with their history,
-- uploaded as JSON lines or CSV. Owned by modules/imports. The upload stores every record (one transaction:
-- an import exists only complete); the runner then books the pending records in batches, one transaction
-- per batch, each record's loan whole or not at all.

CREATE TABLE "loan_imports" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    -- The import key: the same key and bytes return the same import, other bytes are refused.
    "idempotency_key" TEXT NOT NULL,
    -- Hex SHA-256 of the uploaded bytes.
    "sha256" TEXT NOT NULL,
    "byte_size" BIGINT NOT NULL,
    "format" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "rows_total" INTEGER NOT NULL DEFAULT 0,
    "rows_imported" INTEGER NOT NULL DEFAULT 0,
    "rows_rejected" INTEGER NOT NULL DEFAULT 0,
    "rows_duplicate" INTEGER NOT NULL DEFAULT 0,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "loan_imports_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "loan_imports_format_check" CHECK ("format" IN ('ndjson', 'csv')),
    CONSTRAINT "loan_imports_status_check" CHECK ("status" IN ('queued', 'processing', 'completed'))
);
CREATE UNIQUE INDEX "loan_imports_idempotency_idx" ON "loan_imports"("tenant_id", "idempotency_key");
-- The runner resumes unfinished imports at start.
CREATE INDEX "loan_imports_unfinished_idx" ON "loan_imports"("created_at") WHERE "status" <> 'completed';

-- One record of an import: `record_number` is the line it ends on (CSV: the header is line 1).
-- `record` is the record as read (CSV columns become the JSON form's fields). pending → imported (loan_id) |
-- rejected (error: field, rule, detail) | duplicate (duplicate_of: the loan or the earlier record).
CREATE TABLE "loan_import_rows" (
    "import_id" UUID NOT NULL,
    "record_number" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "external_id" TEXT,
    "record" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "loan_id" TEXT,
    "error" JSONB,
    "duplicate_of" TEXT,
    "processed_at" TIMESTAMPTZ(3),
    CONSTRAINT "loan_import_rows_pkey" PRIMARY KEY ("import_id", "record_number"),
    CONSTRAINT "loan_import_rows_import_fkey" FOREIGN KEY ("import_id") REFERENCES "loan_imports"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "loan_import_rows_status_check" CHECK ("status" IN ('pending', 'imported', 'rejected', 'duplicate')),
    CONSTRAINT "loan_import_rows_outcome_check" CHECK (
      ("status" = 'imported') = ("loan_id" IS NOT NULL) AND ("status" = 'rejected') = ("error" IS NOT NULL))
);
-- Processing takes the pending records in file order; GET …/rows?status= pages by record number.
CREATE INDEX "loan_import_rows_status_idx" ON "loan_import_rows"("import_id", "status", "record_number");

-- Each tenant's loans brought from another system, by the id that system gave them: one loan per
-- external id ever, so a file imported twice (under any key) books nothing twice.
CREATE TABLE "imported_loans" (
    "tenant_id" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "import_id" UUID NOT NULL,
    "record_number" INTEGER NOT NULL,
    "imported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "imported_loans_pkey" PRIMARY KEY ("tenant_id", "external_id"),
    CONSTRAINT "imported_loans_loan_key" UNIQUE ("loan_id"),
    CONSTRAINT "imported_loans_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "imported_loans_import_fkey" FOREIGN KEY ("import_id") REFERENCES "loan_imports"("id") ON DELETE RESTRICT ON UPDATE RESTRICT
);
