-- The latest NPA early warning the LMS raised on a loan (LoanEarlyWarningRaised): merged like the other facts,
-- the one of the later business date wins (modules/borrower-profile, mergeLoanFacts).
ALTER TABLE repayment_loans
  ADD COLUMN early_warning_on date,
  ADD COLUMN early_warning_probability numeric(5, 4),
  ADD COLUMN early_warning_model text;
