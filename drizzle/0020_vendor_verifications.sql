CREATE TYPE "public"."vendor_verification_status" AS ENUM('started', 'captured', 'completed');--> statement-breakpoint
CREATE TABLE "vendor_verifications" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"vendor" text NOT NULL,
	"session_reference" text NOT NULL,
	"verdict_reference" text,
	"status" "vendor_verification_status" NOT NULL,
	"verdict" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"captured_at" timestamp with time zone,
	"verdict_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "vendor_verifications" ADD CONSTRAINT "vendor_verifications_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "vendor_verifications_session_idx" ON "vendor_verifications" USING btree ("vendor","session_reference");--> statement-breakpoint
CREATE INDEX "vendor_verifications_verdict_idx" ON "vendor_verifications" USING btree ("vendor","verdict_reference");