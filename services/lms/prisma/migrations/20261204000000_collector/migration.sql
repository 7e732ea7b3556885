-- The collector (modules/collections): each loan's collections workflow acts on the tenant's business date.
-- Schedules of contacts per product, the date each workflow next needs waking, the human work queue, what
-- collectors did, and the early-warning flags raised.

-- A product's collection schedule (collection-plan.ts's collectionScheduleSchema); a product without one uses
-- the default (T−3, T−1 reminders; debit on the due date; T+1, T+3, T+7 follow-ups; queues at 30/60/90 DPD).
CREATE TABLE "collection_schedules" (
    "tenant_id" TEXT NOT NULL,
    "product_code" TEXT NOT NULL,
    "schedule" JSONB NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "collection_schedules_pkey" PRIMARY KEY ("tenant_id", "product_code")
);

-- The business date a loan's workflow next has something to do. The waker signals every loan whose date the
-- tenant's business date has reached (by end of day or a PUT), then deletes the row it signalled; the workflow
-- writes the next date after each pass. One row per loan at most.
CREATE TABLE "collections_wakeups" (
    "loan_id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "wake_on" DATE NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "collections_wakeups_pkey" PRIMARY KEY ("loan_id")
);
CREATE INDEX "collections_wakeups_due_idx" ON "collections_wakeups" ("tenant_id", "wake_on", "loan_id");

-- A loan needing a human: opened by the workflow's escalation (queue and priority from the schedule), moved up a
-- queue by a later escalation, closed when the loan is current again, closed or charged off.
CREATE TABLE "collections_cases" (
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "dpd" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "opened_on" DATE NOT NULL,
    "escalated_on" DATE NOT NULL,
    "closed_on" DATE,
    "close_reason" TEXT,
    "last_action_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "collections_cases_pkey" PRIMARY KEY ("tenant_id", "loan_id"),
    CONSTRAINT "collections_cases_status_check" CHECK ("status" IN ('open', 'closed'))
);
-- The queue: open cases by priority (highest first), then DPD (highest first), then loan id (keyset).
CREATE INDEX "collections_cases_queue_idx" ON "collections_cases" ("tenant_id", "status", "priority" DESC, "dpd" DESC, "loan_id");

-- What a collector did: a call outcome, a promise to pay, a field visit, a hardship hold, a dispute. Idempotent by
-- (tenant, Idempotency-Key); sent to the loan's workflow as a signal named by the id.
CREATE TABLE "collections_actions" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "business_date" DATE NOT NULL,
    "recorded_by" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" TEXT,
    "signalled_at" TIMESTAMPTZ(3),
    CONSTRAINT "collections_actions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "collections_actions_kind_check" CHECK ("kind" IN ('call-outcome', 'promise-to-pay', 'field-visit', 'hardship-hold', 'hold-lifted', 'dispute-opened', 'dispute-resolved'))
);
CREATE UNIQUE INDEX "collections_actions_idempotency_idx" ON "collections_actions" ("tenant_id", "idempotency_key");
CREATE INDEX "collections_actions_loan_idx" ON "collections_actions" ("tenant_id", "loan_id", "recorded_at", "id");

-- Early-warning flags raised (also published as CollectionsFlagRaised through the outbox, same transaction).
CREATE TABLE "collections_flags" (
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "event_key" TEXT NOT NULL,
    "flag" TEXT NOT NULL,
    "dpd" INTEGER NOT NULL,
    "detail" TEXT NOT NULL,
    "business_date" DATE NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "collections_flags_pkey" PRIMARY KEY ("loan_id", "event_key")
);
CREATE INDEX "collections_flags_tenant_idx" ON "collections_flags" ("tenant_id", "business_date");
