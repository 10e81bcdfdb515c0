-- Run once by an operator (psql, as a role that may create extensions), not a migration: the
-- user mapping holds the other database's password, which a migration file must never carry.
--   psql "$DATABASE_URL" -v host=legacy-db -v port=5432 -v dbname=legacy \
--        -v user=reader -v password="$LEGACY_PASSWORD" -v app=app -f setup.sql
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SERVER legacy FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host :'host', port :'port', dbname :'dbname');
CREATE USER MAPPING FOR :"app" SERVER legacy OPTIONS (user :'user', password :'password');
