-- Custom migration: the live status screen follows everything it shows, not only the status
-- (lib/live/screen-state.ts). Every change to what it reads notifies LISTEN case_status with the
-- case id once its transaction commits: the case row (a renewal notice, the level, the status),
-- its timeline (a reviewer's request, a notice), its documents (uploaded, checked, asked again),
-- its drafts (the identity document's kind decides the sides listed) and the vendor's capture.
-- PostgreSQL folds the same payload sent twice in one transaction into one notification; a
-- stream sends nothing when what the screen shows did not change.
CREATE OR REPLACE FUNCTION kyc_case_changed_notify() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('case_status', OLD.case_id::text);
  ELSE
    PERFORM pg_notify('case_status', NEW.case_id::text);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DROP TRIGGER IF EXISTS kyc_cases_status_notify ON kyc_cases;
--> statement-breakpoint
CREATE TRIGGER kyc_cases_notify AFTER UPDATE ON kyc_cases
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION kyc_cases_notify_status();
--> statement-breakpoint
CREATE TRIGGER case_events_notify AFTER INSERT ON case_events
  FOR EACH ROW EXECUTE FUNCTION kyc_case_changed_notify();
--> statement-breakpoint
CREATE TRIGGER documents_notify AFTER INSERT OR UPDATE ON documents
  FOR EACH ROW EXECUTE FUNCTION kyc_case_changed_notify();
--> statement-breakpoint
CREATE TRIGGER case_drafts_notify AFTER INSERT OR UPDATE OR DELETE ON case_drafts
  FOR EACH ROW EXECUTE FUNCTION kyc_case_changed_notify();
--> statement-breakpoint
CREATE TRIGGER vendor_verifications_notify AFTER INSERT OR UPDATE ON vendor_verifications
  FOR EACH ROW EXECUTE FUNCTION kyc_case_changed_notify();
