CREATE TABLE "case_retention" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"legal_hold_at" timestamp with time zone,
	"legal_hold_by" uuid,
	"legal_hold_reason" text,
	"purged_at" timestamp with time zone,
	"purge_rule" text,
	"tombstone" jsonb
);
--> statement-breakpoint
CREATE TABLE "erasure_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trader_id" uuid NOT NULL,
	"requested_by" uuid,
	"requested_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	"reason" text,
	"runs_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "trader_relationships" (
	"trader_id" uuid PRIMARY KEY NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_retention" ADD CONSTRAINT "case_retention_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_retention" ADD CONSTRAINT "case_retention_legal_hold_by_staff_users_id_fk" FOREIGN KEY ("legal_hold_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasure_requests" ADD CONSTRAINT "erasure_requests_requested_by_staff_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trader_relationships" ADD CONSTRAINT "trader_relationships_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE restrict ON UPDATE no action;