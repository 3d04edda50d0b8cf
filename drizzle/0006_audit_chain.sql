ALTER TABLE "audit_events" ADD COLUMN "seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "audit_events_seq_idx" ON "audit_events" USING btree ("seq");--> statement-breakpoint
-- The hash chain (hand-written): one canonical text per row, hashed with the previous hash.
CREATE OR REPLACE FUNCTION audit_event_digest(
  prev text, seq bigint, occurred_at timestamptz, actor_type text, actor_id text, action text,
  case_id uuid, trader_id uuid, data jsonb
) RETURNS text AS $$
  SELECT encode(sha256(convert_to(concat_ws('|',
    prev,
    seq::text,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    actor_type, actor_id, action,
    coalesce(case_id::text, ''), coalesce(trader_id::text, ''),
    data::text
  ), 'UTF8')), 'hex')
$$ LANGUAGE sql IMMUTABLE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_events_chain() RETURNS trigger AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  -- One append at a time: the chain has a single order, whatever the concurrency.
  PERFORM pg_advisory_xact_lock(7274000001);
  SELECT a.seq, a.hash INTO last_seq, last_hash
    FROM audit_events a WHERE a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
  NEW.hash := audit_event_digest(NEW.prev_hash, NEW.seq, NEW.occurred_at, NEW.actor_type,
    NEW.actor_id, NEW.action, NEW.case_id, NEW.trader_id, NEW.data);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Rows written before the chain existed join it in id order.
ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete;
--> statement-breakpoint
DO $$
DECLARE
  r record;
  n bigint := 0;
  h text := repeat('0', 64);
BEGIN
  FOR r IN SELECT * FROM audit_events ORDER BY id LOOP
    n := n + 1;
    UPDATE audit_events SET seq = n, prev_hash = h,
      hash = audit_event_digest(h, n, r.occurred_at, r.actor_type, r.actor_id, r.action,
        r.case_id, r.trader_id, r.data)
    WHERE id = r.id
    RETURNING hash INTO h;
  END LOOP;
END $$;
--> statement-breakpoint
ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete;
--> statement-breakpoint
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_chain();
--> statement-breakpoint
CREATE UNIQUE INDEX audit_events_seq_unique ON audit_events (seq);
