#!/bin/sh
# First start of the postgres container (docker-entrypoint-initdb.d): the owner and service
# roles of deploy/postgres/roles.sql, in the database POSTGRES_DB.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner="${ASSIST_DB_OWNER:-assist_owner}" \
  -v owner_password="${ASSIST_DB_OWNER_PASSWORD:?set ASSIST_DB_OWNER_PASSWORD}" \
  -v service="${ASSIST_DB_SERVICE:-assist_service}" \
  -v service_password="${ASSIST_DB_SERVICE_PASSWORD:?set ASSIST_DB_SERVICE_PASSWORD}" \
  -v database="$POSTGRES_DB" \
  -f /etc/assist/roles.sql
