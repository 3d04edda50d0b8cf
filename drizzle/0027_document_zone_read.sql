ALTER TABLE "documents" ADD COLUMN "zone_read" text;--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "zone_read_at" timestamp with time zone;