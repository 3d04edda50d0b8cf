CREATE TABLE "selfie_challenges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"prompts" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "challenge_id" uuid;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "prompt" text;--> statement-breakpoint
ALTER TABLE "selfie_challenges" ADD CONSTRAINT "selfie_challenges_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "selfie_challenges_case_idx" ON "selfie_challenges" USING btree ("case_id");--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_challenge_id_selfie_challenges_id_fk" FOREIGN KEY ("challenge_id") REFERENCES "public"."selfie_challenges"("id") ON DELETE set null ON UPDATE no action;