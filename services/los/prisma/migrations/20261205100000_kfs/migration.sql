-- The Key Fact Statement of an offer, issued once per offer and variant (RBI KFS for INR loans, the US TILA
-- box otherwise, or the one asked for) and never changed: the content as shown, its template version and the
-- SHA-256 of its canonical JSON (keys in sorted order). An acceptance names the reference and hash it saw.
CREATE TABLE "application_kfs" (
    "reference" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "offer_id" UUID NOT NULL,
    "variant" TEXT NOT NULL,
    "template_version" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "sha256" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "application_kfs_pkey" PRIMARY KEY ("reference"),
    CONSTRAINT "application_kfs_offer_id_fkey" FOREIGN KEY ("offer_id") REFERENCES "application_offers"("id") ON DELETE RESTRICT,
    CONSTRAINT "application_kfs_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT,
    CONSTRAINT "application_kfs_variant_check" CHECK ("variant" IN ('rbi', 'tila')),
    CONSTRAINT "application_kfs_reference_check" CHECK ("reference" ~ '^KFS-[0-9A-Z-]{1,60}$'),
    CONSTRAINT "application_kfs_sha256_check" CHECK ("sha256" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "application_kfs_offer_variant_key" ON "application_kfs"("offer_id", "variant");
CREATE INDEX "application_kfs_tenant_application_idx" ON "application_kfs"("tenant_id", "application_id");

-- Accepting an offer moves its application policy-approved → offer-accepted; 20261205000000_offer_acceptance
-- added the status to the domain but not to applications_status_check. Added only when the check still lacks
-- it, keeping every status it already allows, so a later migration adding it too does no harm.
DO $$
DECLARE def text;
BEGIN
  SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint WHERE conname = 'applications_status_check' AND conrelid = 'applications'::regclass;
  IF def IS NOT NULL AND position('offer-accepted' IN def) = 0 THEN
    ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";
    EXECUTE 'ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" ' || replace(def, '''policy-approved''::text', '''policy-approved''::text, ''offer-accepted''::text');
  END IF;
END $$;
