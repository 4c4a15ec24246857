"""What a recipient's page answers when it cannot show what was asked: a page in the person's language,
with the headers of every public page, never the API's JSON error body and never a traceback.

Paths under the pages' prefixes get it whether or not a route matched (`/u/` with no token, `/subscribe/`
of a list that has no public signup, a method the page does not take), and so do the rate limiter's 429
(with Retry-After) and anything that goes wrong inside a page (a 500, logged). Other paths, such as
/health and the API, keep the JSON body.
"""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response

from contacts.web.public.pages import SECURITY_HEADERS, page_language, render
from contacts.web.public.routes import PAGE_PREFIXES

log = logging.getLogger(__name__)

# Headers of an error that the page keeps: the method a 405 allows, the rate limiter's counters.
KEPT_HEADERS = ("allow", "ratelimit-policy", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def is_page(request: Request) -> bool:
    path = request.scope.get("path", "")
    return any(path == prefix or path.startswith(f"{prefix}/") for prefix in PAGE_PREFIXES)


def error_page(request: Request, status_code: int, headers: dict[str, str] | None = None) -> Response:
    """The error page for this status: its own words for 404, 405, 410, 429 and 500, general ones otherwise."""
    kept = {name: value for name, value in (headers or {}).items() if name.lower() in KEPT_HEADERS}
    if status_code == 429:
        reset = next((value for name, value in kept.items() if name.lower() == "ratelimit-reset"), "")
        kept["Retry-After"] = str(max(1, int(reset))) if reset.isdigit() else "60"
    kept.update({header.name: header.value or "" for header in SECURITY_HEADERS})  # each has its value
    kind = status_code if status_code in (404, 405, 410, 429, 500) else (500 if status_code >= 500 else 400)
    page = render(request, "error.html", page_language(request), status_code=status_code, kind=kind)
    if request.method == "HEAD":
        # The answer may go out where the pages' middleware does not strip bodies (no route matched, or the
        # rate limiter said no): send the page's length alone here, as for any HEAD.
        assert request.app.template_engine is not None  # the pages are templates
        body = request.app.template_engine.get_template(page.template_name).render(**page.context).encode()
        return Response(b"", status_code=status_code, headers={**kept, "Content-Length": str(len(body))},
                        media_type=MediaType.HTML)
    page.headers.update(kept)
    return page


def internal_error_page(request: Request, error: Exception) -> Response:
    log.error("a recipient's page failed: %s %s", request.method, _path_without_token(request), exc_info=error)
    return error_page(request, 500)


def _path_without_token(request: Request) -> str:
    """Logs never carry a token: it is the key to the person's preferences."""
    return "/".join(request.url.path.split("/")[:2]) + "/…"
