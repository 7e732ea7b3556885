-- Offers for an application that passed policy: terms from its request within the decision's limits, at the
-- pricing band's rate, priced by the loan engine (schedule, totals, APR). One set per checks run; each
-- offer stores the exact loan terms it was priced on, which is what an accepted offer will book.
CREATE TABLE "application_offers" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    "band" TEXT NOT NULL,
    "terms" JSONB NOT NULL,
    "pricing" JSONB NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "application_offers_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "application_offers_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT,
    CONSTRAINT "application_offers_expiry_check" CHECK ("expires_at" > "created_at")
);
CREATE UNIQUE INDEX "application_offers_run_label_key" ON "application_offers"("application_id", "checks_run", "label");
CREATE INDEX "application_offers_tenant_application_idx" ON "application_offers"("tenant_id", "application_id");
