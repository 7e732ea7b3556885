-- An accepted offer: the one offer of a checks run the applicant took, with the consent that goes with it
-- (who, when, from which address and user agent, and the exact Key Fact Statement they were shown: its
-- reference, template version and SHA-256). At most one per checks run; never updated or deleted. The
-- agreement, its signature and the repayment mandate follow from this row; the application is approved
-- (LoanApproved, on the accepted offer's terms) once all three are in place.
CREATE TABLE "offer_acceptances" (
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "offer_id" UUID NOT NULL,
    "kfs_reference" TEXT NOT NULL,
    "kfs_version" TEXT NOT NULL,
    "kfs_sha256" TEXT NOT NULL,
    "accepted_by" TEXT NOT NULL,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    "ip" TEXT NOT NULL,
    "user_agent" TEXT NOT NULL,
    "consents" JSONB NOT NULL,
    CONSTRAINT "offer_acceptances_pkey" PRIMARY KEY ("application_id", "checks_run"),
    CONSTRAINT "offer_acceptances_offer_id_fkey" FOREIGN KEY ("offer_id") REFERENCES "application_offers"("id") ON DELETE RESTRICT,
    CONSTRAINT "offer_acceptances_sha256_check" CHECK ("kfs_sha256" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "offer_acceptances_offer_key" ON "offer_acceptances"("offer_id");
CREATE INDEX "offer_acceptances_tenant_accepted_idx" ON "offer_acceptances"("tenant_id", "accepted_at");
