CREATE TABLE "check_claims" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"token" uuid NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "check_claims" ADD CONSTRAINT "check_claims_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE cascade ON UPDATE no action;