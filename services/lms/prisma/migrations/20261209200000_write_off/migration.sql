-- Write-off on demand (POST /v1/loans/{id}/write-off) is a money event of its own without an amount: the loan
-- engine charges the loan off at the end of its value date. Its `reason` is the operator's reason, its
-- `reference` the maturity option ('accelerate' or 'keep-maturity'). Undone by a reversal targeting it
-- (POST /v1/loans/{id}/write-off/undo).
-- The kind list grows by this kind whatever kinds other migrations added before it: the constraint is
-- rebuilt from the values it allows now.
DO $$
DECLARE
  kinds TEXT[];
BEGIN
  SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO kinds
  FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
  WHERE c.conname = 'loan_transactions_kind_check' AND c.conrelid = 'loan_transactions'::regclass;
  IF NOT ('write-off' = ANY (kinds)) THEN
    kinds := kinds || ARRAY['write-off'];
  END IF;
  ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_kind_check";
  EXECUTE format('ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_kind_check" CHECK ("kind" IN (%s))',
    (SELECT string_agg(quote_literal(k), ', ') FROM unnest(kinds) AS k));
END $$;

-- A write-off moves no money of its own: no amount (what it writes off is the engine's), no target. A restructure
-- may have none either (its migration, 20261209100000_restructure: nothing capitalised); this keeps that.
ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_amount_check";
ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_amount_check" CHECK (
  ("kind" = 'reversal' AND "amount_minor" IS NULL AND "target_id" IS NOT NULL)
  OR ("kind" IN ('write-off', 'restructure') AND "amount_minor" IS NULL AND "target_id" IS NULL)
  OR ("kind" <> 'reversal' AND "kind" <> 'write-off' AND "amount_minor" > 0)
);
