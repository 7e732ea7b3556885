-- A quiet loan-day (end of day: nothing happens to the loan but its scheduled accrual) changes five values of
-- the servicing JSON: the snapshot's asOf, interestReceivable and accruedInPeriod, the state's asOf and
-- interestAccrued. Rewriting them in place decompressed, patched and compressed both JSON values of every
-- such loan every day. They are kept in columns instead, beside the JSON they overlay:
--   quiet_interest_minor     interest accrued on quiet days since the JSON was last written (added to the
--                            snapshot's interestReceivable and the state's interestAccrued);
--   quiet_accrued_in_period  the current period's cumulative accrual after the last quiet day (replaces the
--                            snapshot's accruedInPeriod); NULL: no quiet day since the JSON was written, which
--                            is then current as it stands.
-- With the overlay, as_of is the JSON's asOf. Every write of the JSON (the engine's) folds the overlay in and
-- resets both columns. Readers take the JSON through servicing_snapshot / servicing_state below.
ALTER TABLE "loan_servicing"
  ADD COLUMN "quiet_interest_minor" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "quiet_accrued_in_period" BIGINT,
  ADD CONSTRAINT "loan_servicing_quiet_check" CHECK ("quiet_interest_minor" >= 0 AND ("quiet_accrued_in_period" IS NOT NULL OR "quiet_interest_minor" = 0));

-- The engine snapshot as of as_of: the stored JSON with the quiet days folded in.
CREATE FUNCTION "servicing_snapshot"(snapshot JSONB, as_of DATE, quiet_interest BIGINT, quiet_accrued_in_period BIGINT) RETURNS JSONB
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN quiet_accrued_in_period IS NULL OR snapshot IS NULL THEN snapshot ELSE
    jsonb_set(jsonb_set(jsonb_set(snapshot, '{asOf}', to_jsonb(as_of - DATE '1970-01-01')),
      '{scalars,interestReceivable}', to_jsonb(((snapshot #>> '{scalars,interestReceivable}')::bigint + quiet_interest)::text)),
      '{scalars,accruedInPeriod}', to_jsonb(quiet_accrued_in_period::text)) END
$$;

-- The servicing state as of as_of: the stored JSON with the quiet days folded in.
CREATE FUNCTION "servicing_state"(state JSONB, as_of DATE, quiet_interest BIGINT, quiet_accrued_in_period BIGINT) RETURNS JSONB
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN quiet_accrued_in_period IS NULL OR state IS NULL THEN state ELSE
    jsonb_set(jsonb_set(state, '{asOf}', to_jsonb(to_char(as_of, 'YYYY-MM-DD'))),
      '{balances,interestAccrued}', to_jsonb(((state #>> '{balances,interestAccrued}')::bigint + quiet_interest)::text)) END
$$;
