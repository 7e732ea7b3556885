-- Restructuring with maker ≠ checker (POST /v1/loans/{id}/restructure, …/approve, …/reject). A proposal keeps
-- what was asked, the exact schedule it would put in force (the preview the checker approves) and the loan's
-- last transaction when it was made: a later transaction makes it stale. On approval the restructure is a
-- money event of its own (kind `restructure`, value date = the effective date, `reason` = capitalise |
-- keep-arrears, amount = the principal of the new schedule) and the loan is flagged.
-- The kind list grows by this kind whatever kinds other migrations added before it (rebuilt from the values it
-- allows now).
DO $$
DECLARE
  kinds TEXT[];
BEGIN
  SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO kinds
  FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
  WHERE c.conname = 'loan_transactions_kind_check' AND c.conrelid = 'loan_transactions'::regclass;
  IF NOT ('restructure' = ANY (kinds)) THEN
    kinds := kinds || ARRAY['restructure'];
  END IF;
  ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_kind_check";
  EXECUTE format('ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_kind_check" CHECK ("kind" IN (%s))',
    (SELECT string_agg(quote_literal(k), ', ') FROM unnest(kinds) AS k));
END $$;

CREATE TABLE "restructure_proposals" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "effective_date" DATE NOT NULL,
    "annual_rate_percent" TEXT NOT NULL,
    "installments" INTEGER NOT NULL,
    "moratorium_installments" INTEGER NOT NULL,
    "capitalise_arrears" BOOLEAN NOT NULL,
    "note" TEXT,
    -- The preview: new principal, what is capitalised, the new installments and the engine terms producing them.
    "preview" JSONB NOT NULL,
    -- max(seq) of the loan's transactions when proposed: any later transaction makes the proposal stale.
    "basis_seq" BIGINT NOT NULL,
    "proposed_by" TEXT NOT NULL,
    "proposed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "decision_note" TEXT,
    "decision_idempotency_key" TEXT,
    "decision_request_hash" TEXT,
    "transaction_id" UUID,
    CONSTRAINT "restructure_proposals_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "restructure_proposals_loan_fkey" FOREIGN KEY ("loan_id") REFERENCES "loan_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "restructure_proposals_status_check" CHECK ("status" IN ('proposed', 'approved', 'rejected')),
    CONSTRAINT "restructure_proposals_decided_check" CHECK (("status" = 'proposed') = ("decided_by" IS NULL)),
    -- Maker ≠ checker, whatever writes the row.
    CONSTRAINT "restructure_proposals_maker_checker" CHECK ("decided_by" IS NULL OR "decided_by" <> "proposed_by")
);
CREATE UNIQUE INDEX "restructure_proposals_idempotency_idx" ON "restructure_proposals"("tenant_id", "idempotency_key");
CREATE INDEX "restructure_proposals_loan_idx" ON "restructure_proposals"("loan_id", "proposed_at");
-- The checkers' queue: a tenant's open proposals, oldest first, keyset paged.
CREATE INDEX "restructure_proposals_queue_idx" ON "restructure_proposals"("tenant_id", "proposed_at", "id") WHERE "status" = 'proposed';

-- The loan is a restructured account from this date (RBI: restructured standard account; US: troubled-debt
-- modification); reports as of a date read it against that date.
ALTER TABLE "loan_accounts" ADD COLUMN "restructured_on" DATE;
