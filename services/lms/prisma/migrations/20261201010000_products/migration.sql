-- Products (per tenant, owned by the LMS), versioned: a loan keeps the version it was booked with.
-- Each new version is written with its ProductPublished event on the outbox in one transaction.

-- One row per product code: the lock a new version takes, the latest version, and the stable
-- (created_at, id) key GET /v1/products pages by.
CREATE TABLE "products" (
    "tenant_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "latest_version" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "products_pkey" PRIMARY KEY ("tenant_id", "code"),
    CONSTRAINT "products_latest_version_check" CHECK ("latest_version" >= 0)
);
CREATE UNIQUE INDEX "products_id_key" ON "products"("id");
CREATE INDEX "products_tenant_id_created_at_id_idx" ON "products"("tenant_id", "created_at", "id");

-- Every version ever published; never updated.
CREATE TABLE "product_versions" (
    "tenant_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    -- The complete definition (every default applied), as ProductPublished v1 carries it.
    "definition" JSONB NOT NULL,
    -- SHA-256 of the canonical definition: a request identical to the latest version creates nothing.
    "definition_hash" TEXT NOT NULL,
    "effective_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "product_versions_pkey" PRIMARY KEY ("tenant_id", "code", "version"),
    CONSTRAINT "product_versions_version_check" CHECK ("version" >= 1),
    CONSTRAINT "product_versions_product_fkey" FOREIGN KEY ("tenant_id", "code") REFERENCES "products"("tenant_id", "code") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- Idempotency-Key of POST /v1/products: the same key with the same body replays the first result,
-- with another body is refused. `code`/`version` are null only inside the claiming transaction.
CREATE TABLE "product_idempotency" (
    "tenant_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "code" TEXT,
    "version" INTEGER,
    "response_status" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "product_idempotency_pkey" PRIMARY KEY ("tenant_id", "key")
);
