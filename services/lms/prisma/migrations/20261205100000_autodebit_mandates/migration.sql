-- India auto-debit (modules/autodebit): NACH e-mandates and UPI AutoPay mandates registered for a loan, with the
-- processor's id and the UMRN (NACH) or UMN (UPI) once issued, and the Idempotency-Key of each mandate request.

-- A loan's mandate. registering → active (umrn) | rejected (status_reason: the bank's APxx code); active →
-- cancel-requested → cancelled (irreversible), or amended in place (max_amount_minor, valid_until). bank_code is the
-- IFSC (NACH) or the payer's VPA (UPI); the account number itself stays with the processor (masked here).
CREATE TABLE "autodebit_mandates" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "rail" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "status_reason" TEXT,
    "umrn" TEXT,
    "processor_id" TEXT,
    "bank_code" TEXT NOT NULL,
    "account_token" TEXT NOT NULL,
    "account_number_masked" TEXT,
    "holder_name" TEXT NOT NULL,
    "max_amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "scale" SMALLINT NOT NULL,
    "frequency" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_until" DATE,
    "cancellation" JSONB,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_mandates_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "autodebit_mandates_rail_check" CHECK ("rail" IN ('in-nach', 'upi-autopay')),
    CONSTRAINT "autodebit_mandates_status_check" CHECK ("status" IN ('registering', 'active', 'rejected', 'cancel-requested', 'cancelled')),
    CONSTRAINT "autodebit_mandates_amount_check" CHECK ("max_amount_minor" > 0),
    CONSTRAINT "autodebit_mandates_umrn_check" CHECK ("status" NOT IN ('active', 'cancel-requested') OR "umrn" IS NOT NULL)
);
CREATE INDEX "autodebit_mandates_loan_idx" ON "autodebit_mandates"("tenant_id", "loan_id", "created_at");
CREATE UNIQUE INDEX "autodebit_mandates_umrn_idx" ON "autodebit_mandates"("rail", "umrn");

-- The answer of each POST on a mandate under its Idempotency-Key: the same key and body answer it again, another
-- body under the key is refused.
CREATE TABLE "autodebit_mandate_requests" (
    "tenant_id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "mandate_id" UUID,
    "response_status" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "autodebit_mandate_requests_pkey" PRIMARY KEY ("tenant_id", "idempotency_key")
);

-- UPI AutoPay allows an execution and three retries (four attempts); ACH and NACH stop at three (their rules).
ALTER TABLE "autodebit_presentments" DROP CONSTRAINT "autodebit_presentments_attempt_check";
ALTER TABLE "autodebit_presentments" ADD CONSTRAINT "autodebit_presentments_attempt_check" CHECK ("attempt" BETWEEN 1 AND 4);
