-- Portfolio snapshots (modules/portfolio): the dashboard's aggregates of one tenant's book as of one business
-- date, written set-based at the close of that day (and by `pnpm -s lms portfolio-snapshot` for past dates),
-- so GET /v1/portfolio/* reads a few hundred rows instead of re-summing the journal. Each day's rows are
-- rewritten whole, in one transaction, when the day is written again.

-- That a day was written, when, and what its roll step starts from (the month end before its month, when
-- that month end's per-loan rows exist; null: no roll step, the roll-rate route computes it live).
CREATE TABLE portfolio_snapshots (
  tenant_id   TEXT NOT NULL,
  as_of       DATE NOT NULL,
  loans       INTEGER NOT NULL,
  month_end   BOOLEAN NOT NULL,
  roll_from   DATE,
  written_at  TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, as_of)
);

-- Loans and principal by currency × product × region × state, per bucket set (the live bookAt's rows).
CREATE TABLE portfolio_snapshot_cells (
  tenant_id        TEXT NOT NULL,
  as_of            DATE NOT NULL,
  bucket_set       TEXT NOT NULL CHECK (bucket_set IN ('us', 'rbi')),
  currency         TEXT NOT NULL,
  scale            INTEGER NOT NULL,
  product_code     TEXT NOT NULL,
  region           TEXT NOT NULL,
  state            TEXT NOT NULL,
  loans            INTEGER NOT NULL,
  principal_minor  BIGINT NOT NULL,
  over90_minor     BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, as_of, bucket_set, currency, product_code, region, state)
);

-- Each loan's state and principal at a month end: what the next month's roll steps start from.
CREATE TABLE portfolio_snapshot_loans (
  tenant_id        TEXT NOT NULL,
  as_of            DATE NOT NULL,
  loan_id          TEXT NOT NULL,
  currency         TEXT NOT NULL,
  scale            INTEGER NOT NULL,
  us_state         TEXT NOT NULL,
  rbi_state        TEXT NOT NULL,
  principal_minor  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, as_of, loan_id)
);

-- Principal moving from each state at roll_from to each state at as_of (the live transitions' rows).
CREATE TABLE portfolio_snapshot_rolls (
  tenant_id        TEXT NOT NULL,
  as_of            DATE NOT NULL,
  from_date        DATE NOT NULL,
  bucket_set       TEXT NOT NULL CHECK (bucket_set IN ('us', 'rbi')),
  currency         TEXT NOT NULL,
  scale            INTEGER NOT NULL,
  from_state       TEXT NOT NULL,
  to_state         TEXT NOT NULL,
  principal_minor  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, as_of, bucket_set, currency, from_state, to_state)
);

-- Loans and disbursed principal by currency × cohort × the month they first reached threshold_dpd (the live cohorts' rows).
CREATE TABLE portfolio_snapshot_cohorts (
  tenant_id        TEXT NOT NULL,
  as_of            DATE NOT NULL,
  threshold_dpd    INTEGER NOT NULL CHECK (threshold_dpd IN (30, 60, 90)),
  currency         TEXT NOT NULL,
  scale            INTEGER NOT NULL,
  cohort           TEXT NOT NULL,
  reached_month    TEXT NOT NULL,
  loans            INTEGER NOT NULL,
  disbursed_minor  BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, as_of, threshold_dpd, currency, cohort, reached_month)
);
