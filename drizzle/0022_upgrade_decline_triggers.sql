-- Level upgrades (hand-written). Every case approved so far has its level in force.
UPDATE kyc_cases SET approved_level = level WHERE status = 'approved';
--> statement-breakpoint
-- A declined upgrade (`decline_upgrade`) returns the case to `approved` at the level approved
-- before, which never stopped being in force: it needs no check run of the upgrade's round and
-- no second signature, but a screening hit confirmed as a match still refuses it, and only a
-- case that has an approved level can be declined back to it.
CREATE OR REPLACE FUNCTION case_events_approval_guard() RETURNS trigger AS $$
DECLARE
  current_round integer;
  approved text;
  open_hit text;
BEGIN
  SELECT round, approved_level INTO current_round, approved FROM kyc_cases WHERE id = NEW.case_id;
  IF EXISTS (
    SELECT 1 FROM case_decisions WHERE case_id = NEW.case_id AND decision = 'screening_confirmed'
  ) THEN
    RAISE EXCEPTION 'approval: a screening hit of this case was confirmed as a match'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.event = 'decline_upgrade' THEN
    IF approved IS NULL THEN
      RAISE EXCEPTION 'decline_upgrade: the case has no approved level'
        USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM check_runs
    WHERE case_id = NEW.case_id AND reason = 'submission' AND round = current_round
  ) THEN
    RAISE EXCEPTION 'approval: the automated checks of this submission have not run'
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
