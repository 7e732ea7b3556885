-- The repayment mandate of an accepted offer: registered with a processor (NACH e-mandate, UPI AutoPay or a US
-- ACH debit authorisation), pending until the borrower authenticates it, then active with the reference the
-- LMS debits (UMRN, UMN or the processor's mandate id) or rejected with the processor's reason. At most one
-- live (pending or active) mandate per checks run; a rejected or cancelled one stays as history and a new
-- registration may follow it. The completion step reads status = 'active' and mandate_reference.
CREATE TABLE "application_mandates" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "rail" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "mandate_reference" TEXT,
    "max_amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "scale" SMALLINT NOT NULL,
    "frequency" TEXT NOT NULL,
    "valid_from" DATE NOT NULL,
    "valid_until" DATE NOT NULL,
    "vendor" TEXT NOT NULL,
    "vendor_mandate_id" TEXT NOT NULL,
    "vendor_setup_id" TEXT,
    "authentication_url" TEXT,
    "reason_code" TEXT,
    "reason" TEXT,
    "consent" JSONB NOT NULL,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "activated_at" TIMESTAMPTZ(3),
    CONSTRAINT "application_mandates_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "application_mandates_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT,
    CONSTRAINT "application_mandates_rail_check" CHECK ("rail" IN ('nach', 'upi', 'ach')),
    CONSTRAINT "application_mandates_status_check" CHECK ("status" IN ('pending', 'active', 'rejected', 'cancelled')),
    CONSTRAINT "application_mandates_active_reference_check" CHECK ("status" <> 'active' OR "mandate_reference" IS NOT NULL),
    CONSTRAINT "application_mandates_max_amount_check" CHECK ("max_amount_minor" > 0),
    CONSTRAINT "application_mandates_validity_check" CHECK ("valid_until" >= "valid_from")
);
-- The live one of a checks run.
CREATE UNIQUE INDEX "application_mandates_live_key" ON "application_mandates"("application_id", "checks_run") WHERE "status" IN ('pending', 'active');
-- A processor's callback names its own id.
CREATE UNIQUE INDEX "application_mandates_vendor_key" ON "application_mandates"("vendor", "vendor_mandate_id");
CREATE INDEX "application_mandates_tenant_application_idx" ON "application_mandates"("tenant_id", "application_id", "created_at");

-- A mandate is registered for an offer-accepted application; 20261205000000_offer_acceptance added that status
-- to the domain but not to applications_status_check. Added only when the check still lacks it, keeping every
-- status it already allows (the same idempotent step as the KFS and agreement migrations, whichever runs first).
DO $$
DECLARE def text;
BEGIN
  SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint WHERE conname = 'applications_status_check' AND conrelid = 'applications'::regclass;
  IF def IS NOT NULL AND position('offer-accepted' IN def) = 0 THEN
    ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";
    EXECUTE 'ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" ' || replace(def, '''policy-approved''::text', '''policy-approved''::text, ''offer-accepted''::text');
  END IF;
END $$;
