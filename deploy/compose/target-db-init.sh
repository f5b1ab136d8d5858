#!/bin/sh
# Runs once, when the target database's volume is first initialised (docker-entrypoint-initdb.d): connguard's
# roles from deploy/sql, and the demo application that the storm profile overloads.
set -eu
run() { psql -v ON_ERROR_STOP=1 --no-psqlrc -U "$POSTGRES_USER" -d postgres "$@"; }

run -v detector_password="$CONNGUARD_DETECTOR_PASSWORD" -f /connguard-sql/01-detector-role.sql
run -v mitigator_password="$CONNGUARD_MITIGATOR_PASSWORD" -f /connguard-sql/02-mitigator-role.sql

# the monitored application: its role and database (the storm connects as etl_worker)
run -v etl_password="$STARFORGE_ETL_PASSWORD" <<'SQL'
CREATE ROLE etl_worker LOGIN PASSWORD :'etl_password';
CREATE DATABASE starforge OWNER etl_worker;
SQL
