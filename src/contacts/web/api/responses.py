"""The error answers each API route documents, with the one error body every error has (contacts.web.errors)."""

from __future__ import annotations

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example

from contacts.web.errors import ErrorBody

# Each status: what it means, and an error it is answered with.
REFUSALS = {
    400: ("A parameter or a body field is wrong: `field` names it",
          ("validation", "per_page: must be between 1 and 200", "per_page")),
    401: ("No valid personal API token in `Authorization: Bearer …`",
          ("unauthenticated", "send a personal API token: Authorization: Bearer <token>", None)),
    403: ("The caller's role may not do this, or not for this list's purpose",
          ("forbidden", "the read_only role may not send", None)),
    404: ("Nothing with this id or slug, or nothing the caller's role may see", ("notfound", "no campaign 7", None)),
    409: ("Not in a state that allows this", ("conflict", "campaign 7 is cancelled; cannot pause it", None)),
    413: ("The request's body is larger than the route takes", ("http", "Request Entity Too Large", None)),
}


def refusals(*statuses: int) -> dict[int, ResponseSpec]:
    """401, since every route needs a token, and the statuses given: each one that the route can answer."""
    return {status: _refusal(status) for status in sorted({401, *statuses})}


def _refusal(status: int) -> ResponseSpec:
    description, (code, message, field) = REFUSALS[status]
    example = {"error": {"status": status, "code": code, "message": message, "field": field}}
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False,
                        examples=[Example(summary=code, value=example)])
