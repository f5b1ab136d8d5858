-- connguard detector: the role of the probe connection, on every monitored PostgreSQL server.
--
--   psql -v ON_ERROR_STOP=1 -v detector_password="$DETECTOR_PASSWORD" -d postgres -f 01-detector-role.sql
--
-- Run as a superuser (or a role with CREATEROLE and ADMIN OPTION on pg_monitor). Idempotent: run it again
-- after an upgrade. Without -v detector_password the role has no password; set one with \password.
--
-- What the role may do, and why:
--   pg_monitor        reads every session's row of pg_stat_activity (state, query, durations) and
--                     pg_blocking_pids(); without it other roles' sessions show NULL state and query.
--   reserved slot     the detector must keep sampling while every other client is refused.
--                     PostgreSQL 16+: pg_use_reserved_connections, with the server setting
--                     reserved_connections >= 1 (a restart is needed to change it):
--                         ALTER SYSTEM SET reserved_connections = 3;   -- then restart
--                     PostgreSQL 15 and older have no such slots; the superuser-reserved ones admit only
--                     superusers. There, either accept that the probe connection (held open from start-up)
--                     is the one that must not be lost, or cap the application roles with
--                     ALTER ROLE ... CONNECTION LIMIT so that they cannot take the last slots.
--   nothing else      no table, no write, no signal: it only reads statistics.

\set ON_ERROR_STOP on

SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'connguard_detector') AS create_role \gset
\if :create_role
CREATE ROLE connguard_detector LOGIN;
\endif

-- one connection per target; a second one covers a reconnect overlapping the old session's end
ALTER ROLE connguard_detector WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    CONNECTION LIMIT 2;
GRANT pg_monitor TO connguard_detector;

SELECT current_setting('server_version_num')::int >= 160000 AS has_reserved_connections \gset
\if :has_reserved_connections
GRANT pg_use_reserved_connections TO connguard_detector;
\endif

-- the probe sets these on its own session too; the role defaults protect a misconfigured client
ALTER ROLE connguard_detector SET statement_timeout = '2s';
ALTER ROLE connguard_detector SET lock_timeout = '500ms';
ALTER ROLE connguard_detector SET idle_in_transaction_session_timeout = '10s';
ALTER ROLE connguard_detector SET default_transaction_read_only = on;

\if :{?detector_password}
ALTER ROLE connguard_detector PASSWORD :'detector_password';
\endif
