CREATE TABLE "scheduled_jobs" (
	"name" text PRIMARY KEY NOT NULL,
	"leased_until" timestamp with time zone,
	"holder" text,
	"next_run_at" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_ok" text
);
--> statement-breakpoint
ALTER TABLE "screening_lists" ADD COLUMN "location" text;--> statement-breakpoint
ALTER TABLE "screening_lists" ADD COLUMN "checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "screening_lists" ADD COLUMN "etag" text;--> statement-breakpoint
ALTER TABLE "screening_lists" ADD COLUMN "last_modified" text;--> statement-breakpoint
ALTER TABLE "screening_lists" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "screening_lists" ADD COLUMN "failure" text;