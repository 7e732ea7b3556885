-- The latest flag the LMS's collector raised on a loan (CollectionsFlagRaised v2, v1 upcast): bounced-twice,
-- promise-broken, dpd-rising or npa-risk (with the early-warning probability and model it acted on). Merged
-- like the other facts: the flag of the later business date wins (modules/borrower-profile, mergeLoanFacts).
ALTER TABLE repayment_loans
  ADD COLUMN collections_flag_on date,
  ADD COLUMN collections_flag text,
  ADD COLUMN collections_flag_probability numeric(5, 4),
  ADD COLUMN collections_flag_model text;
