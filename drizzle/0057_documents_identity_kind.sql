DROP INDEX "documents_one_current";--> statement-breakpoint
ALTER TABLE "documents" ADD COLUMN "identity_kind" text;--> statement-breakpoint
CREATE UNIQUE INDEX "documents_one_current" ON "documents" USING btree ("case_id","document_type","side",coalesce("identity_kind", '')) WHERE "documents"."replaced_at" is null and "documents"."status" <> 'pending';