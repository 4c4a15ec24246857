-- Two roles, least privilege: contacts_owner owns the tables and runs `contacts migrate` (its URL in
-- /etc/contacts/migrate.env); contacts_app, which serve, worker, inbound and backup use, may read and
-- write rows and nothing else: no table created, altered or dropped. Run once, as a superuser:
--     sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/postgresql/roles.sql
-- then give each role its password: sudo -u postgres psql -c '\password contacts_owner' (and contacts_app).
CREATE ROLE contacts_owner LOGIN;
CREATE ROLE contacts_app LOGIN;
CREATE DATABASE contacts OWNER contacts_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE contacts FROM PUBLIC;
GRANT CONNECT ON DATABASE contacts TO contacts_app;

\connect contacts
-- Nobody but the owner creates anything in the schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO contacts_owner;
GRANT USAGE ON SCHEMA public TO contacts_app;
-- What the owner creates (every migration's tables and sequences), contacts_app may use.
ALTER DEFAULT PRIVILEGES FOR ROLE contacts_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO contacts_app;
ALTER DEFAULT PRIVILEGES FOR ROLE contacts_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO contacts_app;
