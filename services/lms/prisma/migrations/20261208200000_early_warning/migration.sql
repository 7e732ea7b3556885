-- NPA early warning (modules/early-warning): each loan's probability of reaching 90+ days past due within
-- 90 days, scored at end of day per business date by the committed model, with its factor contributions.
CREATE TABLE early_warning_scores (
  tenant_id      TEXT NOT NULL,
  loan_id        TEXT NOT NULL,
  as_of          DATE NOT NULL,
  model_version  TEXT NOT NULL,
  probability    DOUBLE PRECISION NOT NULL CHECK (probability >= 0 AND probability <= 1),
  logit          DOUBLE PRECISION NOT NULL,
  flagged        BOOLEAN NOT NULL,
  dpd            INTEGER NOT NULL,
  features       JSONB NOT NULL,
  contributions  JSONB NOT NULL,
  scored_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (loan_id, as_of)
);
-- The portfolio list: a tenant's scores at a date, riskiest first, keyset-paged on (probability, loan_id).
CREATE INDEX early_warning_scores_list_idx ON early_warning_scores (tenant_id, as_of, probability DESC, loan_id);
