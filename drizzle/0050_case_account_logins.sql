CREATE TABLE "case_account_logins" (
	"case_id" uuid NOT NULL,
	"login" bigint NOT NULL,
	"first_set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "case_account_logins_case_id_login_pk" PRIMARY KEY("case_id","login")
);
--> statement-breakpoint
ALTER TABLE "case_account_logins" ADD CONSTRAINT "case_account_logins_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE cascade ON UPDATE no action;