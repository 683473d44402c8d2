-- Roles and databases of the local stack; run by postgres.sh as the cluster's superuser on every start.
-- Idempotent; the timescaledb extension, when installed, is created by postgres.sh afterwards.
SELECT 'CREATE ROLE stableyield LOGIN SUPERUSER'
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stableyield') \gexec
SELECT 'CREATE DATABASE stableyield OWNER stableyield'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'stableyield') \gexec
SELECT 'CREATE DATABASE stableyield_test OWNER stableyield'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'stableyield_test') \gexec
