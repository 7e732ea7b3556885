-- A payout outcome the loan engine refuses to apply (a payout returned after repayments were posted on the
-- loan, a top-up's payout returned after it paid the old loan off) becomes a service request of type
-- 'payout-exception' for an operator, instead of a webhook answered 500 and redelivered for a day.
-- NOT VALID then VALIDATE: the check is re-proved without holding the table's write lock meanwhile.
ALTER TABLE "service_requests" DROP CONSTRAINT "service_requests_type_check";
ALTER TABLE "service_requests" ADD CONSTRAINT "service_requests_type_check"
    CHECK ("type" IN ('foreclosure-request', 'dispute', 'address-change', 'statement-request', 'other', 'payout-exception')) NOT VALID;
ALTER TABLE "service_requests" VALIDATE CONSTRAINT "service_requests_type_check";
