-- Runs once, on the first start of docker-compose.yml's postgres (docker-entrypoint-initdb.d).
-- Mirrors what infra/local/postgres.sh ensures on a machine without Docker: a login role that may
-- create databases (tests make and drop their own) and one database per service, owned by it.
CREATE ROLE lendstack LOGIN CREATEDB PASSWORD 'lendstack';
CREATE DATABASE lendstack_los OWNER lendstack;
CREATE DATABASE lendstack_lms OWNER lendstack;
