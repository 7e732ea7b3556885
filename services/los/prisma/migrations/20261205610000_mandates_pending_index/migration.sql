-- The mandate poller (modules/mandates, refresh-pending.ts) reads pending mandates whose webhook has not come,
-- least recently read first: only pending rows are indexed, so the index stays as small as the pending set.
CREATE INDEX "application_mandates_pending_idx" ON "application_mandates"("updated_at") WHERE "status" = 'pending';
