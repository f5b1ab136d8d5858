#!/bin/sh
# Runs once, when the audit database's volume is first initialised: the audit database and its two roles.
set -eu
psql -v ON_ERROR_STOP=1 --no-psqlrc -U "$POSTGRES_USER" -d postgres \
    -v owner_password="$CONNGUARD_AUDIT_OWNER_PASSWORD" -v audit_password="$CONNGUARD_AUDIT_PASSWORD" \
    -f /connguard-sql/03-audit-database.sql
