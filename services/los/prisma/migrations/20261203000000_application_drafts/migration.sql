-- An application can be created as a draft (documents uploaded first) and submitted later: draft → submitted.
ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("status" IN ('draft', 'submitted', 'checks-running', 'checks-complete', 'checks-exception', 'approved', 'declined', 'booking-failed'));
