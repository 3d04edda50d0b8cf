ALTER TABLE "check_runs" ADD COLUMN "screening_hits" integer;--> statement-breakpoint
CREATE INDEX "check_runs_submission_idx" ON "check_runs" USING btree ("created_at","screening_hits") WHERE "check_runs"."reason" = 'submission';--> statement-breakpoint
-- Custom backfill (hand-written): runs stored before the column get the count the dashboard
-- read from their screening evidence until now (hits not at 'below' level); a run whose evidence
-- has no hits array (no list, no personal data, erased) stays null, as the writer leaves it.
UPDATE "check_runs" AS r SET "screening_hits" = (
  SELECT count(*) FROM jsonb_array_elements(c."evidence" -> 'hits') AS h
  WHERE h ->> 'level' <> 'below'
)
FROM "case_checks" AS c
WHERE c."run_id" = r."id" AND c."check" = 'screening'
  AND jsonb_typeof(c."evidence" -> 'hits') = 'array';
