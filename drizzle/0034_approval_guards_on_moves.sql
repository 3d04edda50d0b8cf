-- Custom SQL migration file, put your code below! --
-- The approval guards (checks run, screening hits cleared, four eyes) judge a move into
-- approved. A timeline entry on a case that stays approved (the renewal notice, a periodic review
-- closed at the relationship end) approves nothing: guarded, it failed the renewal sweep on every
-- approved case with an open monitoring hit or four-eyes risk.
DROP TRIGGER case_events_four_eyes ON case_events;
--> statement-breakpoint
CREATE TRIGGER case_events_four_eyes BEFORE INSERT ON case_events
  FOR EACH ROW WHEN (NEW.to_status = 'approved' AND NEW.from_status <> 'approved')
  EXECUTE FUNCTION case_events_four_eyes();
--> statement-breakpoint
DROP TRIGGER case_events_approval_guard ON case_events;
--> statement-breakpoint
CREATE TRIGGER case_events_approval_guard BEFORE INSERT ON case_events
  FOR EACH ROW WHEN (NEW.to_status = 'approved' AND NEW.from_status <> 'approved')
  EXECUTE FUNCTION case_events_approval_guard();
