"""One error body for the whole API: {"error": {"status", "code", "message", "field"}}.

The recipients' pages answer their errors as pages instead (contacts.web.public.errors): the same handlers
ask which kind of path failed, so that a path that matched no route is answered like the rest of its kind.
"""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.exceptions import HTTPException

from contacts.errors import ConflictError, ContactsError, NotFoundError, ValidationError
from contacts.web.public import errors as pages

log = logging.getLogger(__name__)

STATUS = {ValidationError: 400, NotFoundError: 404, ConflictError: 409}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return Response({"error": {"status": status, "code": code, "message": message, "field": field}}, status_code=status,
                    headers=headers)


def domain_error(request: Request, error: ContactsError) -> Response:
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 500)
    if pages.is_page(request):
        return pages.error_page(request, status) if status < 500 else pages.internal_error_page(request, error)
    field = error.field if isinstance(error, ValidationError) else None
    message = error.message if isinstance(error, ValidationError) else str(error)
    return error_response(status, type(error).__name__.removesuffix("Error").lower() or "error", message, field)


def http_error(request: Request, error: HTTPException) -> Response:
    if pages.is_page(request):
        if error.status_code >= 500:
            return pages.internal_error_page(request, error)
        return pages.error_page(request, error.status_code, error.headers)
    return error_response(error.status_code, "http", error.detail, headers=error.headers)


def unexpected_error(request: Request, error: Exception) -> Response:
    if pages.is_page(request):
        return pages.internal_error_page(request, error)
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal", "internal server error")


EXCEPTION_HANDLERS = {ContactsError: domain_error, HTTPException: http_error, Exception: unexpected_error}
