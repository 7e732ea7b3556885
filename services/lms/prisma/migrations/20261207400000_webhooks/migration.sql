-- Partner webhooks (the shared engine in @lendstack/platform webhooks/; both services migrate these alike).
-- Subscriptions per tenant with their whsec_ secret (and the previous one for a day after a rotation);
-- one delivery per (subscription, event id), delivered in seq order per (subscription, aggregate);
-- every attempt logged; replays keyed by the tenant's Idempotency-Key.
CREATE TABLE webhook_subscriptions (
  id                         uuid PRIMARY KEY,
  tenant_id                  text NOT NULL,
  url                        text NOT NULL,
  description                text,
  event_types                text[] NOT NULL DEFAULT '{}',
  timeout_ms                 integer NOT NULL CHECK (timeout_ms BETWEEN 100 AND 60000),
  secret                     text NOT NULL CHECK (secret LIKE 'whsec\_%'),
  previous_secret            text,
  previous_secret_expires_at timestamptz,
  secret_rotated_at          timestamptz,
  rotation_key               text,
  created_at                 timestamptz NOT NULL DEFAULT now(),
  disabled_at                timestamptz,
  idempotency_key            text,
  request_hash               text,
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX webhook_subscriptions_by_tenant ON webhook_subscriptions (tenant_id, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY,
  seq              bigint GENERATED ALWAYS AS IDENTITY,
  subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions (id),
  tenant_id        text NOT NULL,
  event_id         uuid NOT NULL,
  event_type       text NOT NULL,
  aggregate_id     text NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending', 'delivering', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  round_attempts   integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz,
  locked_until     timestamptz,
  last_status_code integer,
  last_error       text,
  delivered_at     timestamptz,
  dead_at          timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE UNIQUE INDEX webhook_deliveries_seq ON webhook_deliveries (seq);
-- The dispatcher's claim: due pending rows and expired leases, oldest first.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (locked_until) WHERE status = 'delivering';
-- The ordering check: an earlier unfinished delivery of the same aggregate.
CREATE INDEX webhook_deliveries_open_by_aggregate ON webhook_deliveries (subscription_id, aggregate_id, seq) WHERE status IN ('pending', 'delivering');
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (tenant_id, subscription_id, created_at DESC, id DESC);

CREATE TABLE webhook_attempts (
  id          uuid PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
  attempt     integer NOT NULL,
  started_at  timestamptz NOT NULL,
  latency_ms  integer,
  status_code integer,
  error       text,
  UNIQUE (delivery_id, attempt)
);

CREATE TABLE webhook_replays (
  tenant_id       text NOT NULL,
  idempotency_key text NOT NULL,
  delivery_id     uuid NOT NULL REFERENCES webhook_deliveries (id),
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, idempotency_key)
);
