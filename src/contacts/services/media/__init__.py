"""The media library (issue 20): images staff upload for campaigns, re-encoded without metadata (images, no
database) and kept in the database, served at /media/<content hash>.<ext> (library)."""
