-- Custom SQL migration file, put your code below! --
-- Four eyes stand on the accounts as they are when the approval commits: the co-signer (the
-- approval's actor) is an active approver or admin, and a signature counts only while its
-- signer's account is active. A role lowered or an account disabled after signing made no
-- difference before: the signature counted as given. Each signer's account row is held (FOR
-- SHARE) until the approval commits, so a role change or a disabling waits for it
-- (lib/review/decisions.ts asks the same on the locked case, with its reason). The rest is 0047's.
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
  PERFORM 1 FROM staff_users
    WHERE id::text = NEW.actor_id AND disabled_at IS NULL AND role IN ('approver', 'admin')
    FOR SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'four-eyes: the co-signature needs an active approver' USING ERRCODE = 'check_violation';
  END IF;
  SELECT greatest(
      (SELECT max(occurred_at) FROM case_events
        WHERE case_id = NEW.case_id AND event IN ('start_review', 'resume_review', 'reopen')),
      (SELECT rescreen_hit_at FROM case_risk WHERE case_id = NEW.case_id))
    INTO since;
  PERFORM 1 FROM staff_users s
    WHERE s.disabled_at IS NULL AND s.id IN (
      SELECT staff_id FROM case_decisions
      WHERE case_id = NEW.case_id AND decision = 'approve'
        AND created_at >= coalesce(since, '-infinity'::timestamptz))
    FOR SHARE;
  SELECT count(DISTINCT d.staff_id),
         bool_or(d.staff_id::text = NEW.actor_id)
    INTO signers, signed_by_actor
    FROM case_decisions d
    JOIN staff_users s ON s.id = d.staff_id AND s.disabled_at IS NULL
    WHERE d.case_id = NEW.case_id AND d.decision = 'approve'
      AND d.created_at >= coalesce(since, '-infinity'::timestamptz);
  IF coalesce(signers, 0) < 2 OR NOT coalesce(signed_by_actor, false) THEN
    RAISE EXCEPTION 'four-eyes: approval needs two different staff members' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
