CREATE TABLE "case_search_terms" (
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"term_hash" text NOT NULL,
	CONSTRAINT "case_search_terms_term_hash_kind_case_id_pk" PRIMARY KEY("term_hash","kind","case_id")
);
--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "queued_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "search_round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "case_search_terms" ADD CONSTRAINT "case_search_terms_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_search_terms_case_idx" ON "case_search_terms" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "traders_email_lower_idx" ON "traders" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "traders_trading_login_idx" ON "traders" USING btree ("trading_login");--> statement-breakpoint
CREATE INDEX "kyc_cases_queue_idx" ON "kyc_cases" USING btree ("status","queued_at","id");--> statement-breakpoint
CREATE INDEX "kyc_cases_queued_idx" ON "kyc_cases" USING btree ("queued_at","id");--> statement-breakpoint
CREATE INDEX "kyc_cases_trader_idx" ON "kyc_cases" USING btree ("trader_id");--> statement-breakpoint
CREATE INDEX "kyc_cases_assignee_queue_idx" ON "kyc_cases" USING btree ("assigned_to","queued_at");--> statement-breakpoint
CREATE INDEX "kyc_cases_unindexed_idx" ON "kyc_cases" USING btree ("id") WHERE "kyc_cases"."round" > "kyc_cases"."search_round";