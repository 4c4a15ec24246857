"""HTTP: api/ (JSON), admin/ (staff pages), public/ (recipients' pages)."""
