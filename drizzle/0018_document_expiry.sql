ALTER TABLE "kyc_cases" ADD COLUMN "document_expires_on" date;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "renewal_due_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "kyc_cases_approved_expiry_idx" ON "kyc_cases" USING btree ("document_expires_on") WHERE "kyc_cases"."status" = 'approved';