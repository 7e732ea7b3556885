-- booking-failed is a status, and it keeps the loan id the approval issued.
ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("status" IN ('submitted', 'approved', 'declined', 'booking-failed'));
ALTER TABLE "applications" DROP CONSTRAINT "applications_loan_id_check";
ALTER TABLE "applications" ADD CONSTRAINT "applications_loan_id_check" CHECK (("status" IN ('approved', 'booking-failed')) = ("loan_id" IS NOT NULL));
