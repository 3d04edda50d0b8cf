-- Custom SQL migration file, put your code below! --
-- An approval needs its round screened against the lists in force at the approval: a run of the
-- round (the submission's checks or a re-screening) whose list versions are the imported ones.
-- The rest of the guard is 0022's.
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
  -- Screened against the lists in force: a person listed since the checks ran is not approved
  -- on the lists of before (lib/kyc/cases.ts asks the same on the locked row, with the reason).
  IF EXISTS (SELECT 1 FROM screening_lists) AND NOT EXISTS (
    SELECT 1 FROM check_runs r
    JOIN case_checks c ON c.run_id = r.id AND c."check" = 'screening'
    WHERE r.case_id = NEW.case_id AND r.round = current_round AND c.evidence -> 'lists' IS NOT NULL
      AND r.list_versions = (SELECT jsonb_object_agg(source, version) FROM screening_lists)
  ) THEN
    RAISE EXCEPTION 'approval: this submission was not screened against the lists in force'
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
