-- The audit trails as one hash chain per tenant (modules/audit/domain/chain.ts says why per tenant and
-- holds the same encoding in TypeScript; `pnpm -s los audit verify` recomputes it). Every entry of
-- decision_audit, review_settings_audit and the new policy_change_audit gets one link in audit_chain:
-- seq (1, 2, … per tenant, no gaps), prev_hash (the hash of seq − 1; 64 zeros for seq 1) and
-- hash = SHA-256 of the canonical encoding of (format, tenant, seq, prev_hash, source, source id, at,
-- actor, action, subject, checks run, detail), each field as `<byte length>:<value>\n`; detail is the
-- entry's jsonb as PostgreSQL prints it (keys in jsonb's fixed order, no duplicates).
--
-- Links are made by DEFERRED constraint triggers, so they run at COMMIT, after every other statement of
-- the writing transaction: the tenant's head row (audit_chain_heads) is the last lock a transaction takes,
-- and is held only while its commit runs; seq follows commit order. Whatever path inserts an entry (the
-- review repository's audit(), the applications store's Prisma client, a psql session) is chained.

-- Policy changes as append-only entries: underwriting_policy_versions is updated in place when a draft is
-- approved, so its rows cannot be hashed once; these rows record each change as it happened.
CREATE TABLE "policy_change_audit" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "policy_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "detail" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "policy_change_audit_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "policy_change_audit_action_check" CHECK ("action" IN ('policy-version-drafted', 'policy-version-seeded', 'policy-version-approved', 'policy-version-changed'))
);
CREATE INDEX "policy_change_audit_tenant_idx" ON "policy_change_audit"("tenant_id", "id");
CREATE FUNCTION "policy_change_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'policy_change_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "policy_change_audit_no_update" BEFORE UPDATE OR DELETE ON "policy_change_audit" FOR EACH ROW EXECUTE FUNCTION "policy_change_audit_append_only"();
CREATE TRIGGER "policy_change_audit_no_truncate" BEFORE TRUNCATE ON "policy_change_audit" FOR EACH STATEMENT EXECUTE FUNCTION "policy_change_audit_append_only"();

