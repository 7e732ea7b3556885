-- Every change an admin makes to a tenant's approval limits or creditor profile (PUT /v1/approval-limits/…,
-- PUT /v1/creditor-profile): who, when, the value before and after. decision_audit is per application, so
-- these have their own log; append-only like it (updates, deletes and truncation are refused by the table).
CREATE TABLE "review_settings_audit" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "setting" TEXT NOT NULL,
    "setting_key" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "previous" JSONB,
    "current" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "review_settings_audit_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "review_settings_audit_setting_check" CHECK ("setting" IN ('approval-limit', 'creditor-profile'))
);
CREATE INDEX "review_settings_audit_tenant_idx" ON "review_settings_audit"("tenant_id", "id");
CREATE FUNCTION "review_settings_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'review_settings_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "review_settings_audit_no_update" BEFORE UPDATE OR DELETE ON "review_settings_audit" FOR EACH ROW EXECUTE FUNCTION "review_settings_audit_append_only"();
CREATE TRIGGER "review_settings_audit_no_truncate" BEFORE TRUNCATE ON "review_settings_audit" FOR EACH STATEMENT EXECUTE FUNCTION "review_settings_audit_append_only"();
