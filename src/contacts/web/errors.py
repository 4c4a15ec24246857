"""One error body for the whole API: {"error": {"status", "code", "message", "field"}}.

The recipients' pages answer their errors as pages instead (contacts.web.public.errors): the same handlers
ask which kind of path failed, so that a path that matched no route is answered like the rest of its kind.
"""

from __future__ import annotations

import logging
import re

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from contacts.errors import (
    ApprovalRequiredError,
    AuthenticationError,
    ContactsError,
    OwnApprovalError,
    PermissionDeniedError,
    ValidationError,
)
from contacts.web.error_status import status_of
from contacts.web.public import errors as pages
from contacts.web.staff.pages import refused_by_litestar

log = logging.getLogger(__name__)

# The first kind an error is wins: the specific ones before their parents.
CODES = {ApprovalRequiredError: "approval_required", OwnApprovalError: "own_approval",
         AuthenticationError: "unauthenticated", PermissionDeniedError: "forbidden"}


class ErrorDetail(msgspec.Struct):
    status: int  # the HTTP status, again
    code: str  # validation, unauthenticated, forbidden, notfound, conflict, http (refused by Litestar), internal…
    message: str
    field: str | None  # the parameter or body field at fault, if one is


class ErrorBody(msgspec.Struct):
    """Every error the API answers; the OpenAPI schema documents this very type (contacts.web.api.responses)."""

    error: ErrorDetail


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return Response(ErrorBody(ErrorDetail(status, code, message, field)), status_code=status, headers=headers)


def domain_error(request: Request, error: ContactsError) -> Response:
    status = status_of(error)
    if pages.is_page(request):
        return pages.error_page(request, status) if status < 500 else pages.internal_error_page(request, error)
    field = error.field if isinstance(error, ValidationError) else None
    message = error.message if isinstance(error, ValidationError) else str(error)
    code = next((code for kind, code in CODES.items() if isinstance(error, kind)), None)
    response = error_response(status, code or type(error).__name__.removesuffix("Error").lower() or "error", message,
                              field)
    if isinstance(error, AuthenticationError):
        response.headers["WWW-Authenticate"] = 'Bearer realm="contacts"'
    return response


def http_error(request: Request, error: HTTPException) -> Response:
    if request.scope.get("path", "").startswith("/staff/"):  # no staff route matched: a staff page still
        return refused_by_litestar(request, error)
    if pages.is_page(request):
        if error.status_code >= 500:
            return pages.internal_error_page(request, error)
        return pages.error_page(request, error.status_code, error.headers)
    if isinstance(error, ValidationException) and isinstance(error.extra, list) and error.extra:
        # Litestar names the parameter or body field it could not read: say which, and why.
        first = error.extra[0] if isinstance(error.extra[0], dict) else {}
        field = first.get("key") or None
        if field == "data":  # the body: msgspec names the field inside its message
            inner = re.search(r"at `\$\.([^`]+)`|field `([^`]+)`", str(first.get("message", "")))
            field = next(name for name in inner.groups() if name) if inner else field
        message = f"{field}: {first.get('message')}" if field and first.get("message") else error.detail
        return error_response(error.status_code, "validation", message, field)
    return error_response(error.status_code, "http", error.detail, headers=error.headers)


def unexpected_error(request: Request, error: Exception) -> Response:
    if pages.is_page(request):
        return pages.internal_error_page(request, error)
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return error_response(500, "internal", "internal server error")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ContactsError: domain_error, HTTPException: http_error, Exception: unexpected_error}