-- One link per audit entry. (source, source_id) names the entry: 'decision' → decision_audit.id,
-- 'review-settings' → review_settings_audit.id, 'policy' → policy_change_audit.id.
CREATE TABLE "audit_chain" (
    "tenant_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "source" TEXT NOT NULL,
    "source_id" BIGINT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_chain_pkey" PRIMARY KEY ("tenant_id", "seq"),
    CONSTRAINT "audit_chain_source_check" CHECK ("source" IN ('decision', 'review-settings', 'policy')),
    CONSTRAINT "audit_chain_seq_check" CHECK ("seq" >= 1),
    CONSTRAINT "audit_chain_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$' AND "prev_hash" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "audit_chain_source_key" ON "audit_chain"("source", "source_id");
CREATE FUNCTION "audit_chain_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_chain is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_chain_no_update" BEFORE UPDATE OR DELETE ON "audit_chain" FOR EACH ROW EXECUTE FUNCTION "audit_chain_append_only"();
CREATE TRIGGER "audit_chain_no_truncate" BEFORE TRUNCATE ON "audit_chain" FOR EACH STATEMENT EXECUTE FUNCTION "audit_chain_append_only"();

-- The newest link of each tenant's chain. It only moves forward one link at a time, onto a link that
-- exists, and is never deleted; verify compares it with the last link it walked (a chain cut short at
-- its end is caught by it).
CREATE TABLE "audit_chain_heads" (
    "tenant_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_chain_heads_pkey" PRIMARY KEY ("tenant_id")
);
CREATE FUNCTION "audit_chain_heads_forward_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' THEN
    RAISE EXCEPTION 'audit_chain_heads rows are never removed (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.tenant_id <> OLD.tenant_id OR NEW.seq <> OLD.seq + 1
     OR NOT EXISTS (SELECT 1 FROM "audit_chain" c WHERE c.tenant_id = NEW.tenant_id AND c.seq = NEW.seq AND c.hash = NEW.hash) THEN
    RAISE EXCEPTION 'audit chain head of % moves one existing link forward only', OLD.tenant_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "audit_chain_heads_forward" BEFORE UPDATE OR DELETE ON "audit_chain_heads" FOR EACH ROW EXECUTE FUNCTION "audit_chain_heads_forward_only"();
CREATE TRIGGER "audit_chain_heads_no_truncate" BEFORE TRUNCATE ON "audit_chain_heads" FOR EACH STATEMENT EXECUTE FUNCTION "audit_chain_heads_forward_only"();

-- The canonical encoding (chain.ts canonicalEncoding is the same, byte for byte).
CREATE FUNCTION "audit_chain_field"(v TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT octet_length(COALESCE(v, ''))::text || ':' || COALESCE(v, '') || E'\n'
$$;
CREATE FUNCTION "audit_chain_hash"(p_tenant TEXT, p_seq BIGINT, p_prev TEXT, p_source TEXT, p_source_id BIGINT, p_at TIMESTAMPTZ, p_actor TEXT, p_action TEXT, p_subject TEXT, p_checks_run TEXT, p_detail TEXT)
RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(
    audit_chain_field('lendstack-audit-chain/1') || audit_chain_field(p_tenant) || audit_chain_field(p_seq::text) || audit_chain_field(p_prev)
    || audit_chain_field(p_source) || audit_chain_field(p_source_id::text) || audit_chain_field(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || audit_chain_field(p_actor) || audit_chain_field(p_action) || audit_chain_field(p_subject) || audit_chain_field(p_checks_run) || audit_chain_field(p_detail),
    'UTF8')), 'hex')
$$;

-- Appends one entry to its tenant's chain under the head's row lock (taken here, at commit).
CREATE FUNCTION "audit_chain_append"(p_tenant TEXT, p_source TEXT, p_source_id BIGINT, p_at TIMESTAMPTZ, p_actor TEXT, p_action TEXT, p_subject TEXT, p_checks_run TEXT, p_detail TEXT)
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
  head_seq BIGINT;
  head_hash TEXT;
  next_hash TEXT;
BEGIN
  SELECT seq, hash INTO head_seq, head_hash FROM "audit_chain_heads" WHERE tenant_id = p_tenant FOR UPDATE;
  IF NOT FOUND THEN
    -- A tenant's first entry: a concurrent first insert waits for the other's commit, then locks its row.
    INSERT INTO "audit_chain_heads" (tenant_id, seq, hash) VALUES (p_tenant, 0, repeat('0', 64)) ON CONFLICT (tenant_id) DO NOTHING;
    SELECT seq, hash INTO head_seq, head_hash FROM "audit_chain_heads" WHERE tenant_id = p_tenant FOR UPDATE;
  END IF;
  next_hash := audit_chain_hash(p_tenant, head_seq + 1, head_hash, p_source, p_source_id, p_at, p_actor, p_action, p_subject, p_checks_run, p_detail);
  INSERT INTO "audit_chain" (tenant_id, seq, source, source_id, prev_hash, hash) VALUES (p_tenant, head_seq + 1, p_source, p_source_id, head_hash, next_hash);
  UPDATE "audit_chain_heads" SET seq = head_seq + 1, hash = next_hash, updated_at = clock_timestamp() WHERE tenant_id = p_tenant;
END;
$$;

-- What each source contributes (the verifier in modules/audit/adapters/pg-audit-chain.ts reads the same).
CREATE FUNCTION "decision_audit_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM audit_chain_append(NEW.tenant_id, 'decision', NEW.id, NEW.at, NEW.actor, NEW.action, NEW.application_id::text, NEW.checks_run::text, NEW.detail::text);
  RETURN NULL;
END;
$$;
CREATE FUNCTION "review_settings_audit_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM audit_chain_append(NEW.tenant_id, 'review-settings', NEW.id, NEW.at, NEW.actor, NEW.setting, NEW.setting_key, '', jsonb_build_object('previous', NEW.previous, 'current', NEW.current)::text);
  RETURN NULL;
END;
$$;
CREATE FUNCTION "policy_change_audit_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM audit_chain_append(NEW.tenant_id, 'policy', NEW.id, NEW.at, NEW.actor, NEW.action, NEW.policy_id::text || '/' || NEW.version::text, '', NEW.detail::text);
  RETURN NULL;
END;
$$;

-- Each change of a policy version, as it happens (the underwriting module's code is unchanged).
CREATE FUNCTION "underwriting_policy_versions_audit"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  product TEXT;
  summary JSONB;
BEGIN
  SELECT product_code INTO product FROM "underwriting_policies" WHERE id = NEW.policy_id;
  summary := jsonb_build_object('productCode', product, 'documentSha256', NEW.document_sha256, 'status', NEW.status,
    'effectiveFrom', to_char(NEW.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'createdBy', NEW.created_by, 'seeded', NEW.seeded);
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "policy_change_audit" (tenant_id, policy_id, version, action, actor, detail, at)
    VALUES (NEW.tenant_id, NEW.policy_id, NEW.version, CASE WHEN NEW.seeded THEN 'policy-version-seeded' ELSE 'policy-version-drafted' END, NEW.created_by, summary, NEW.created_at);
  ELSIF OLD.status = 'draft' AND NEW.status = 'approved' AND NEW.document = OLD.document AND NEW.document_sha256 = OLD.document_sha256 AND NEW.effective_from = OLD.effective_from THEN
    INSERT INTO "policy_change_audit" (tenant_id, policy_id, version, action, actor, detail, at)
    VALUES (NEW.tenant_id, NEW.policy_id, NEW.version, 'policy-version-approved', COALESCE(NEW.approved_by, 'lendstack:seed'), summary, COALESCE(NEW.approved_at, now()));
  ELSE
    -- Not a change the LOS makes: recorded with the database role that made it.
    INSERT INTO "policy_change_audit" (tenant_id, policy_id, version, action, actor, detail, at)
    VALUES (NEW.tenant_id, NEW.policy_id, NEW.version, 'policy-version-changed', 'db:' || current_user, summary || jsonb_build_object('previousDocumentSha256', OLD.document_sha256, 'previousStatus', OLD.status), now());
  END IF;
  RETURN NULL;
END;
$$;

-- Backfill, before any trigger exists: the policy versions' history so far, then every existing entry
-- chained per tenant in time order (ties: decisions, settings, policies, then insertion order).
INSERT INTO "policy_change_audit" (tenant_id, policy_id, version, action, actor, detail, at)
SELECT e.tenant_id, e.policy_id, e.version, e.action, e.actor, e.detail, e.at FROM (
  SELECT v.tenant_id, v.policy_id, v.version, CASE WHEN v.seeded THEN 'policy-version-seeded' ELSE 'policy-version-drafted' END AS action, v.created_by AS actor, v.created_at AS at,
         jsonb_build_object('productCode', p.product_code, 'documentSha256', v.document_sha256, 'status', CASE WHEN v.seeded THEN 'approved' ELSE 'draft' END,
           'effectiveFrom', to_char(v.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'createdBy', v.created_by, 'seeded', v.seeded) AS detail
    FROM "underwriting_policy_versions" v JOIN "underwriting_policies" p ON p.id = v.policy_id
  UNION ALL
  SELECT v.tenant_id, v.policy_id, v.version, 'policy-version-approved', COALESCE(v.approved_by, 'lendstack:seed'), v.approved_at,
         jsonb_build_object('productCode', p.product_code, 'documentSha256', v.document_sha256, 'status', 'approved',
           'effectiveFrom', to_char(v.effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'createdBy', v.created_by, 'seeded', v.seeded)
    FROM "underwriting_policy_versions" v JOIN "underwriting_policies" p ON p.id = v.policy_id
   WHERE v.status = 'approved' AND NOT v.seeded
) e ORDER BY e.at, e.policy_id, e.version, e.action DESC;

DO $$
DECLARE e RECORD;
BEGIN
  FOR e IN
    SELECT * FROM (
      SELECT tenant_id, 'decision' AS source, 1 AS rank, id, at, actor, action, application_id::text AS subject, checks_run::text AS checks_run, detail::text AS detail FROM "decision_audit"
      UNION ALL
      SELECT tenant_id, 'review-settings', 2, id, at, actor, setting, setting_key, '', jsonb_build_object('previous', previous, 'current', current)::text FROM "review_settings_audit"
      UNION ALL
      SELECT tenant_id, 'policy', 3, id, at, actor, action, policy_id::text || '/' || version::text, '', detail::text FROM "policy_change_audit"
    ) entries ORDER BY tenant_id, at, rank, id
  LOOP
    PERFORM audit_chain_append(e.tenant_id, e.source, e.id, e.at, e.actor, e.action, e.subject, e.checks_run, e.detail);
  END LOOP;
END;
$$;

CREATE TRIGGER "underwriting_policy_versions_audit_insert" AFTER INSERT ON "underwriting_policy_versions" FOR EACH ROW EXECUTE FUNCTION "underwriting_policy_versions_audit"();
CREATE TRIGGER "underwriting_policy_versions_audit_update" AFTER UPDATE ON "underwriting_policy_versions" FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "underwriting_policy_versions_audit"();
CREATE CONSTRAINT TRIGGER "decision_audit_chain" AFTER INSERT ON "decision_audit" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "decision_audit_chain"();
CREATE CONSTRAINT TRIGGER "review_settings_audit_chain" AFTER INSERT ON "review_settings_audit" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "review_settings_audit_chain"();
CREATE CONSTRAINT TRIGGER "policy_change_audit_chain" AFTER INSERT ON "policy_change_audit" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "policy_change_audit_chain"();

-- The timeline reads an application's events from the outbox by their key (application id or loan id).
CREATE INDEX "outbox_key_idx" ON "outbox"("key");
