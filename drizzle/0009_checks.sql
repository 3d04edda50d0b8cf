CREATE TYPE "public"."check_outcome" AS ENUM('pass', 'warn', 'fail');--> statement-breakpoint
CREATE TYPE "public"."check_route" AS ENUM('auto_approve', 'review', 'escalate');--> statement-breakpoint
CREATE TYPE "public"."check_run_reason" AS ENUM('submission', 'rescreen');--> statement-breakpoint
CREATE TYPE "public"."risk_level" AS ENUM('low', 'medium', 'high');--> statement-breakpoint
CREATE TABLE "case_checks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"check" text NOT NULL,
	"outcome" "check_outcome" NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"risk_points" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_risk" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"level" "risk_level" NOT NULL,
	"route" "check_route" NOT NULL,
	"escalated" boolean DEFAULT false NOT NULL,
	"rescreen_hit_at" timestamp with time zone,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "check_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"trader_id" uuid NOT NULL,
	"reason" "check_run_reason" NOT NULL,
	"score" integer NOT NULL,
	"level" "risk_level" NOT NULL,
	"route" "check_route" NOT NULL,
	"list_versions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_fingerprints" (
	"case_id" uuid NOT NULL,
	"trader_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"fingerprint_hmac" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "identity_fingerprints_case_id_kind_fingerprint_hmac_pk" PRIMARY KEY("case_id","kind","fingerprint_hmac")
);
--> statement-breakpoint
CREATE TABLE "screening_entries" (
	"source" text NOT NULL,
	"entry_id" text NOT NULL,
	"entry" jsonb NOT NULL,
	CONSTRAINT "screening_entries_source_entry_id_pk" PRIMARY KEY("source","entry_id")
);
--> statement-breakpoint
CREATE TABLE "screening_lists" (
	"source" text PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"format" text NOT NULL,
	"imported_at" timestamp with time zone NOT NULL,
	"entry_count" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_checks" ADD CONSTRAINT "case_checks_run_id_check_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."check_runs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_checks" ADD CONSTRAINT "case_checks_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_risk" ADD CONSTRAINT "case_risk_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_risk" ADD CONSTRAINT "case_risk_run_id_check_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."check_runs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_runs" ADD CONSTRAINT "check_runs_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "check_runs" ADD CONSTRAINT "check_runs_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_fingerprints" ADD CONSTRAINT "identity_fingerprints_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_fingerprints" ADD CONSTRAINT "identity_fingerprints_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_entries" ADD CONSTRAINT "screening_entries_source_screening_lists_source_fk" FOREIGN KEY ("source") REFERENCES "public"."screening_lists"("source") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_checks_run_idx" ON "case_checks" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "case_checks_case_idx" ON "case_checks" USING btree ("case_id","check");--> statement-breakpoint
CREATE INDEX "case_risk_level_idx" ON "case_risk" USING btree ("level");--> statement-breakpoint
CREATE INDEX "case_risk_escalated_idx" ON "case_risk" USING btree ("escalated");--> statement-breakpoint
CREATE INDEX "check_runs_case_idx" ON "check_runs" USING btree ("case_id","created_at");--> statement-breakpoint
CREATE INDEX "identity_fingerprints_lookup_idx" ON "identity_fingerprints" USING btree ("kind","fingerprint_hmac");