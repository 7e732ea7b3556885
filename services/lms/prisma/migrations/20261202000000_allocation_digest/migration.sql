-- md5 of the stored allocation's JSON as servicing wrote it: a replay compares the splits it computed
-- with these digests and rewrites only the repayments whose split changed (NULL: not yet known, so
-- the next replay writes it).
ALTER TABLE "loan_transactions" ADD COLUMN "allocation_digest" TEXT;
