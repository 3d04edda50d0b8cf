-- The two database roles of docs/audit.md: run as the OWNER role after `npm run db:migrate`
-- (which runs as the owner), with psql variables naming the roles and the database:
--   psql "$OWNER_DATABASE_URL" -v app=kyc_app -v db=kyc -f docs/audit-roles.sql
-- Re-running it is harmless. tests/lib/audit/roles.test.ts runs this file as written.

-- The app's start-up migration is a no-op once the owner has migrated, but drizzle's migrator
-- still runs CREATE SCHEMA/TABLE IF NOT EXISTS, which PostgreSQL checks against CREATE rights.
GRANT CONNECT, CREATE ON DATABASE :"db" TO :"app";
GRANT USAGE, CREATE ON SCHEMA drizzle TO :"app";
GRANT SELECT ON drizzle.__drizzle_migrations TO :"app";

-- Everything the app reads and writes, now and in later migrations.
GRANT USAGE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- The audit trail: append and read only. Not being the owner, the app role can neither disable
-- the append-only triggers nor ALTER, DROP or TRUNCATE the table.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM :"app";
