"""The HTTP status of each domain error: the API's error body, the recipients' pages and the staff pages
answer an error with the same one."""

from __future__ import annotations

from contacts.errors import (
    AuthenticationError,
    ConflictError,
    ContactsError,
    GoneError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

# The first kind an error is an instance of decides: GoneError before NotFoundError, its base.
STATUS = {ValidationError: 400, AuthenticationError: 401, PermissionDeniedError: 403, GoneError: 410, NotFoundError: 404,
          ConflictError: 409}


def status_of(error: ContactsError) -> int:
    """500 for an error no status is named for: a fault of ours."""
    return next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)
