CREATE TYPE "public"."case_status" AS ENUM('draft', 'submitted', 'in_review', 'approved', 'rejected', 'action_required', 'resubmitted', 'expired');--> statement-breakpoint
CREATE TYPE "public"."case_trigger" AS ENUM('first_deposit', 'account_creation', 'compliance_notice', 'manual');--> statement-breakpoint
CREATE TABLE "traders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ctrader_user_id" bigint NOT NULL,
	"email" text,
	"trading_login" bigint,
	"preferred_locale" text DEFAULT 'en' NOT NULL,
	"inapp_token_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "traders_ctrader_user_id_unique" UNIQUE("ctrader_user_id")
);
--> statement-breakpoint
CREATE TABLE "kyc_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trader_id" uuid NOT NULL,
	"level" text NOT NULL,
	"status" "case_status" DEFAULT 'draft' NOT NULL,
	"trigger" "case_trigger" DEFAULT 'manual' NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"trader_id" uuid NOT NULL,
	"case_id" uuid,
	"identity_mode" text NOT NULL,
	"locale" text NOT NULL,
	"theme" text,
	"source" text,
	"account" text,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "handoff_redemptions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sso_one_time_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"trader_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"authorized_at" timestamp with time zone,
	"redeemed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"action" text NOT NULL,
	"case_id" uuid,
	"trader_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD CONSTRAINT "kyc_cases_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sso_one_time_tokens" ADD CONSTRAINT "sso_one_time_tokens_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "traders_email_idx" ON "traders" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "kyc_cases_one_open_per_trader" ON "kyc_cases" USING btree ("trader_id") WHERE "kyc_cases"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "kyc_cases_status_idx" ON "kyc_cases" USING btree ("status");--> statement-breakpoint
CREATE INDEX "sessions_trader_idx" ON "sessions" USING btree ("trader_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sso_one_time_tokens_expires_idx" ON "sso_one_time_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "audit_events_case_idx" ON "audit_events" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "audit_events_trader_idx" ON "audit_events" USING btree ("trader_id");