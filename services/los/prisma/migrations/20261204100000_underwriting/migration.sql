-- Underwriting policy as data, one policy per tenant and product, in immutable versions: a version is
-- written as a draft by one person (maker) and approved by another (checker, never the maker), and takes
-- effect from its effective_from. Decisions record the policy version and scorecard model they used.
CREATE TABLE "underwriting_policies" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "product_code" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "underwriting_policies_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "underwriting_policies_tenant_id_product_code_key" ON "underwriting_policies"("tenant_id", "product_code");

CREATE TABLE "underwriting_policy_versions" (
    "policy_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "document_sha256" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "approved_by" TEXT,
    "approved_at" TIMESTAMPTZ(3),
    -- A default policy the LOS seeded for a tenant: approved without a checker, and says so.
    "seeded" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "underwriting_policy_versions_pkey" PRIMARY KEY ("policy_id", "version"),
    CONSTRAINT "underwriting_policy_versions_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "underwriting_policies"("id") ON DELETE RESTRICT,
    CONSTRAINT "underwriting_policy_versions_status_check" CHECK ("status" IN ('draft', 'approved')),
    CONSTRAINT "underwriting_policy_versions_version_check" CHECK ("version" >= 1),
    CONSTRAINT "underwriting_policy_versions_checker_check" CHECK ("approved_by" IS NULL OR "approved_by" <> "created_by"),
    CONSTRAINT "underwriting_policy_versions_approved_check" CHECK (("status" = 'approved') = ("approved_at" IS NOT NULL) AND ("status" <> 'approved' OR "approved_by" IS NOT NULL OR "seeded"))
);
CREATE INDEX "underwriting_policy_versions_effective_idx" ON "underwriting_policy_versions"("policy_id", "effective_from") WHERE "status" = 'approved';

-- One automated decision per application and checks run, with everything needed to replay it.
CREATE TABLE "underwriting_decisions" (
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "policy_id" UUID NOT NULL,
    "policy_version" INTEGER NOT NULL,
    "model_version" TEXT NOT NULL,
    "as_of" DATE NOT NULL,
    "features" JSONB NOT NULL,
    "evaluation" JSONB NOT NULL,
    "scorecard" JSONB NOT NULL,
    "reasons" JSONB NOT NULL,
    "offer" JSONB,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "underwriting_decisions_pkey" PRIMARY KEY ("application_id", "checks_run"),
    CONSTRAINT "underwriting_decisions_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT,
    CONSTRAINT "underwriting_decisions_policy_fkey" FOREIGN KEY ("policy_id", "policy_version") REFERENCES "underwriting_policy_versions"("policy_id", "version") ON DELETE RESTRICT,
    CONSTRAINT "underwriting_decisions_outcome_check" CHECK ("outcome" IN ('approve', 'decline', 'refer'))
);
CREATE INDEX "underwriting_decisions_tenant_id_decided_at_idx" ON "underwriting_decisions"("tenant_id", "decided_at");
