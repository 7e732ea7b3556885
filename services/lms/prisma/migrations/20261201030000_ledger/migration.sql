-- The LMS's double-entry general ledger (append-only) and the loans' sub-ledger balances it
-- reconciles with. Every invariant the database can hold is held here, so a bug in a writer fails
-- its transaction instead of corrupting the books.

-- GL accounts per tenant, upserted from a product's chart of accounts when first posted to.
CREATE TABLE "ledger_accounts" (
    "tenant_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "normal_side" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("tenant_id", "code"),
    CONSTRAINT "ledger_accounts_type_check" CHECK ("type" IN ('asset', 'liability', 'income', 'expense', 'memo')),
    CONSTRAINT "ledger_accounts_normal_side_check" CHECK ("normal_side" IN ('debit', 'credit'))
);

-- One entry per posted effect of the loan engine, or per contra-entry of one (`reverses`).
-- `reversed_by` is the only column that ever changes: set once, by the trigger below, when the
-- reversal is inserted (it is what makes "live" indexable); the entry's facts never change.
CREATE TABLE "journal_entries" (
    "id" UUID NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "effect_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value_date" DATE NOT NULL,
    -- The tenant's business date when it was posted (never the wall clock).
    "posted_on" DATE NOT NULL,
    "currency" TEXT NOT NULL,
    "scale" INTEGER NOT NULL,
    "reverses" UUID,
    "reversed_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seq" BIGSERIAL NOT NULL,
    CONSTRAINT "journal_entries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "journal_entries_seq_key" UNIQUE ("seq"),
    CONSTRAINT "journal_entries_reverses_fkey" FOREIGN KEY ("reverses") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "journal_entries_reversed_by_fkey" FOREIGN KEY ("reversed_by") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "journal_entries_currency_check" CHECK ("currency" ~ '^[A-Z]{3}$'),
    CONSTRAINT "journal_entries_scale_check" CHECK ("scale" BETWEEN 0 AND 18),
    CONSTRAINT "journal_entries_reversal_check" CHECK ("reverses" IS NULL OR ("reversed_by" IS NULL AND "effect_key" LIKE 'reversal:%')),
    CONSTRAINT "journal_entries_key_check" CHECK ("reverses" IS NOT NULL OR "effect_key" NOT LIKE 'reversal:%')
);
-- At most one LIVE entry (neither reversed nor a reversal) per loan and effect key.
CREATE UNIQUE INDEX "journal_entries_live_key" ON "journal_entries"("loan_id", "effect_key") WHERE "reverses" IS NULL AND "reversed_by" IS NULL;
-- An entry is reversed at most once.
CREATE UNIQUE INDEX "journal_entries_reverses_key" ON "journal_entries"("reverses") WHERE "reverses" IS NOT NULL;
CREATE INDEX "journal_entries_loan_id_effect_key_idx" ON "journal_entries"("loan_id", "effect_key");
CREATE INDEX "journal_entries_loan_id_value_date_idx" ON "journal_entries"("loan_id", "value_date");
CREATE INDEX "journal_entries_tenant_id_seq_idx" ON "journal_entries"("tenant_id", "seq");

-- Lines carry copies of their entry's tenant, loan, value date, currency and scale (checked on
-- insert; immutable), so the trial balance and the reconciliation read lines alone.
CREATE TABLE "journal_lines" (
    "entry_id" UUID NOT NULL,
    "line_no" INTEGER NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "loan_id" TEXT NOT NULL,
    "value_date" DATE NOT NULL,
    "currency" TEXT NOT NULL,
    "scale" INTEGER NOT NULL,
    "account_code" TEXT NOT NULL,
    "logical_account" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    CONSTRAINT "journal_lines_pkey" PRIMARY KEY ("entry_id", "line_no"),
    CONSTRAINT "journal_lines_entry_fkey" FOREIGN KEY ("entry_id") REFERENCES "journal_entries"("id") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "journal_lines_account_fkey" FOREIGN KEY ("tenant_id", "account_code") REFERENCES "ledger_accounts"("tenant_id", "code") ON DELETE RESTRICT ON UPDATE RESTRICT,
    CONSTRAINT "journal_lines_side_check" CHECK ("side" IN ('debit', 'credit')),
    CONSTRAINT "journal_lines_amount_check" CHECK ("amount_minor" > 0)
);
-- Trial balance: per account up to a value date (index-only).
CREATE INDEX "journal_lines_trial_balance_idx" ON "journal_lines"("tenant_id", "account_code", "value_date") INCLUDE ("currency", "scale", "side", "amount_minor");
-- Reconciliation and per-loan reads.
CREATE INDEX "journal_lines_loan_id_value_date_idx" ON "journal_lines"("loan_id", "value_date");

