-- Collections acts on the NPA early warning (modules/collections): an npa-risk flag keeps the score it acted on,
-- and each queue case carries its loan's latest early-warning probability, so the queue sorts and filters by it
-- with keyset paging on an index (end of day's re-score keeps it current: early-warning/pg-early-warning.repository.ts).
ALTER TABLE "collections_flags"
    ADD COLUMN "probability" NUMERIC(5, 4),
    ADD COLUMN "model" TEXT,
    ADD COLUMN "top_factors" JSONB;

ALTER TABLE "collections_cases"
    ADD COLUMN "early_warning_probability" NUMERIC(5, 4),
    ADD COLUMN "early_warning_on" DATE,
    ADD CONSTRAINT "collections_cases_early_warning_check" CHECK ("early_warning_probability" IS NULL OR ("early_warning_probability" >= 0 AND "early_warning_probability" <= 1));

UPDATE "collections_cases" c
   SET "early_warning_probability" = round(e.probability::numeric, 4), "early_warning_on" = e.as_of
  FROM (SELECT DISTINCT ON (loan_id) loan_id, probability, as_of FROM "early_warning_scores" ORDER BY loan_id, as_of DESC) e
 WHERE e.loan_id = c.loan_id;

-- The queue by early warning: riskiest first, unscored last (-1), then loan id (the keyset).
CREATE INDEX "collections_cases_early_warning_idx" ON "collections_cases" ("tenant_id", "status", (COALESCE("early_warning_probability", -1)) DESC, "loan_id");
