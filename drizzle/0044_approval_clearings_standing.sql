-- Custom SQL migration file, put your code below! --
-- A likely hit counts as cleared for an approval only by the clearings the application lets
-- stand: on evidence at least as strong as the round's strongest sighting, by two different
-- people, one of them an approver (the verdict records its clearer's role). Before, any two
-- clearings of the hit's key counted, in any round and on any evidence. The rest is 0037's.
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
  -- Each likely hit of the round, at its strongest sighting, against the clearings that stand
  -- on it (lib/review/screening-hits.ts `standing`): given on evidence at least as strong, by two
  -- different people, one of them an approver when they cleared it. A clearing that does not say
  -- its clearer's role is from before roles were recorded and counts as it did.
  SELECT hit.key INTO open_hit
  FROM (
    SELECT (h->>'source') || ':' || (h->>'entryId') AS key,
      max(coalesce(
        (h->'explanation'->>'nameScore')::numeric + (h->'explanation'->>'adjustment')::numeric,
        (h->>'score')::numeric)) AS strength,
      max((h->>'score')::numeric) AS score
    FROM check_runs r
    JOIN case_checks c ON c.run_id = r.id AND c."check" = 'screening'
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(c.evidence->'hits') = 'array' THEN c.evidence->'hits' ELSE '[]'::jsonb END
    ) AS h
    WHERE r.case_id = NEW.case_id AND r.round = current_round AND h->>'level' = 'likely'
    GROUP BY 1
  ) hit
  WHERE NOT coalesce((
    SELECT count(DISTINCT d.staff_id) >= 2
      AND bool_or(coalesce(d.data->>'role', 'approver') IN ('approver', 'admin'))
    FROM case_decisions d
    WHERE d.case_id = NEW.case_id AND d.decision = 'screening_false_positive'
      AND d.data->>'hitKey' = hit.key
      AND CASE WHEN jsonb_typeof(d.data->'strength') = 'number'
        THEN (d.data->>'strength')::numeric >= hit.strength - 0.000000001
        ELSE (d.data->>'score')::numeric >= hit.score END
  ), false)
  LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % is not cleared by two people on its evidence, one an approver', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
