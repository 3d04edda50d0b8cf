CREATE TABLE "case_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"reason_code" text,
	"message_for_trader" text,
	"internal_note" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "assigned_to" uuid;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "risk_level" text;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "four_eyes_required" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "case_decisions" ADD CONSTRAINT "case_decisions_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_decisions" ADD CONSTRAINT "case_decisions_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_decisions_case_idx" ON "case_decisions" USING btree ("case_id","created_at");--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD CONSTRAINT "kyc_cases_assigned_to_staff_users_id_fk" FOREIGN KEY ("assigned_to") REFERENCES "public"."staff_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Four-eyes (hand-written): a case flagged four_eyes_required reaches `approved` only when two
-- different staff members signed an approval in the current review round, the last of them
-- being the one who moves it. The database refuses anything else, whatever the application does.
CREATE OR REPLACE FUNCTION case_events_four_eyes() RETURNS trigger AS $$
DECLARE
  required boolean;
  since timestamptz;
  signers integer;
  signed_by_actor boolean;
BEGIN
  SELECT four_eyes_required INTO required FROM kyc_cases WHERE id = NEW.case_id;
  IF NOT coalesce(required, false) THEN
    RETURN NEW;
  END IF;
  IF NEW.actor_type <> 'staff' THEN
    RAISE EXCEPTION 'four-eyes: only staff can approve this case' USING ERRCODE = 'check_violation';
  END IF;
  SELECT max(occurred_at) INTO since FROM case_events
    WHERE case_id = NEW.case_id AND event = 'start_review';
  SELECT count(DISTINCT staff_id),
         bool_or(staff_id::text = NEW.actor_id)
    INTO signers, signed_by_actor
    FROM case_decisions
    WHERE case_id = NEW.case_id AND decision = 'approve'
      AND created_at >= coalesce(since, '-infinity'::timestamptz);
  IF coalesce(signers, 0) < 2 OR NOT coalesce(signed_by_actor, false) THEN
    RAISE EXCEPTION 'four-eyes: approval needs two different staff members' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER case_events_four_eyes BEFORE INSERT ON case_events
  FOR EACH ROW WHEN (NEW.to_status = 'approved') EXECUTE FUNCTION case_events_four_eyes();
