-- The two database roles (docs/operations.md, docs/audit.md): run as the OWNER role after
-- `npm run db:migrate` (which runs as the owner), with psql variables naming the roles and the
-- database:
--   psql "$OWNER_DATABASE_URL" -v app=kyc_app -v db=kyc -f docs/audit-roles.sql
-- Re-running it is harmless, and it takes back rights older versions of this file granted.
-- tests/lib/audit/roles.test.ts runs this file as written.

-- No DDL for the app: it never migrates (MIGRATE_ON_START=0, or the default, which only reads the
-- migrations table when nothing is pending), so it gets no CREATE anywhere and no temporary
-- tables. PUBLIC holds TEMPORARY on every database, and CREATE on the public schema before
-- PostgreSQL 15 (where the public schema belongs to a superuser, that line needs one).
REVOKE CREATE, TEMPORARY ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE, TEMPORARY ON DATABASE :"db" FROM :"app";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";

-- The schema version, read at every start: the app waits for it or checks nothing is pending.
GRANT USAGE ON SCHEMA drizzle TO :"app";
REVOKE CREATE ON SCHEMA drizzle FROM :"app";
GRANT SELECT ON drizzle.__drizzle_migrations TO :"app";

-- Everything the app reads and writes, now and in later migrations.
GRANT USAGE ON SCHEMA public TO :"app";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"app";

-- The audit trail: append and read only. Not being the owner, the app role can neither disable
-- the append-only triggers nor ALTER, DROP or TRUNCATE the table.
REVOKE ALL ON audit_events FROM :"app";
GRANT SELECT, INSERT ON audit_events TO :"app";
