CREATE TABLE "audit_verifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"verified_at" timestamp with time zone DEFAULT now() NOT NULL,
	"trigger" text NOT NULL,
	"staff_id" uuid,
	"ok" boolean NOT NULL,
	"rows" integer NOT NULL,
	"problem" text,
	"broken_seq" bigint,
	"broken_id" bigint,
	"keys_checked" boolean NOT NULL,
	"signed_heads" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX "audit_events_case_idx";--> statement-breakpoint
DROP INDEX "audit_events_action_time_idx";--> statement-breakpoint
ALTER TABLE "audit_verifications" ADD CONSTRAINT "audit_verifications_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_verifications_time_idx" ON "audit_verifications" USING btree ("verified_at");--> statement-breakpoint
CREATE INDEX "audit_events_case_time_idx" ON "audit_events" USING btree ("case_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_actor_time_idx" ON "audit_events" USING btree ("actor_type","actor_id","occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_time_idx" ON "audit_events" USING btree ("occurred_at","id");--> statement-breakpoint
CREATE INDEX "audit_events_action_time_idx" ON "audit_events" USING btree ("action","occurred_at","id");