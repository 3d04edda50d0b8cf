CREATE TABLE "case_drafts" (
	"case_id" uuid NOT NULL,
	"step" text NOT NULL,
	"payload" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "case_drafts_case_id_step_pk" PRIMARY KEY("case_id","step")
);
--> statement-breakpoint
ALTER TABLE "case_drafts" ADD CONSTRAINT "case_drafts_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE cascade ON UPDATE no action;