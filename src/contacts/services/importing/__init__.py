"""CSV import of contacts into a list (REQ-2, REQ-39/40, REQ-42/43)."""

from contacts.services.importing.run import (
    COUNT_KEYS,
    ImportOptions,
    ImportReport,
    run_import,
)

__all__ = ["COUNT_KEYS", "ImportOptions", "ImportReport", "run_import"]
