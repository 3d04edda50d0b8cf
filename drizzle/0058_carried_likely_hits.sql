-- Custom SQL migration file, put your code below! --
-- A likely hit found on this case's answers in an earlier round that nobody has cleared (nor
-- confirmed) keeps counting in later rounds, as the application counts it
-- (lib/review/screening-hits.ts loadCaseHits): an approval waits for it, whatever the round's own
-- screening of the answers sent since finds. The hit is on answers this trader gave; answers sent
-- since (another name, another date of birth) do not undo it, and only two people, one an
-- approver, clear a likely match. Review-level hits of earlier rounds do not carry: one person
-- clears those, and the round that screens the answers in force shows them again if they still
-- resemble the entry.
--
-- The rule, shared by the approval guard, the console and the checks' risk
-- (lib/db/queries/review.ts listCarriedHitKeys, lib/db/queries/checks.ts recordSubmissionRun):
-- each hit that a sighting of rounds p_first..p_likely_last saw as likely, judged at its strongest
-- sighting of rounds p_first..p_last of any level (by strength, then score: `outweighs`), against
-- the clearings that stand on it (`standing`): given on evidence at least as strong, by two
-- different people, one of them an approver when they cleared it. A carried hit is judged at its
-- strongest sighting up to the current round, as the console shows it: a stronger sighting now,
-- even at review level, leaves standing only the clearings given on it. A clearing that does not
-- say its clearer's role counts as an approver's (roles were recorded from 0044 on). A confirmed
-- hit is never cleared.
CREATE OR REPLACE FUNCTION case_uncleared_likely_hits(
  p_case_id uuid, p_first integer, p_last integer, p_likely_last integer)
RETURNS SETOF text AS $$
  SELECT hit.key
  FROM (
    SELECT key, strength, score,
      bool_or(likely AND round <= p_likely_last) OVER (PARTITION BY key) AS seen_likely,
      row_number() OVER (PARTITION BY key ORDER BY strength DESC, score DESC) AS rank
    FROM (
      SELECT (h->>'source') || ':' || (h->>'entryId') AS key,
        coalesce(
          (h->'explanation'->>'nameScore')::numeric + (h->'explanation'->>'adjustment')::numeric,
          (h->>'score')::numeric) AS strength,
        (h->>'score')::numeric AS score,
        h->>'level' = 'likely' AS likely,
        r.round
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
-- The approval guard asks it of the current round's likely hits, then of the earlier rounds'
-- likely hits judged at their strongest sighting up to the current round. The rest is 0054's.
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
  FROM case_uncleared_likely_hits(NEW.case_id, current_round, current_round, current_round) AS key LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % is not cleared by two people on its evidence, one an approver', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  SELECT key INTO open_hit
  FROM case_uncleared_likely_hits(NEW.case_id, 0, current_round, current_round - 1) AS key LIMIT 1;
  IF open_hit IS NOT NULL THEN
    RAISE EXCEPTION 'approval: likely screening hit % of an earlier round is not cleared by two people on its evidence, one an approver', open_hit
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
