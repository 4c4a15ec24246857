"""One error body for the whole API: {"error": {"status", "code", "message", "field"}}."""

from __future__ import annotations

from litestar import Request, Response
from litestar.exceptions import HTTPException

from contacts.errors import ConflictError, ContactsError, NotFoundError, ValidationError

STATUS = {ValidationError: 400, NotFoundError: 404, ConflictError: 409}


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    return Response({"error": {"status": status, "code": code, "message": message, "field": field}}, status_code=status)


def domain_error(_: Request, error: ContactsError) -> Response:
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)
    field = error.field if isinstance(error, ValidationError) else None
    message = error.message if isinstance(error, ValidationError) else str(error)
    return error_response(status, type(error).__name__.removesuffix("Error").lower() or "error", message, field)


def http_error(_: Request, error: HTTPException) -> Response:
    return error_response(error.status_code, "http", error.detail)


EXCEPTION_HANDLERS = {ContactsError: domain_error, HTTPException: http_error}
