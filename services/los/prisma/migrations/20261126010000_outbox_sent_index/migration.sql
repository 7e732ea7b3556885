-- The outbox relay deletes rows sent before the retention window; this keeps that query off a full scan.
CREATE INDEX "outbox_sent_at_idx" ON "outbox"("sent_at") WHERE "sent_at" IS NOT NULL;
