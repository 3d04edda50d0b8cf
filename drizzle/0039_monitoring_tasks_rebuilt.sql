-- Custom SQL migration file, put your code below! --
-- Before this release a second monitoring hit on an open task set the task's runIds and hits to
-- null (operator precedence in the merge). Such a task can no longer be closed by clearing its
-- hits (lib/review/screening-hits.ts reads it as unreadable and keeps the hold). Its runs and hits
-- are rebuilt from the re-screening's audit entries since the task opened, which record both.
UPDATE review_tasks t SET data = jsonb_build_object(
  'runIds', (
    SELECT coalesce(jsonb_agg(e.value ORDER BY a.occurred_at, a.id, e.ordinality), '[]'::jsonb)
    FROM audit_events a
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(a.data -> 'runIds') = 'array' THEN a.data -> 'runIds' ELSE '[]'::jsonb END
    ) WITH ORDINALITY e
    WHERE a.case_id = t.case_id AND a.action = 'screening.rescreen_hit'
      AND a.occurred_at >= t.opened_at),
  'hits', (
    SELECT coalesce(jsonb_agg(e.value ORDER BY a.occurred_at, a.id, e.ordinality), '[]'::jsonb)
    FROM audit_events a
    CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(a.data -> 'hits') = 'array' THEN a.data -> 'hits' ELSE '[]'::jsonb END
    ) WITH ORDINALITY e
    WHERE a.case_id = t.case_id AND a.action = 'screening.rescreen_hit'
      AND a.occurred_at >= t.opened_at))
WHERE t.kind = 'monitoring_hit' AND t.closed_at IS NULL
  AND (jsonb_typeof(t.data -> 'runIds') IS DISTINCT FROM 'array'
    OR jsonb_typeof(t.data -> 'hits') IS DISTINCT FROM 'array');
