ALTER TABLE "kyc_cases" ADD COLUMN "approved_level" text;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "account" text;