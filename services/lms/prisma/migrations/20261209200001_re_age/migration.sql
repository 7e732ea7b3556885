-- Re-aging (POST /v1/loans/{id}/re-age) is a money event of its own without an amount: the loan engine moves
-- the arrears to installments appended at the end of the schedule (kept as a new schedule version). Its
-- `reason` is the operator's. Undone by a reversal targeting it (POST /v1/loans/{id}/re-age/undo) while it is
-- the loan's latest transaction. The kind list is rebuilt from what it allows now (kinds added before stay).
DO $$
DECLARE
  kinds TEXT[];
BEGIN
  SELECT array_agg(DISTINCT m[1] ORDER BY m[1]) INTO kinds
  FROM pg_constraint c, regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g') AS m
  WHERE c.conname = 'loan_transactions_kind_check' AND c.conrelid = 'loan_transactions'::regclass;
  IF NOT ('re-age' = ANY (kinds)) THEN
    kinds := kinds || ARRAY['re-age'];
  END IF;
  ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_kind_check";
  EXECUTE format('ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_kind_check" CHECK ("kind" IN (%s))',
    (SELECT string_agg(quote_literal(k), ', ') FROM unnest(kinds) AS k));
END $$;

-- A re-age, like a write-off, has no amount and no target (a restructure may have none either).
ALTER TABLE "loan_transactions" DROP CONSTRAINT "loan_transactions_amount_check";
ALTER TABLE "loan_transactions" ADD CONSTRAINT "loan_transactions_amount_check" CHECK (
  ("kind" = 'reversal' AND "amount_minor" IS NULL AND "target_id" IS NOT NULL)
  OR ("kind" IN ('write-off', 'restructure', 're-age') AND "amount_minor" IS NULL AND "target_id" IS NULL)
  OR ("kind" NOT IN ('reversal', 'write-off', 're-age') AND "amount_minor" > 0)
);
