-- Partner webhooks: disabling a subscription cancels the deliveries it still had to send (pending, or claimed
-- by a dispatcher) instead of leaving them pending for ever; the log says when and why. Both services alike.
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_status_check;
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_status_check
  CHECK (status IN ('pending', 'delivering', 'delivered', 'dead', 'cancelled'));
ALTER TABLE webhook_deliveries ADD COLUMN cancelled_at timestamptz, ADD COLUMN cancel_reason text;
