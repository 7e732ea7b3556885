-- Regulatory and management reports (modules/reports): the loan-portfolio balance of every loan as of a
-- date reads journal lines by tenant, logical account and value date; the index covers the columns summed.
CREATE INDEX IF NOT EXISTS "journal_lines_report_idx" ON "journal_lines" ("tenant_id", "logical_account", "value_date") INCLUDE ("loan_id", "side", "amount_minor", "currency", "scale");
