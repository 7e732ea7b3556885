-- Reconciliation reads a tenant's loans approved on one day, in loan id order.
CREATE INDEX "loan_accounts_tenant_approved_idx" ON "loan_accounts"("tenant_id", "approved_at", "id");
