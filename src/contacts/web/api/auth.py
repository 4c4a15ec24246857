"""Who is calling the API: a personal API token in `Authorization: Bearer …` (REQ-24)."""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.openapi.spec import Components, SecurityScheme

from contacts.errors import AuthenticationError
from contacts.services.staff import accounts as staff
from contacts.services.staff.accounts import Staff

SECURITY_COMPONENTS = Components(security_schemes={
    "apiToken": SecurityScheme(type="http", scheme="bearer",
                               description="A personal API token from `contacts user token USERNAME --name NAME`."),
})
SECURITY: list[dict[str, list[str]]] = [{"apiToken": []}]


async def require_token(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """A guard: it runs before the body is read, so a caller without a valid token never has it parsed. OPTIONS
    (Litestar's own handler, which reads nothing and only says which methods a path takes) needs no token."""
    if connection.scope.get("method") == "OPTIONS":  # an HTTP scope always has one
        return
    scheme, _space, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("send a personal API token: Authorization: Bearer <token>")
    connection.state.staff = await staff.staff_for_token(token.strip())


async def provide_staff(request: Request) -> Staff:
    """The caller, as the guard found them."""
    return request.state.staff
