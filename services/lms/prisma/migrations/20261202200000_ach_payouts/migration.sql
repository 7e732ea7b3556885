-- USD disbursements over ACH (modules/payouts, AchPayoutAdapter): each payout is an entry queued for the next
-- submission window, then written with the others into one NACHA file sent to the ODFI. Account numbers are
-- never stored: the entry keeps the borrower's account token and resolves it when the file is written.

-- One NACHA file as sent (or being sent) to the ODFI. built → accepted (bank_file_id) | rejected (rejection:
-- the record number, field and rule the bank named). The file's bytes are rebuilt from these rows and its
-- entries, so a resend after a lost acknowledgement is the same bytes under the same Idempotency-Key (id).
CREATE TABLE "ach_files" (
    "id" UUID NOT NULL,
    "creation_date" DATE NOT NULL,
    "creation_time" CHAR(4) NOT NULL,
    "file_id_modifier" CHAR(1) NOT NULL,
    "effective_entry_date" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "bank_file_id" TEXT,
    "rejection" JSONB,
    "entry_count" INTEGER NOT NULL,
    "total_credit_cents" BIGINT NOT NULL,
    "sha256" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ach_files_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ach_files_status_check" CHECK ("status" IN ('built', 'accepted', 'rejected'))
);
CREATE UNIQUE INDEX "ach_files_bank_file_id_idx" ON "ach_files"("bank_file_id");
-- A file's header (origin, date, time, modifier) is unique: banks reject a duplicate.
CREATE UNIQUE INDEX "ach_files_header_idx" ON "ach_files"("creation_date", "creation_time", "file_id_modifier");
CREATE INDEX "ach_files_built_idx" ON "ach_files"("created_at") WHERE "status" = 'built';

-- The 7-digit sequence of trace numbers (ODFI routing's first 8 digits + this).
CREATE SEQUENCE "ach_trace_seq" MINVALUE 1 MAXVALUE 9999999 CYCLE;

-- One payout's ACH entry. queued → batched (file_id, trace_number) → submitted → settled | returned;
-- rejected when its file was. A settled entry may still be returned (returned_after_settlement).
CREATE TABLE "ach_entries" (
    "payout_id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    -- Hex SHA-256 of the submitted request: the same payout id with another body is refused.
    "request_hash" TEXT NOT NULL,
    "amount_cents" BIGINT NOT NULL,
    "transaction_code" SMALLINT NOT NULL,
    "rdfi_routing" CHAR(9) NOT NULL,
    "account_token" TEXT NOT NULL,
    "account_number_masked" TEXT,
    "holder_name" TEXT NOT NULL,
    "individual_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "file_id" UUID,
    "trace_number" CHAR(15),
    "settlement_date" DATE,
    "return_code" TEXT,
    "return_detail" TEXT,
    "returned_after_settlement" BOOLEAN NOT NULL DEFAULT false,
    "change_code" TEXT,
    "change_corrected_data" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ach_entries_pkey" PRIMARY KEY ("payout_id"),
    CONSTRAINT "ach_entries_amount_check" CHECK ("amount_cents" > 0),
    CONSTRAINT "ach_entries_status_check" CHECK ("status" IN ('queued', 'batched', 'submitted', 'settled', 'returned', 'rejected')),
    CONSTRAINT "ach_entries_file_fkey" FOREIGN KEY ("file_id") REFERENCES "ach_files"("id")
);
-- Returns and settlements name entries by trace number.
CREATE UNIQUE INDEX "ach_entries_trace_idx" ON "ach_entries"("trace_number");
CREATE INDEX "ach_entries_queued_idx" ON "ach_entries"("created_at") WHERE "status" = 'queued';
CREATE INDEX "ach_entries_file_idx" ON "ach_entries"("file_id");
