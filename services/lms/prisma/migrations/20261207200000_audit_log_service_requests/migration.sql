-- The LMS audit log (modules/audit): servicing actions and configuration changes, append-only and
-- hash-chained per tenant (the encoding of @lendstack/platform audit-chain). appendAudit writes each
-- row with its link in the writer's transaction; `pnpm -s lms audit verify` recomputes every hash.
CREATE TABLE "audit_log" (
    "tenant_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    -- `<kind>/<id>` of what changed: loan/L1, product/PL, business-date/T, service-request/<uuid>.
    "subject" TEXT NOT NULL,
    "request_id" TEXT NOT NULL DEFAULT '',
    -- {"before": …, "after": …}; hashed as PostgreSQL prints it (detail::text).
    "detail" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("tenant_id", "seq"),
    CONSTRAINT "audit_log_id_key" UNIQUE ("id"),
    CONSTRAINT "audit_log_seq_check" CHECK ("seq" > 0),
    CONSTRAINT "audit_log_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$')
);
CREATE INDEX "audit_log_subject_idx" ON "audit_log"("tenant_id", "subject", "seq");

-- Each tenant's last link; writers take it FOR UPDATE, so seq is gap-free and in commit order.
CREATE TABLE "audit_chain_heads" (
    "tenant_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_chain_heads_pkey" PRIMARY KEY ("tenant_id")
);

-- Append-only: no client updates or deletes a row (the chain still catches one done around this, e.g.
-- by a superuser with session_replication_role = replica, which is what the tamper test does).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Service requests (modules/service-requests): a customer query per loan and its history.
CREATE TABLE "service_requests" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    CONSTRAINT "service_requests_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "service_requests_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "service_requests_type_check" CHECK ("type" IN ('foreclosure-request', 'dispute', 'address-change', 'statement-request', 'other')),
    CONSTRAINT "service_requests_status_check" CHECK ("status" IN ('open', 'in-progress', 'resolved', 'rejected'))
);
CREATE UNIQUE INDEX "service_requests_idempotency_key" ON "service_requests"("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
CREATE INDEX "service_requests_list_idx" ON "service_requests"("tenant_id", "seq");
CREATE INDEX "service_requests_loan_idx" ON "service_requests"("loan_id", "seq");

CREATE TABLE "service_request_events" (
    "request_id" UUID NOT NULL,
    "no" INTEGER NOT NULL,
    "from_status" TEXT,
    "to_status" TEXT NOT NULL,
    "note" TEXT,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT,
    CONSTRAINT "service_request_events_pkey" PRIMARY KEY ("request_id", "no"),
    CONSTRAINT "service_request_events_request_fkey" FOREIGN KEY ("request_id") REFERENCES "service_requests"("id") ON DELETE RESTRICT ON UPDATE RESTRICT
);
CREATE UNIQUE INDEX "service_request_events_idempotency_key" ON "service_request_events"("request_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL;
