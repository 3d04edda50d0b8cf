-- Custom SQL migration file, put your code below! --
-- A hit is judged for an approval at its strongest sighting of the round, whatever level the
-- thresholds of its day gave it, as the application judges it (lib/review/screening-hits.ts):
-- a hit any sighting saw as likely needs its two clearings on evidence at least as strong as
-- that. Before, only the likely sightings counted, so clearings given on a weaker sighting let
-- through an approval the application refuses once a raised threshold put a stronger sighting
-- at review level. The rest is 0044's.
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
  -- Each hit of the round that any sighting saw as likely, judged at its strongest sighting of
  -- any level (by strength, then score: lib/review/screening-hits.ts `outweighs`), against the
  -- clearings that stand on it (`standing`): given on evidence at least as strong, by two
  -- different people, one of them an approver when they cleared it. A clearing that does not say
  -- its clearer's role is from before roles were recorded and counts as it did.
  SELECT hit.key INTO open_hit
  FROM (
    SELECT key, strength, score,
      bool_or(likely) OVER (PARTITION BY key) AS seen_likely,
      row_number() OVER (PARTITION BY key ORDER BY strength DESC, score DESC) AS rank
    FROM (
      SELECT (h->>'source') || ':' || (h->>'entryId') AS key,
        coalesce(
          (h->'explanation'->>'nameScore')::numeric + (h->'explanation'->>'adjustment')::numeric,
          (h->>'score')::numeric) AS strength,
        (h->>'score')::numeric AS score,
        h->>'level' = 'likely' AS likely
      FROM check_runs r
      JOIN case_checks c ON c.run_id = r.id AND c."check" = 'screening'
      CROSS JOIN LATERAL jsonb_array_elements(
        CASE WHEN jsonb_typeof(c.evidence->'hits') = 'array' THEN c.evidence->'hits' ELSE '[]'::jsonb END
      ) AS h
      WHERE r.case_id = NEW.case_id AND r.round = current_round
    ) sighting
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
    AND hit.rank = 1 AND hit.seen_likely
  LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % is not cleared by two people on its evidence, one an approver', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
