-- The ledger's integrity checks made set-based, with the same guarantees (BENCHMARKS.md, "End of day at scale"):
-- a day's 1,000 accrual entries and 2,000 lines ran 4,000 foreign-key lookups (each locking its account or entry
-- row FOR KEY SHARE: the tenant's two accrual accounts were locked by every line of every concurrent batch) and, at
-- commit, 1,000 balance queries, one per entry: about half the time of writing them.

-- 1. A line names an entry written in the same transaction and an account of its tenant: checked once per INSERT
--    statement over all its lines, instead of by the two foreign keys row by row. Entries are never deleted nor
--    their id changed (journal_entries_no_delete, journal_entries_immutable); accounts are never deleted nor
--    re-keyed (below): so what the keys' RESTRICT kept true stays true.
ALTER TABLE "journal_lines" DROP CONSTRAINT "journal_lines_entry_fkey";
ALTER TABLE "journal_lines" DROP CONSTRAINT "journal_lines_account_fkey";

CREATE FUNCTION "ledger_accounts_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (NEW."tenant_id", NEW."code") IS NOT DISTINCT FROM (OLD."tenant_id", OLD."code") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'ledger accounts are never deleted or re-keyed: % on ledger_accounts refused', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER "ledger_accounts_kept" BEFORE UPDATE OR DELETE ON "ledger_accounts" FOR EACH ROW EXECUTE FUNCTION "ledger_accounts_guard"();
CREATE TRIGGER "ledger_accounts_no_truncate" BEFORE TRUNCATE ON "ledger_accounts" FOR EACH STATEMENT EXECUTE FUNCTION "journal_refuse_change"();

CREATE OR REPLACE FUNCTION "journal_check_lines"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
  SELECT l."entry_id", l."line_no", e."id" IS NULL AS orphan INTO bad
  FROM inserted l LEFT JOIN "journal_entries" e ON e."id" = l."entry_id"
  -- xmin is the top-level transaction's id, or (inside a savepoint) created_at is this transaction's start.
  WHERE e."id" IS NULL
     OR (e."xmin"::text <> (pg_current_xact_id()::xid)::text AND e."created_at" <> now()::timestamptz(3))
     OR (e."tenant_id", e."loan_id", e."value_date", e."currency", e."scale") IS DISTINCT FROM (l."tenant_id", l."loan_id", l."value_date", l."currency", l."scale")
  LIMIT 1;
  IF FOUND AND bad.orphan THEN
    RAISE EXCEPTION 'journal line % of entry % names no journal entry', bad."line_no", bad."entry_id" USING ERRCODE = 'foreign_key_violation';
  ELSIF FOUND THEN
    RAISE EXCEPTION 'journal lines must be written with their entry, in its transaction, and copy its tenant, loan, value date and currency' USING ERRCODE = 'check_violation';
  END IF;
  SELECT l."tenant_id", l."account_code" INTO bad
  FROM (SELECT DISTINCT "tenant_id", "account_code" FROM inserted) l
  WHERE NOT EXISTS (SELECT 1 FROM "ledger_accounts" a WHERE a."tenant_id" = l."tenant_id" AND a."code" = l."account_code")
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal line account % is not a ledger account of tenant %', bad."account_code", bad."tenant_id" USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;

-- 2. At commit, every entry has at least two lines and its debits equal its credits, and a reversal's lines are
--    its target's with the sides swapped: checked once per INSERT statement of entries, over all of them, instead
--    of once per entry. Each such statement notes its entries in a row here (journal_note_unchecked); that row's
--    deferred trigger checks them at commit and deletes it, so the table is empty outside open transactions. Under
--    SET CONSTRAINTS … IMMEDIATE the check runs at the end of the entries' own statement, before any line: refused,
--    as the row trigger refused it.
CREATE TABLE "journal_unchecked" (
  "id" BIGSERIAL PRIMARY KEY,
  "entry_ids" UUID[] NOT NULL
);

CREATE FUNCTION "journal_note_unchecked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "journal_unchecked" ("entry_ids") SELECT array_agg("id") FROM inserted HAVING count(*) > 0;
  RETURN NULL;
END $$;

DROP TRIGGER "journal_entries_balanced" ON "journal_entries";
DROP FUNCTION "journal_check_balanced"();
CREATE FUNCTION "journal_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad record;
BEGIN
  SELECT e."id", e."effect_key", coalesce(s."debits", 0) AS debits, coalesce(s."credits", 0) AS credits, s."lines" INTO bad
  FROM "journal_entries" e
  CROSS JOIN LATERAL (
    SELECT sum("amount_minor") FILTER (WHERE "side" = 'debit') AS debits, sum("amount_minor") FILTER (WHERE "side" = 'credit') AS credits, count(*) AS lines
    FROM "journal_lines" WHERE "entry_id" = e."id"
  ) s
  WHERE e."id" = ANY (NEW."entry_ids") AND (s."lines" < 2 OR coalesce(s."debits", 0) <> coalesce(s."credits", 0))
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'journal entry % (%) is not balanced: debits %, credits %, % line(s)', bad."id", bad."effect_key", bad."debits", bad."credits", bad."lines" USING ERRCODE = 'check_violation';
  END IF;
  SELECT e."id", e."reverses" INTO bad
  FROM "journal_entries" e
  WHERE e."id" = ANY (NEW."entry_ids") AND e."reverses" IS NOT NULL AND EXISTS (
    (SELECT "account_code", "logical_account", CASE "side" WHEN 'debit' THEN 'credit' ELSE 'debit' END, "amount_minor" FROM "journal_lines" WHERE "entry_id" = e."reverses"
     EXCEPT ALL SELECT "account_code", "logical_account", "side", "amount_minor" FROM "journal_lines" WHERE "entry_id" = e."id")
    UNION ALL
    (SELECT "account_code", "logical_account", "side", "amount_minor" FROM "journal_lines" WHERE "entry_id" = e."id"
     EXCEPT ALL SELECT "account_code", "logical_account", CASE "side" WHEN 'debit' THEN 'credit' ELSE 'debit' END, "amount_minor" FROM "journal_lines" WHERE "entry_id" = e."reverses")
  )
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'reversal % does not mirror the lines of entry %', bad."id", bad."reverses" USING ERRCODE = 'check_violation';
  END IF;
  DELETE FROM "journal_unchecked" WHERE "id" = NEW."id";
  RETURN NULL;
END $$;

CREATE TRIGGER "journal_entries_note_unchecked" AFTER INSERT ON "journal_entries" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "journal_note_unchecked"();
CREATE CONSTRAINT TRIGGER "journal_entries_balanced" AFTER INSERT ON "journal_unchecked" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "journal_check_balanced"();
-- Only the triggers above write it.
CREATE TRIGGER "journal_unchecked_no_update" BEFORE UPDATE ON "journal_unchecked" FOR EACH ROW EXECUTE FUNCTION "journal_refuse_change"();
