-- The LMS's product catalogue as the LOS last read it from the compacted topic lendstack.servicing.products:
-- the latest version of each product per tenant. Submissions are checked against it.
CREATE TABLE "catalogue_products" (
    "tenant_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    "effective_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "catalogue_products_pkey" PRIMARY KEY ("tenant_id", "code")
);
