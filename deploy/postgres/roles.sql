-- The two database roles of an installation (R-AU-2; docs/architecture.md "The log's defences").
--
--   :"owner"    owns every schema and table and runs the migrations (ASSIST_MIGRATION_DATABASE_URL,
--               or the one-shot `migrate` service of docker-compose.yml);
--   :"service"  is what the services connect as (ASSIST_DATABASE_URL): it reads and writes the
--               services' tables but owns none, so it can neither drop a trigger nor alter a
--               table; on the audit log (audit_entry, log_access) the audit migrations leave it
--               INSERT and SELECT only.
--
-- Run once, as a superuser, in the installation's database:
--   psql -v owner=assist_owner -v owner_password=… -v service=assist_service \
--        -v service_password=… -v database=assist -f roles.sql
-- (docker-compose.yml runs it through initdb/10-assist-roles.sh on the first start.)

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"service" LOGIN PASSWORD :'service_password';
GRANT CONNECT, CREATE ON DATABASE :"database" TO :"owner";
GRANT CONNECT ON DATABASE :"database" TO :"service";
-- What the owner creates (schemas by migration, tables, sequences) the service may use;
-- the audit migration 0006 then takes UPDATE, DELETE and TRUNCATE on the log back.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE ON SCHEMAS TO :"service";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner"
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"service";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" GRANT USAGE, SELECT ON SEQUENCES TO :"service";
