-- The automated decision drives the application: approve → policy-approved (passed policy, awaiting its
-- offer), refer → referred (in the review queue), decline → declined. Referrals and overrides of a policy
-- decline are decided by maker-checker: an operator recommends, a second person decides.
ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("status" IN ('draft', 'submitted', 'checks-running', 'checks-complete', 'checks-exception', 'policy-approved', 'referred', 'approved', 'declined', 'booking-failed'));

-- One review per application and checks run: a referral (opened by the automated decision) or an override
-- of a policy decline (opened by the maker's recommendation). The checker is never the maker.
CREATE TABLE "application_reviews" (
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "product_code" TEXT NOT NULL,
    "principal_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "reasons" JSONB NOT NULL,
    "opened_at" TIMESTAMPTZ(3) NOT NULL,
    "recommended_by" TEXT,
    "recommendation" TEXT,
    "recommendation_comment" TEXT,
    "recommended_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,
    "decided_role" TEXT,
    "decision" TEXT,
    "decision_comment" TEXT,
    "override_reason" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    CONSTRAINT "application_reviews_pkey" PRIMARY KEY ("application_id", "checks_run"),
    CONSTRAINT "application_reviews_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT,
    CONSTRAINT "application_reviews_kind_check" CHECK ("kind" IN ('referral', 'override')),
    CONSTRAINT "application_reviews_recommendation_check" CHECK ("recommendation" IS NULL OR "recommendation" IN ('approve', 'decline')),
    CONSTRAINT "application_reviews_decision_check" CHECK ("decision" IS NULL OR "decision" IN ('approve', 'decline')),
    CONSTRAINT "application_reviews_recommended_check" CHECK (("recommended_by" IS NULL) = ("recommendation" IS NULL) AND ("recommendation" IS NULL) = ("recommended_at" IS NULL)),
    CONSTRAINT "application_reviews_decided_check" CHECK (("decided_by" IS NULL) = ("decision" IS NULL) AND ("decision" IS NULL) = ("decided_at" IS NULL)),
    -- Maker-checker: a decision needs a recommendation, and its checker is a different person.
    CONSTRAINT "application_reviews_checker_check" CHECK ("decided_by" IS NULL OR ("recommended_by" IS NOT NULL AND "decided_by" <> "recommended_by")),
    -- Approving against a policy decline is an override and says why.
    CONSTRAINT "application_reviews_override_check" CHECK ("kind" <> 'override' OR "decision" IS DISTINCT FROM 'approve' OR "override_reason" IS NOT NULL)
);
CREATE INDEX "application_reviews_queue_idx" ON "application_reviews"("tenant_id", "opened_at", "application_id") WHERE "decided_at" IS NULL;

-- Who may approve what: the largest principal a role may approve, per tenant and currency (data, not code).
CREATE TABLE "approval_limits" (
    "tenant_id" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "max_principal_minor" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "approval_limits_pkey" PRIMARY KEY ("tenant_id", "role", "currency"),
    CONSTRAINT "approval_limits_role_check" CHECK ("role" IN ('operator', 'approver', 'admin')),
    CONSTRAINT "approval_limits_amount_check" CHECK ("max_principal_minor" >= 0)
);

-- The creditor named on a tenant's notices (Reg B 1002.9(a)(2): the creditor's name and address, and the
-- federal agency that administers its compliance) and the bureau it pulls reports from (FCRA 615(a): the
-- agency's name, address and telephone number, and the range of the score it furnishes).
CREATE TABLE "creditor_profiles" (
    "tenant_id" TEXT NOT NULL,
    "legal_name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "contact" TEXT NOT NULL,
    "agency_name" TEXT NOT NULL,
    "agency_address" TEXT NOT NULL,
    "bureau_name" TEXT NOT NULL,
    "bureau_address" TEXT NOT NULL,
    "bureau_phone" TEXT NOT NULL,
    "score_min" INTEGER NOT NULL,
    "score_max" INTEGER NOT NULL,
    CONSTRAINT "creditor_profiles_pkey" PRIMARY KEY ("tenant_id"),
    CONSTRAINT "creditor_profiles_score_range_check" CHECK ("score_min" < "score_max")
);

-- Every step of a decision: automated decisions, recommendations, checker decisions, overrides, manual
-- approvals and declines, notices. Append-only: updates and deletes are refused by the table itself.
CREATE TABLE "decision_audit" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "detail" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "decision_audit_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "decision_audit_application_idx" ON "decision_audit"("tenant_id", "application_id", "id");
CREATE FUNCTION "decision_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'decision_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "decision_audit_no_update" BEFORE UPDATE OR DELETE ON "decision_audit" FOR EACH ROW EXECUTE FUNCTION "decision_audit_append_only"();
CREATE TRIGGER "decision_audit_no_truncate" BEFORE TRUNCATE ON "decision_audit" FOR EACH STATEMENT EXECUTE FUNCTION "decision_audit_append_only"();

-- The adverse-action notice of a declined application's checks run: the PDF as generated, its hash and
-- the content it was drawn from.
CREATE TABLE "adverse_action_notices" (
    "application_id" UUID NOT NULL,
    "checks_run" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "pdf" BYTEA NOT NULL,
    "pdf_sha256" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "adverse_action_notices_pkey" PRIMARY KEY ("application_id", "checks_run"),
    CONSTRAINT "adverse_action_notices_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT
);
