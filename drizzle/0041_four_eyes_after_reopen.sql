-- Custom SQL migration file, put your code below! --
-- Four eyes count the signatures given since the round's review started, or since an admin
-- reopened the case: the signatures before a rejection (or a withdrawn approval) were not given
-- on the review now open, so they no longer make a single approver the second pair of eyes
-- (lib/db/queries/review.ts listRoundApprovals counts the same). The rest is 0038's function.
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
        WHERE case_id = NEW.case_id AND event IN ('start_review', 'reopen')),
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
