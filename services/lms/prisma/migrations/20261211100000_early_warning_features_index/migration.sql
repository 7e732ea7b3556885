-- The early-warning re-score reads, for every loan each day, its principal, disbursement, write-off and
-- collection lines (modules/early-warning/adapters/pg-features.queries.ts). Through (loan_id, value_date) it
-- also visited every daily accrual line of the loan — on a year-old loan some 730 of its ~770 lines — one heap
-- fetch each. This index holds only the three accounts the features read, with what they sum, so the read is
-- an index scan over a loan's disbursement, repayment and write-off lines alone; the day's accrual lines
-- (the bulk of end of day's inserts) do not enter it.
CREATE INDEX "journal_lines_features_idx" ON "journal_lines" ("loan_id", "value_date") INCLUDE ("logical_account", "side", "amount_minor")
  WHERE "logical_account" IN ('loan-portfolio', 'write-off-expense', 'collection-clearing');
