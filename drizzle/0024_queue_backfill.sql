-- Custom SQL migration (hand-written): cases from before queued_at existed reach the queue at
-- their latest submit or resubmit, as the timeline records it; a case never sent, at its opening.
-- Their search terms need the sealed answers, so the worker writes them (search_round = 0).
UPDATE "kyc_cases" AS c SET "queued_at" = coalesce(
  (SELECT max(e."occurred_at") FROM "case_events" e
    WHERE e."case_id" = c."id" AND e."event" IN ('submit', 'resubmit')),
  c."opened_at"
);
