"""The messenger: rendering, message building, wording and SMTP transport, with no database. The services
(notices to one person) and the sending engine (campaigns) both mail through it; it imports neither."""
