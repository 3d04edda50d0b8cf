CREATE TABLE "case_keys" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"wrapped_key" text,
	"key_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rewrapped_at" timestamp with time zone,
	"destroyed_at" timestamp with time zone,
	CONSTRAINT "case_keys_wrapped_or_destroyed" CHECK (("case_keys"."wrapped_key" is not null and "case_keys"."key_id" is not null and "case_keys"."destroyed_at" is null) or ("case_keys"."wrapped_key" is null and "case_keys"."key_id" is null and "case_keys"."destroyed_at" is not null))
);
--> statement-breakpoint
ALTER TABLE "case_keys" ADD CONSTRAINT "case_keys_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;