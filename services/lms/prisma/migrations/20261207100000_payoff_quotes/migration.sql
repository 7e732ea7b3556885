-- Payoff quotes (#7 item 1): what closes a loan on an as-of date, computed by the loan engine and kept
-- so a foreclosure can refer to it. Append-only; a repeated Idempotency-Key returns the stored quote.
CREATE TABLE payoff_quotes (
  id              TEXT        PRIMARY KEY,
  tenant_id       TEXT        NOT NULL,
  loan_id         TEXT        NOT NULL,
  as_of           DATE        NOT NULL,
  valid_until     DATE        NOT NULL,
  currency        TEXT        NOT NULL,
  scale           INTEGER     NOT NULL,
  total_minor     NUMERIC(38) NOT NULL CHECK (total_minor >= 0),
  parts           JSONB       NOT NULL,
  business_date   DATE        NOT NULL,
  idempotency_key TEXT,
  request_hash    TEXT        NOT NULL,
  created_by      TEXT        NOT NULL,
  created_at      TIMESTAMPTZ(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX payoff_quotes_idempotency ON payoff_quotes (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX payoff_quotes_loan_idx ON payoff_quotes (loan_id, as_of);
