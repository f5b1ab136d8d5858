-- connguard audit: the audit database, the role that owns its schema and the role the service ingests with.
--
--   psql -v ON_ERROR_STOP=1 -v owner_password="$AUDIT_OWNER_PASSWORD" -v audit_password="$AUDIT_PASSWORD" \
--        -d postgres -f 03-audit-database.sql
--
-- Run as a superuser (or a role with CREATEROLE and CREATEDB) on the audit database's server. Idempotent.
--
-- Two roles, so that the credentials the service ingests with cannot change or erase the record
-- (audit-service/DESIGN.md, "Database roles and grants"):
--   connguard_audit_owner  owns the database and the tables; only Flyway logs in with it, at start-up
--                          (quarkus.flyway.username / quarkus.flyway.password).
--   connguard_audit        the service's datasource (quarkus.datasource.username / password): SELECT and
--                          INSERT on event and quarantine, SELECT on incident (written only by the owner's
--                          SECURITY DEFINER projection trigger), USAGE on the sequences, nothing else. No UPDATE,
--                          no DELETE, no TRUNCATE, no DDL: the events stay append-only even for a buggy service.
--
-- The tables appear at the service's first start (Flyway); run this script again after that first start and
-- after every upgrade: the first run lets the new tables be read and filled at once, the later runs narrow the
-- grants to the ones above.

\set ON_ERROR_STOP on

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'connguard_audit_owner') AS create_owner \gset
\if :create_owner
CREATE ROLE connguard_audit_owner LOGIN;
\endif
ALTER ROLE connguard_audit_owner WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 4;

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'connguard_audit') AS create_ingest \gset
\if :create_ingest
CREATE ROLE connguard_audit LOGIN;
\endif
-- a few connections per replica: the service's pool (quarkus.datasource.jdbc.max-size) must fit
ALTER ROLE connguard_audit WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 40;

SELECT NOT EXISTS (SELECT FROM pg_database WHERE datname = 'connguard_audit') AS create_database \gset
\if :create_database
CREATE DATABASE connguard_audit OWNER connguard_audit_owner ENCODING 'UTF8' TEMPLATE template0;
\endif

REVOKE ALL ON DATABASE connguard_audit FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE connguard_audit TO connguard_audit_owner;
GRANT CONNECT ON DATABASE connguard_audit TO connguard_audit;

\connect connguard_audit

-- the tables live in schema public, which only the owner may create in (the default since PostgreSQL 15)
ALTER SCHEMA public OWNER TO connguard_audit_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO connguard_audit;

-- every table and sequence the owner's Flyway migrations create from now on, and those already there
ALTER DEFAULT PRIVILEGES FOR ROLE connguard_audit_owner IN SCHEMA public
    GRANT SELECT, INSERT ON TABLES TO connguard_audit;
ALTER DEFAULT PRIVILEGES FOR ROLE connguard_audit_owner IN SCHEMA public
    GRANT USAGE ON SEQUENCES TO connguard_audit;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO connguard_audit;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO connguard_audit;

-- Once the tables exist: the projection is read-only for the service, and Flyway's history is the owner's
-- business (the default privileges above covered both when Flyway created them)
SELECT to_regclass('public.incident') IS NOT NULL AS has_incident \gset
\if :has_incident
REVOKE ALL ON TABLE public.incident FROM connguard_audit;
GRANT SELECT ON TABLE public.incident TO connguard_audit;
\endif
SELECT to_regclass('public.flyway_schema_history') IS NOT NULL AS has_history \gset
\if :has_history
REVOKE ALL ON TABLE public.flyway_schema_history FROM connguard_audit;
\endif

\if :{?owner_password}
ALTER ROLE connguard_audit_owner PASSWORD :'owner_password';
\endif
\if :{?audit_password}
ALTER ROLE connguard_audit PASSWORD :'audit_password';
\endif