-- The loans' sub-ledger: each loan's balances as of its last processed business date, written by
-- servicing from the engine's AccountState.balances after every change (this table is state, not
-- history: it is updated in place). Reconciliation compares it with the GL control accounts.
CREATE TABLE "loan_balances" (
    "loan_id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "as_of" DATE NOT NULL,
    -- Optional: the loan's journal lines carry them anyway.
    "currency" TEXT,
    "scale" INTEGER,
    -- = loan-portfolio
    "principal_outstanding" BIGINT NOT NULL DEFAULT 0,
    -- = interest-receivable (balances.interestAccrued)
    "interest_receivable" BIGINT NOT NULL DEFAULT 0,
    -- = fees-receivable (balances.feesDue)
    "fees_receivable" BIGINT NOT NULL DEFAULT 0,
    -- = penalties-receivable (balances.penaltiesDue − balances.penaltiesSuspended)
    "penalties_receivable" BIGINT NOT NULL DEFAULT 0,
    -- = excess-liability (balances.excess)
    "excess" BIGINT NOT NULL DEFAULT 0,
    -- = memo-interest-receivable = memo-interest-suspense (balances.interestSuspended)
    "memo_interest" BIGINT NOT NULL DEFAULT 0,
    -- = memo-penalties-receivable = memo-penalties-suspense (balances.penaltiesSuspended)
    "memo_penalties" BIGINT NOT NULL DEFAULT 0,
    -- = write-off-expense (balances.principalWrittenOff); NULL: not reported, not compared
    "principal_written_off" BIGINT,
    -- = recovery-income (balances.recovered); NULL: not reported, not compared
    "recovered" BIGINT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "loan_balances_pkey" PRIMARY KEY ("loan_id")
);
CREATE INDEX "loan_balances_tenant_id_as_of_idx" ON "loan_balances"("tenant_id", "as_of");

-- Immutability: lines never change; an entry changes only by the one-time reversed_by mark that
-- journal_mark_reversed sets (the reversal exists and reverses it). No DELETE, no TRUNCATE.
CREATE FUNCTION "journal_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;
CREATE FUNCTION "journal_entries_guard_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."reversed_by" IS NULL AND NEW."reversed_by" IS NOT NULL
     AND (OLD."id", OLD."tenant_id", OLD."loan_id", OLD."effect_key", OLD."kind", OLD."value_date", OLD."posted_on", OLD."currency", OLD."scale", OLD."reverses", OLD."created_at", OLD."seq")
         IS NOT DISTINCT FROM
         (NEW."id", NEW."tenant_id", NEW."loan_id", NEW."effect_key", NEW."kind", NEW."value_date", NEW."posted_on", NEW."currency", NEW."scale", NEW."reverses", NEW."created_at", NEW."seq")
     AND EXISTS (SELECT 1 FROM "journal_entries" r WHERE r."id" = NEW."reversed_by" AND r."reverses" = OLD."id") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'ledger is append-only: UPDATE on journal_entries refused' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER "journal_entries_immutable" BEFORE UPDATE ON "journal_entries" FOR EACH ROW EXECUTE FUNCTION "journal_entries_guard_update"();
CREATE TRIGGER "journal_entries_no_delete" BEFORE DELETE ON "journal_entries" FOR EACH ROW EXECUTE FUNCTION "journal_refuse_change"();
CREATE TRIGGER "journal_lines_immutable" BEFORE UPDATE OR DELETE ON "journal_lines" FOR EACH ROW EXECUTE FUNCTION "journal_refuse_change"();
CREATE TRIGGER "journal_entries_no_truncate" BEFORE TRUNCATE ON "journal_entries" FOR EACH STATEMENT EXECUTE FUNCTION "journal_refuse_change"();
CREATE TRIGGER "journal_lines_no_truncate" BEFORE TRUNCATE ON "journal_lines" FOR EACH STATEMENT EXECUTE FUNCTION "journal_refuse_change"();

