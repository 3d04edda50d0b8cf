ALTER TABLE "documents" ADD COLUMN "voided_at" timestamp with time zone;--> statement-breakpoint
-- Hand-added: uploads voided by a declined round were marked `superseded` while pending; the
-- flag now means only "retired on its way, confirmed after", and a voided upload says so itself.
UPDATE "documents" SET "voided_at" = coalesce("replaced_at", now()), "superseded" = false WHERE "status" = 'pending' AND "superseded";
