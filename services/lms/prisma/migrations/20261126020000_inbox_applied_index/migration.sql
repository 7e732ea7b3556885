-- Inbox rows past the retention window are deleted in batches; this keeps that query off a full scan.
CREATE INDEX "inbox_applied_at_idx" ON "inbox"("applied_at");
