-- DELETE /v1/webhook-subscriptions/{id} removes a subscription from the API (reads, list, delivery log, replays
-- answer 404); the row and its deliveries stay for audit. POST .../disable keeps the old, readable, disabled state.
ALTER TABLE webhook_subscriptions ADD COLUMN deleted_at timestamptz;
