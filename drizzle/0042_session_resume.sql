ALTER TABLE "sessions" ADD COLUMN "resume_hash" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "resume_expires_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_resume_idx" ON "sessions" USING btree ("resume_hash") WHERE "sessions"."resume_hash" is not null;