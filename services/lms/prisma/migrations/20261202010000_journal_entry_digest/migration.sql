-- Each original entry carries its effect's digest (first 64 bits of md5 of key, value date, kind and
-- lines, computed by the writer): a replay sums them per month of value date and compares with its own
-- effects, reading in full only the months that differ. Entries posted before this column have NULL,
-- which makes their month compare in full (correct, only slower); contra-entries have NULL.
ALTER TABLE "journal_entries" ADD COLUMN "digest" BIGINT;

-- The same (loan, value date) index, now covering what that sum needs, so it reads no heap page of
-- an all-visible table. Replaced, not added: end of day inserts into one index fewer than two.
DROP INDEX "journal_entries_loan_id_value_date_idx";
CREATE INDEX "journal_entries_loan_id_value_date_idx" ON "journal_entries"("loan_id", "value_date") INCLUDE ("reverses", "reversed_by", "digest");
