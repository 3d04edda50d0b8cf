-- Custom SQL migration file, put your code below! --
-- A case taken back into review from the trader (`resume_review`) opens the review afresh too:
-- the trader may have changed answers and documents while the case waited on them, so a
-- signature given before it was not given on the case as it now stands
-- (lib/kyc/case-state.ts REVIEW_OPENINGS; lib/db/queries/review.ts listRoundApprovals counts
-- the same). The rest is 0041's function.
CREATE OR REPLACE FUNCTION case_events_four_eyes() RETURNS trigger AS $$
DECLARE
  required boolean;
  since timestamptz;
  signers integer;
  signed_by_actor boolean;
BEGIN
  IF NEW.event = 'decline_upgrade' THEN
    RETURN NEW;
  END IF;
  SELECT four_eyes_required INTO required FROM kyc_cases WHERE id = NEW.case_id;
  IF NOT coalesce(required, false) THEN
    RETURN NEW;
  END IF;
  IF NEW.actor_type <> 'staff' THEN
    RAISE EXCEPTION 'four-eyes: only staff can approve this case' USING ERRCODE = 'check_violation';
  END IF;
  SELECT greatest(
      (SELECT max(occurred_at) FROM case_events
        WHERE case_id = NEW.case_id AND event IN ('start_review', 'resume_review', 'reopen')),
      (SELECT rescreen_hit_at FROM case_risk WHERE case_id = NEW.case_id))
    INTO since;
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
