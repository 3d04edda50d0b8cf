-- Custom migration: every case status change notifies listeners (LISTEN case_status) with the
-- case id, once its transaction commits. The live status screens of every app instance hear it.
CREATE OR REPLACE FUNCTION kyc_cases_notify_status() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('case_status', NEW.id::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER kyc_cases_status_notify AFTER UPDATE OF status ON kyc_cases
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION kyc_cases_notify_status();
