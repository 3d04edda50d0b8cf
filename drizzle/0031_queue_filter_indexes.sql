DROP INDEX "kyc_cases_queued_idx";--> statement-breakpoint
CREATE INDEX "case_checks_failed_idx" ON "case_checks" USING btree ("run_id") WHERE "case_checks"."outcome" = 'fail';--> statement-breakpoint
CREATE INDEX "case_risk_escalated_cases_idx" ON "case_risk" USING btree ("case_id") WHERE "case_risk"."escalated";--> statement-breakpoint
CREATE INDEX "kyc_cases_queued_idx" ON "kyc_cases" USING btree ("queued_at","id","status","closed_at");