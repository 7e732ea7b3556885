-- The LMS's transactional outbox: events written in the same transaction as their effect, published
-- to Kafka by the outbox relay (packages/platform/src/outbox-relay.ts), same shape as the LOS's.
CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(6),
    "seq" BIGSERIAL NOT NULL,
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "outbox_unsent_idx" ON "outbox"("seq") WHERE "sent_at" IS NULL;
CREATE INDEX "outbox_sent_at_idx" ON "outbox"("sent_at") WHERE "sent_at" IS NOT NULL;
