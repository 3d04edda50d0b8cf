-- Custom SQL migration file, put your code below! --
-- A likely hit found on this case's answers in an earlier round that nobody has cleared (nor
-- confirmed) keeps counting in later rounds, as the application counts it
-- (lib/review/screening-hits.ts loadCaseHits): an approval waits for it, whatever the round's own
-- screening of the answers sent since finds. Before, only the current round's hits counted, so a
-- trader asked for the personal step again could answer with another name, and one officer
-- approve a case whose likely match nobody had judged. Review-level hits of earlier rounds do not
-- carry: one person clears those, and the round that screens the answers in force shows them
-- again if they still resemble the entry.
--
-- The rule on one span of rounds, shared by the approval guard and the checks' risk
-- (lib/db/queries/checks.ts recordSubmissionRun): each hit that any sighting of the span saw as
-- likely, judged at its strongest sighting there of any level (by strength, then score:
-- `outweighs`), against the clearings that stand on it (`standing`): given on evidence at least as
-- strong, by two different people, one of them an approver when they cleared it. A clearing that
-- does not say its clearer's role is from before roles were recorded and counts as it did. A
-- confirmed hit is never cleared. 0054's query, as a function.
CREATE OR REPLACE FUNCTION case_uncleared_likely_hits(p_case_id uuid, p_first integer, p_last integer)
RETURNS SETOF text AS $$
  SELECT hit.key
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
      WHERE r.case_id = p_case_id AND r.round BETWEEN p_first AND p_last
    ) sighting
  ) hit
  WHERE hit.rank = 1 AND hit.seen_likely AND NOT coalesce((
    SELECT count(DISTINCT d.staff_id) >= 2
      AND bool_or(coalesce(d.data->>'role', 'approver') IN ('approver', 'admin'))
    FROM case_decisions d
    WHERE d.case_id = p_case_id AND d.decision = 'screening_false_positive'
      AND d.data->>'hitKey' = hit.key
      AND CASE WHEN jsonb_typeof(d.data->'strength') = 'number'
        THEN (d.data->>'strength')::numeric >= hit.strength - 0.000000001
        ELSE (d.data->>'score')::numeric >= hit.score END
  ), false)
  ORDER BY hit.key
$$ LANGUAGE sql STABLE;
--> statement-breakpoint
-- The approval guard asks it of the current round, then of the rounds before it: a hit that
-- carries is open at whatever sighting the current round adds (a stronger one leaves fewer
-- clearings standing), so the two questions together are the application's one. The rest is
-- 0054's.
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
  SELECT key INTO open_hit
  FROM case_uncleared_likely_hits(NEW.case_id, current_round, current_round) AS key LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % is not cleared by two people on its evidence, one an approver', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT key INTO open_hit
  FROM case_uncleared_likely_hits(NEW.case_id, 0, current_round - 1) AS key LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % of an earlier round is not cleared by two people on its evidence, one an approver', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
