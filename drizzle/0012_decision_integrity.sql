CREATE TABLE "check_failures" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"round" integer NOT NULL,
	"attempts" integer NOT NULL,
	"last_error" text NOT NULL,
	"failed_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"resolution" text
);
--> statement-breakpoint
CREATE TABLE "case_submissions" (
	"case_id" uuid NOT NULL,
	"round" integer NOT NULL,
	"event" text NOT NULL,
	"payload" text NOT NULL,
	"document_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "case_submissions_case_id_round_pk" PRIMARY KEY("case_id","round")
);
--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "kyc_cases" ADD COLUMN "event_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "check_runs" ADD COLUMN "round" integer;--> statement-breakpoint
ALTER TABLE "delivery_attempts" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "check_failures" ADD CONSTRAINT "check_failures_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_tasks" ADD CONSTRAINT "review_tasks_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_tasks" ADD CONSTRAINT "review_tasks_closed_by_staff_users_id_fk" FOREIGN KEY ("closed_by") REFERENCES "public"."staff_users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_submissions" ADD CONSTRAINT "case_submissions_case_id_kyc_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."kyc_cases"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "review_tasks_one_open" ON "review_tasks" USING btree ("case_id","kind") WHERE "review_tasks"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "review_tasks_case_idx" ON "review_tasks" USING btree ("case_id","opened_at");--> statement-breakpoint
CREATE INDEX "check_runs_round_idx" ON "check_runs" USING btree ("case_id","round");--> statement-breakpoint
-- Existing data (hand-written): rounds counted from the timeline, runs placed in the round they saw.
UPDATE kyc_cases k SET round = (
  SELECT count(*) FROM case_events e WHERE e.case_id = k.id AND e.event IN ('submit', 'resubmit')
);
--> statement-breakpoint
UPDATE check_runs r SET round = (
  SELECT count(*) FROM case_events e
  WHERE e.case_id = r.case_id AND e.event IN ('submit', 'resubmit') AND e.occurred_at <= r.created_at
);
--> statement-breakpoint
UPDATE kyc_cases k SET event_seq = (SELECT count(*) FROM outbox_events o WHERE o.case_id = k.id);
--> statement-breakpoint
-- What an approval needs (hand-written), whatever the application does: the automated checks of
-- the current submission round have run; no screening hit of the case was confirmed as a match;
-- every likely hit of the round was judged a false positive by two different staff members.
CREATE OR REPLACE FUNCTION case_events_approval_guard() RETURNS trigger AS $$
DECLARE
  current_round integer;
  open_hit text;
BEGIN
  SELECT round INTO current_round FROM kyc_cases WHERE id = NEW.case_id;
  IF NOT EXISTS (
    SELECT 1 FROM check_runs
    WHERE case_id = NEW.case_id AND reason = 'submission' AND round = current_round
  ) THEN
    RAISE EXCEPTION 'approval: the automated checks of this submission have not run'
      USING ERRCODE = 'check_violation';
  END IF;
  IF EXISTS (
    SELECT 1 FROM case_decisions WHERE case_id = NEW.case_id AND decision = 'screening_confirmed'
  ) THEN
    RAISE EXCEPTION 'approval: a screening hit of this case was confirmed as a match'
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT hit.key INTO open_hit
  FROM (
    SELECT DISTINCT (h->>'source') || ':' || (h->>'entryId') AS key
    FROM check_runs r
    JOIN case_checks c ON c.run_id = r.id AND c."check" = 'screening'
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(c.evidence->'hits') = 'array' THEN c.evidence->'hits' ELSE '[]'::jsonb END
    ) AS h
    WHERE r.case_id = NEW.case_id AND r.round = current_round AND h->>'level' = 'likely'
  ) hit
  WHERE (
    SELECT count(DISTINCT d.staff_id) FROM case_decisions d
    WHERE d.case_id = NEW.case_id AND d.decision = 'screening_false_positive'
      AND d.data->>'hitKey' = hit.key
  ) < 2
  LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % is not cleared by two people', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER case_events_approval_guard BEFORE INSERT ON case_events
  FOR EACH ROW WHEN (NEW.to_status = 'approved') EXECUTE FUNCTION case_events_approval_guard();
