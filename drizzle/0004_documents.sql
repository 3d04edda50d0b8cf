CREATE TYPE "public"."document_status" AS ENUM('pending', 'accepted', 'retake');--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"document_type" text NOT NULL,
	"side" text NOT NULL,
	"status" "document_status" DEFAULT 'pending' NOT NULL,
	"storage_key" text NOT NULL,
	"declared_type" text NOT NULL,
	"content_type" text,
	"size_bytes" integer,
	"sha256" text,
	"phash" text,
	"quality" jsonb,
	"reason" text,
	"original_name" text,
	"upload_expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_at" timestamp with time zone,
	"replaced_at" timestamp with time zone,
	CONSTRAINT "documents_storage_key_unique" UNIQUE("storage_key")
);
--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "documents_case_idx" ON "documents" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "documents_phash_idx" ON "documents" USING btree ("phash");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_one_current" ON "documents" USING btree ("case_id","document_type","side") WHERE "documents"."replaced_at" is null and "documents"."status" <> 'pending';