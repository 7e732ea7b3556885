-- Partner access: API keys (only the SHA-256 digest of each secret) and the service's own token-signing keys
-- (ES256; the private JWK sealed with AES-256-GCM under a key derived from the deployment's token secret).
CREATE TABLE api_keys (
  id                    text PRIMARY KEY,
  tenant_id             text NOT NULL,
  name                  text NOT NULL,
  scopes                text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'submit', 'service']),
  rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute > 0),
  secret_sha256         bytea NOT NULL CHECK (length(secret_sha256) = 32),
  created_by            text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  expires_at            timestamptz,
  revoked_at            timestamptz,
  revoked_by            text,
  last_used_at          timestamptz,
  idempotency_key       text,
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at DESC, id DESC);

CREATE TABLE signing_keys (
  kid                text PRIMARY KEY,
  alg                text NOT NULL,
  public_jwk         jsonb NOT NULL,
  private_jwk_sealed bytea NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at         timestamptz
);
