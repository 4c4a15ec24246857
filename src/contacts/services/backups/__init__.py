"""Backups and restores of the database: `making` copies the live database (SQLite) or runs pg_dump
(PostgreSQL), `restoring` puts a SQLite backup back in place, `sqlite_files` copies and checks the files.
The secret key is never in a backup: it lives in the settings alone."""
