-- Auto-debit collections (modules/autodebit): presentments of instalments to a collection rail (US ACH first),
-- the files they travel in, the results documents the rail sends back, and each loan's debit account.

-- A loan's debit account and the standing authorisation. active → needs-account-data (R02/R03/R04) | revoked
-- (R05/R07/R10/R29) | review (an operator decides). A NOC corrects bank_code / account_type / holder_name and,
-- for a corrected account number, account_number_override: the number the ODFI asked us to use, which the LOS's
-- vault would hold in a deployment (the LMS otherwise keeps only the token).
CREATE TABLE "autodebit_accounts" (
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "rail" TEXT NOT NULL,
    "account_token" TEXT NOT NULL,
    "bank_code" TEXT NOT NULL,
    "account_type" TEXT NOT NULL,
    "holder_name" TEXT NOT NULL,
    "account_number_masked" TEXT,
    "account_number_override" TEXT,
    "authorisation_id" TEXT NOT NULL,
    "sec_code" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "status_reason" TEXT,
    "changes" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_accounts_pkey" PRIMARY KEY ("tenant_id", "loan_id"),
    CONSTRAINT "autodebit_accounts_status_check" CHECK ("status" IN ('active', 'needs-account-data', 'revoked', 'review')),
    CONSTRAINT "autodebit_accounts_type_check" CHECK ("account_type" IN ('checking', 'savings'))
);

-- One file (batch) handed to a rail. built → accepted (rail_batch_id) | rejected (rejection names record, field,
-- rule). The bytes are rebuilt from this row and its presentments, so a resend after a lost acknowledgement is
-- the same file under the same idempotency key (id).
CREATE TABLE "autodebit_files" (
    "id" UUID NOT NULL,
    "rail" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    -- The UTC date of created_at: the header's creation date; sequence_of_day is its file id modifier.
    "creation_date" DATE NOT NULL,
    "sequence_of_day" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "rail_batch_id" TEXT,
    "rejection" JSONB,
    "entry_count" INTEGER NOT NULL,
    "total_minor" BIGINT NOT NULL,
    "sha256" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_files_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "autodebit_files_status_check" CHECK ("status" IN ('built', 'accepted', 'rejected'))
);
CREATE UNIQUE INDEX "autodebit_files_day_idx" ON "autodebit_files"("rail", "creation_date", "sequence_of_day");
CREATE INDEX "autodebit_files_built_idx" ON "autodebit_files"("created_at") WHERE "status" = 'built';

-- One attempt to debit one instalment. scheduled → batched (file_id, rail_sequence, reference) → presented →
-- settled (repayment_tx_id once posted) | returned (return_code, action; reversal_tx_id when a posted one was
-- reversed) | rejected (its file was) | cancelled. Attempt 2 and 3 name the first in original_id.
CREATE TABLE "autodebit_presentments" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "installment_number" INTEGER NOT NULL,
    "rail" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "original_id" TEXT,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "scale" SMALLINT NOT NULL,
    "effective_date" DATE NOT NULL,
    "original_settlement_date" DATE,
    "status" TEXT NOT NULL,
    "file_id" UUID,
    "rail_sequence" INTEGER,
    "reference" TEXT,
    "settlement_date" DATE,
    "return_code" TEXT,
    "returned_on" DATE,
    "action" JSONB,
    "repayment_tx_id" TEXT,
    "reversal_tx_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_presentments_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "autodebit_presentments_amount_check" CHECK ("amount_minor" > 0),
    CONSTRAINT "autodebit_presentments_attempt_check" CHECK ("attempt" BETWEEN 1 AND 3),
    CONSTRAINT "autodebit_presentments_status_check" CHECK ("status" IN ('scheduled', 'batched', 'presented', 'settled', 'returned', 'rejected', 'cancelled')),
    CONSTRAINT "autodebit_presentments_file_fkey" FOREIGN KEY ("file_id") REFERENCES "autodebit_files"("id")
);
-- One presentment per attempt of an instalment: scheduling twice is harmless.
CREATE UNIQUE INDEX "autodebit_presentments_attempt_idx" ON "autodebit_presentments"("tenant_id", "loan_id", "installment_number", "attempt");
CREATE UNIQUE INDEX "autodebit_presentments_reference_idx" ON "autodebit_presentments"("rail", "reference");
CREATE INDEX "autodebit_presentments_scheduled_idx" ON "autodebit_presentments"("effective_date") WHERE "status" = 'scheduled';
CREATE INDEX "autodebit_presentments_file_idx" ON "autodebit_presentments"("file_id");

-- Each results document the rail sent (an ACH return/NOC file, a settlement report) and what became of it:
-- applying → applied, or refused whole (refusal: record, field, rule). Applying the same document again finds it.
CREATE TABLE "autodebit_result_documents" (
    "document_id" TEXT NOT NULL,
    "rail" TEXT NOT NULL,
    "received_on" DATE NOT NULL,
    "status" TEXT NOT NULL,
    "refusal" JSONB,
    "result_count" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_result_documents_pkey" PRIMARY KEY ("document_id"),
    CONSTRAINT "autodebit_result_documents_status_check" CHECK ("status" IN ('applying', 'applied', 'refused'))
);

-- One result line of a document and its outcome: applied, duplicate (this presentment already had it),
-- unknown-entry (no presentment of ours has the reference), superseded (e.g. a settlement after a return).
CREATE TABLE "autodebit_results" (
    "document_id" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "code" TEXT,
    "record" INTEGER,
    "presentment_id" TEXT,
    "outcome" TEXT NOT NULL,
    "detail" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_results_pkey" PRIMARY KEY ("document_id", "line"),
    CONSTRAINT "autodebit_results_outcome_check" CHECK ("outcome" IN ('applied', 'duplicate', 'unknown-entry', 'superseded'))
);
CREATE INDEX "autodebit_results_presentment_idx" ON "autodebit_results"("presentment_id");
