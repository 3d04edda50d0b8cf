CREATE TABLE "vendor_verification_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"vendor" text NOT NULL,
	"session_reference" text NOT NULL,
	"verdict_reference" text,
	"status" "vendor_verification_status" NOT NULL,
	"verdict" jsonb,
	"started_at" timestamp with time zone NOT NULL,
	"captured_at" timestamp with time zone,
	"verdict_at" timestamp with time zone,
	"replaced_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Existing rows (hand-written): the round a capture was made for is one past the submissions
-- made before it started; drizzle-kit's NOT NULL needs the backfill first.
ALTER TABLE "vendor_verifications" ADD COLUMN "round" integer;--> statement-breakpoint
UPDATE "vendor_verifications" v SET "round" = 1 + (SELECT count(*)::int FROM "case_submissions" s
  WHERE s."case_id" = v."case_id" AND s."submitted_at" < v."started_at");--> statement-breakpoint
ALTER TABLE "vendor_verifications" ALTER COLUMN "round" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "vendor_verification_history" ADD CONSTRAINT "vendor_verification_history_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "vendor_verification_history_case_idx" ON "vendor_verification_history" USING btree ("case_id","round");