-- A reversal marks its target (set-based, once per statement). The target must be a live original
-- of the same tenant, loan and currency, with the reversal's key `reversal:<key>` and its value date.
CREATE FUNCTION "journal_mark_reversed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE expected bigint; marked bigint;
BEGIN
  SELECT count(*) INTO expected FROM inserted WHERE "reverses" IS NOT NULL;
  IF expected = 0 THEN RETURN NULL; END IF;
  UPDATE "journal_entries" o SET "reversed_by" = n."id"
  FROM inserted n
  WHERE n."reverses" = o."id" AND o."reverses" IS NULL AND o."reversed_by" IS NULL
    AND o."tenant_id" = n."tenant_id" AND o."loan_id" = n."loan_id" AND o."currency" = n."currency" AND o."scale" = n."scale"
    AND o."value_date" = n."value_date" AND n."effect_key" = 'reversal:' || o."effect_key";
  GET DIAGNOSTICS marked = ROW_COUNT;
  IF marked <> expected THEN
    RAISE EXCEPTION 'a reversal must contra-post a live entry of the same loan once (key reversal:<key>, same value date and currency)' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "journal_entries_mark_reversed" AFTER INSERT ON "journal_entries" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "journal_mark_reversed"();

-- Lines join their entry in the entry's own transaction only, and copy its tenant, loan, value
-- date, currency and scale.
CREATE FUNCTION "journal_check_lines"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM inserted l JOIN "journal_entries" e ON e."id" = l."entry_id"
    -- xmin is the top-level transaction's id, or (inside a savepoint) created_at is this
    -- transaction's start.
    WHERE (e."xmin"::text <> (pg_current_xact_id()::xid)::text AND e."created_at" <> now()::timestamptz(3))
       OR (e."tenant_id", e."loan_id", e."value_date", e."currency", e."scale") IS DISTINCT FROM (l."tenant_id", l."loan_id", l."value_date", l."currency", l."scale")
  ) THEN
    RAISE EXCEPTION 'journal lines must be written with their entry, in its transaction, and copy its tenant, loan, value date and currency' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "journal_lines_check" AFTER INSERT ON "journal_lines" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "journal_check_lines"();

-- At commit: every entry has at least two lines and its debits equal its credits; a reversal's
-- lines are its target's with the sides swapped.
CREATE FUNCTION "journal_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE debits numeric; credits numeric; lines bigint;
BEGIN
  SELECT coalesce(sum("amount_minor") FILTER (WHERE "side" = 'debit'), 0), coalesce(sum("amount_minor") FILTER (WHERE "side" = 'credit'), 0), count(*)
    INTO debits, credits, lines
  FROM "journal_lines" WHERE "entry_id" = NEW."id";
  IF lines < 2 OR debits <> credits THEN
    RAISE EXCEPTION 'journal entry % (%) is not balanced: debits %, credits %, % line(s)', NEW."id", NEW."effect_key", debits, credits, lines USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."reverses" IS NOT NULL AND EXISTS (
    (SELECT "account_code", "logical_account", CASE "side" WHEN 'debit' THEN 'credit' ELSE 'debit' END, "amount_minor" FROM "journal_lines" WHERE "entry_id" = NEW."reverses"
     EXCEPT ALL SELECT "account_code", "logical_account", "side", "amount_minor" FROM "journal_lines" WHERE "entry_id" = NEW."id")
    UNION ALL
    (SELECT "account_code", "logical_account", "side", "amount_minor" FROM "journal_lines" WHERE "entry_id" = NEW."id"
     EXCEPT ALL SELECT "account_code", "logical_account", CASE "side" WHEN 'debit' THEN 'credit' ELSE 'debit' END, "amount_minor" FROM "journal_lines" WHERE "entry_id" = NEW."reverses")
  ) THEN
    RAISE EXCEPTION 'reversal % does not mirror the lines of entry %', NEW."id", NEW."reverses" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER "journal_entries_balanced" AFTER INSERT ON "journal_entries" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "journal_check_balanced"();
