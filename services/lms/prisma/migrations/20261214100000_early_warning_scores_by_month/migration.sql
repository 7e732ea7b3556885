-- early_warning_scores partitioned by month of as_of, so that old scores leave by dropping a month's partition (no
-- DELETE of a million rows a day, no vacuum after it): a day of a 1,000,000-loan book is about 470 MB of scores.
-- Partitions are named early_warning_scores_YYYYMM; scoring a date creates its month's partition first, and the
-- retention sweep drops the months before LMS_EARLY_WARNING_RETENTION_MONTHS
-- (early-warning/adapters/pg-score-partitions.ts). No DEFAULT partition: with one, a loan's latest score could
-- not be read partition by partition newest first (the planner's ordered Append), which the re-score's
-- "newly flagged" test and the collections queue rely on.
-- The rows already scored are moved once, month by month, into the new table.
ALTER TABLE "early_warning_scores" RENAME TO "early_warning_scores_unpartitioned";
ALTER INDEX "early_warning_scores_pkey" RENAME TO "early_warning_scores_unpartitioned_pkey";
ALTER INDEX "early_warning_scores_list_idx" RENAME TO "early_warning_scores_unpartitioned_list_idx";
ALTER TABLE "early_warning_scores_unpartitioned" RENAME CONSTRAINT "early_warning_scores_probability_check" TO "early_warning_scores_unpartitioned_probability_check";

CREATE TABLE "early_warning_scores" (
  tenant_id      TEXT NOT NULL,
  loan_id        TEXT NOT NULL,
  as_of          DATE NOT NULL,
  model_version  TEXT NOT NULL,
  probability    DOUBLE PRECISION NOT NULL CONSTRAINT "early_warning_scores_probability_check" CHECK (probability >= 0 AND probability <= 1),
  logit          DOUBLE PRECISION NOT NULL,
  flagged        BOOLEAN NOT NULL,
  dpd            INTEGER NOT NULL,
  features       JSONB NOT NULL,
  contributions  JSONB,
  scored_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT "early_warning_scores_pkey" PRIMARY KEY (loan_id, as_of)
) PARTITION BY RANGE (as_of);
-- The portfolio list: a tenant's scores at a date, riskiest first, keyset-paged on (probability, loan_id).
CREATE INDEX "early_warning_scores_list_idx" ON "early_warning_scores" (tenant_id, as_of, probability DESC, loan_id);

DO $$
DECLARE month date;
BEGIN
  FOR month IN SELECT DISTINCT date_trunc('month', as_of)::date FROM "early_warning_scores_unpartitioned" ORDER BY 1 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "early_warning_scores" FOR VALUES FROM (%L) TO (%L)',
                   'early_warning_scores_' || to_char(month, 'YYYYMM'), month, (month + interval '1 month')::date);
  END LOOP;
END $$;

INSERT INTO "early_warning_scores" SELECT tenant_id, loan_id, as_of, model_version, probability, logit, flagged, dpd, features, contributions, scored_at
  FROM "early_warning_scores_unpartitioned";
DROP TABLE "early_warning_scores_unpartitioned";
