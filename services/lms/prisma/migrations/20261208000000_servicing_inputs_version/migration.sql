-- A loan's servicing state and engine snapshot (a 30-year loan: ~100 KB and ~25 KB of JSON) are rewritten
-- on every change of the loan; lz4 compresses them several times faster than the default pglz, for a
-- similar size. Values written from now on use it; older ones are read as they are.
ALTER TABLE "loan_servicing" ALTER COLUMN "state" SET COMPRESSION lz4, ALTER COLUMN "snapshot" SET COMPRESSION lz4;

-- Every write of a loan's transactions or schedule moves its servicing version on, in the same statement,
-- whoever writes them (the LMS, an import, an operator's SQL): a process that keeps a loan's replay inputs
-- in memory (services/lms/src/modules/servicing/adapters/replay-checkpoints.ts) believes them only while
-- the version is the one its own committed replay left.
CREATE FUNCTION "servicing_version_touch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "loan_servicing" s SET "version" = s."version" + 1 WHERE s."loan_id" IN (SELECT DISTINCT c."loan_id" FROM "changed" c);
  RETURN NULL;
END $$;

CREATE TRIGGER "loan_transactions_insert_touch" AFTER INSERT ON "loan_transactions"
  REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "servicing_version_touch"();
CREATE TRIGGER "loan_transactions_update_touch" AFTER UPDATE ON "loan_transactions"
  REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "servicing_version_touch"();
CREATE TRIGGER "installments_insert_touch" AFTER INSERT ON "installments"
  REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "servicing_version_touch"();
CREATE TRIGGER "installments_update_touch" AFTER UPDATE ON "installments"
  REFERENCING NEW TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "servicing_version_touch"();
CREATE TRIGGER "installments_delete_touch" AFTER DELETE ON "installments"
  REFERENCING OLD TABLE AS "changed" FOR EACH STATEMENT EXECUTE FUNCTION "servicing_version_touch"();
