CREATE TABLE "phone_handoffs" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"trader_id" uuid NOT NULL,
	"case_id" uuid NOT NULL,
	"document_type" text NOT NULL,
	"locale" text NOT NULL,
	"theme" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "phone_handoffs" ADD CONSTRAINT "phone_handoffs_trader_id_traders_id_fk" FOREIGN KEY ("trader_id") REFERENCES "public"."traders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "phone_handoffs_expires_idx" ON "phone_handoffs" USING btree ("expires_at");