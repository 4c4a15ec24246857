"""What every public page shares: its language, its headers, and its rate limits.

The language comes from `?lang=` (the switch on every page), else from Accept-Language; it is kept in
the URL, never in a cookie (REQ-11). Pages load nothing from elsewhere, and a strict Content-Security-Policy
says so to the browser. Links carry tokens, so pages are never cached and send no Referer.
"""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, Request, route
from litestar.datastructures import FormMultiDict, ResponseHeader
from litestar.enums import ScopeType
from litestar.response import Template
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from contacts.mail.wording import Words
from contacts.settings import Settings
from contacts.web.public.words import LANGUAGE_NAMES, PAGE_WORDS
from contacts.web.rate_counts import RateCounts
from contacts.web.rate_limits import RateLimit, is_post_to

LANGUAGES = tuple(PAGE_WORDS)
# The pages' forms are a few fields of text: a larger body is refused (413) before it is read into memory,
# where Litestar's default (10 MB) let a burst of large bodies hold hundreds of megabytes.
FORM_MAX_BODY = 256 * 1024

SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'")),
    ResponseHeader(name="Cache-Control", value="no-store"),
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
]


def page(path: str, **kwargs: Any):
    """A page's GET route, which also answers HEAD, as link checkers and some mail scanners ask first."""
    return route(path, http_method=[HttpMethod.GET, HttpMethod.HEAD], **kwargs)


def without_body_for_head(app: ASGIApp) -> ASGIApp:
    """Middleware: a HEAD request gets the GET answer's status and headers (its Content-Length too), no body."""
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "HEAD":
            await app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await app(scope, receive, send_headers_only)

    return middleware


async def read_form(request: Request) -> FormMultiDict:
    """The text fields of the posted form: no page takes a file, so file parts are dropped. Control
    characters were refused on the way in (contacts.web.input_checks), as a page."""
    form = await request.form()
    return FormMultiDict([(key, value) for key, value in form.multi_items() if isinstance(value, str)])


def page_language(request: Request) -> str:
    chosen = request.query_params.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    return accepted_language(request.headers.get("accept-language", ""))


def accepted_language(header: str) -> str:
    """The best of our languages by the Accept-Language q-values; French when none matches."""
    best, best_q = "fr", 0.0
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        q -= position * 1e-6  # equal q-values: the first listed wins
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def render(request: Request, template: str, language: str, status_code: int = 200, **context: Any) -> Template:
    other = next(code for code in LANGUAGES if code != language)
    return Template(
        template_name=f"public/{template}",
        context={
            "lang": language,
            "t": Words(language, PAGE_WORDS),
            "action": f"{request.url.path}?lang={language}",
            "switch_url": f"{request.url.path}?lang={other}",
            "other_lang": other,
            "language_names": LANGUAGE_NAMES,
            **context,
        },
        status_code=status_code,
    )


def rate_limits(settings: Settings, counts: RateCounts) -> tuple[list, list]:
    """Middleware for every public route, and the stricter one for signup requests, which send mail."""
    every_page = [RateLimit("public", settings.public_rate_limit, counts, settings.trusted_proxies)
                  ] if settings.public_rate_limit else []
    signups = [RateLimit("signup", settings.signup_rate_limit, counts, settings.trusted_proxies, is_post_to())
               ] if settings.signup_rate_limit else []
    return every_page, signups
