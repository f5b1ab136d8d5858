-- connguard mitigator: the role that cancels queries and terminates sessions, on every monitored server.
--
--   psql -v ON_ERROR_STOP=1 -v mitigator_password="$MITIGATOR_PASSWORD" -d postgres -f 02-mitigator-role.sql
--
-- Run as a superuser (or a role with CREATEROLE and ADMIN OPTION on the roles granted below). Idempotent.
--
-- What the role may do, and why (mitigator-service/DESIGN.md, "Required permissions"):
--   pg_signal_backend            pg_cancel_backend() and pg_terminate_backend() on other roles' sessions.
--                                PostgreSQL itself refuses to signal a superuser's session for this role,
--                                which backs up the mitigator's own rule never to touch superusers.
--   pg_read_all_stats            see other roles' state, query_start and backend_type in pg_stat_activity,
--                                to pick the sessions to signal and to recognise protected ones.
--   pg_use_reserved_connections  (PostgreSQL 16+, with reserved_connections >= 1) its one persistent
--                                connection still gets in when ordinary slots are exhausted.
--   nothing else                 no table access, no DDL: a read-only session default means even a bug
--                                cannot write with these credentials.

\set ON_ERROR_STOP on

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'connguard_mitigator') AS create_role \gset
\if :create_role
CREATE ROLE connguard_mitigator LOGIN;
\endif

ALTER ROLE connguard_mitigator WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 4;  -- one persistent connection per mitigator replica, plus a reconnect each
GRANT pg_signal_backend TO connguard_mitigator;
GRANT pg_read_all_stats TO connguard_mitigator;

SELECT current_setting('server_version_num')::int >= 160000 AS has_reserved_connections \gset
\if :has_reserved_connections
GRANT pg_use_reserved_connections TO connguard_mitigator;
\endif

ALTER ROLE connguard_mitigator SET statement_timeout = '5s';
ALTER ROLE connguard_mitigator SET lock_timeout = '500ms';
ALTER ROLE connguard_mitigator SET default_transaction_read_only = on;

\if :{?mitigator_password}
ALTER ROLE connguard_mitigator PASSWORD :'mitigator_password';
\endif
