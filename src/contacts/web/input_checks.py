"""Middleware: text a request brings in is checked once, at the edge, for every route: the path, the query
parameters, and the body of a form or of JSON (contacts.text_input says what text may hold). The path and
query of a recipient's page are left to the page: a token or a list's name that cannot be one gets the page
an unknown one gets (REQ-25), and a `lang` that is no language falls back to French, without reaching the
database.

A body is checked when the application first reads it, not before: a route that needs a token or a CSRF
token has checked it by then, so a stranger's body is never parsed. The whole body (within the route's size
limit) is read, checked, then handed on unchanged. A refusal is a ValidationError naming the field (or
`body` for a body that cannot be read: not UTF-8, not JSON, a broken multipart, JSON nested so deep that
decoding it would run out of stack): the API answers its error body, and staff and recipients' pages their
error page, from the same handlers as everything else.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from itertools import accumulate
from typing import Any
from urllib.parse import unquote_to_bytes

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send
from multipart import MultipartError, MultipartSegment, PushMultipartParser

from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.text_input import refuse_control_characters

# A route's opt that keeps its body out of the checks: it reads the bytes and stores none of them (the RFC 8058
# one-click, whose token decides whatever a mail client sends with it, REQ-29).
UNPARSED_BODY = "unparsed_body"
# Deeper than any body of the API (three levels) by far, and far from the interpreter's recursion limit.
MAX_JSON_DEPTH = 32
DEFAULT_MAX_BODY = 10_000_000  # Litestar's default, for a route that sets none
_NEITHER_QUOTE_NOR_BRACKET = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_QUOTED = re.compile(rb'"[^"]*"')
_DEPTH_STEP = [{ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}.get(byte, 0) for byte in range(256)]
# Valid JSON holds a control character only as an escape (DEL may also be raw), a surrogate only as an escape:
# a body with none of these (_may_hold_controls) needs no decoding here. A false alarm (an escaped backslash
# before a "b") only costs the decoding. The pattern starts with a literal, which the regex engine seeks fast.
_CONTROL_ESCAPE = re.compile(rb'\\u(?:00[01]|007[fF]|[dD][89a-fA-F])')


def bad_input_refuser(page_prefixes: tuple[str, ...]) -> Callable[[ASGIApp], ASGIApp]:
    """The middleware; the recipients' pages (under `page_prefixes`) answer a malformed path or query with the
    same page as an unknown token (REQ-25), so only their bodies are checked."""
    page_paths = tuple(f"{prefix}/" for prefix in page_prefixes)

    def refuse_bad_input(app: ASGIApp) -> ASGIApp:
        return _refusing(app, page_paths)

    return refuse_bad_input


def _refusing(app: ASGIApp, page_paths: tuple[str, ...]) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        if not scope["path"].startswith(page_paths):
            refuse_control_characters("path", scope["path"], multiline=False)
            for name, value in _url_encoded(scope["query_string"], "query"):
                refuse_control_characters(name, value, multiline=False)
        check = None if scope["route_handler"].opt.get(UNPARSED_BODY) else _BODY_CHECKS.get(_media_type(scope))
        await app(scope, _checked(scope, receive, check) if check else receive, send)

    return middleware


def check_body(scope: Scope, body: bytes) -> None:
    """The checks of a whole body, by the request's media type (a ValidationError when it is refused)."""
    if check := _BODY_CHECKS.get(_media_type(scope)):
        check(scope, body)


def _checked(scope: Scope, receive: Receive, check) -> Receive:
    """A `receive` that reads the whole body on the first call, checks it, then hands on the same messages."""
    ready: deque[ReceiveMessage] | None = None

    async def checked_receive() -> ReceiveMessage:
        nonlocal ready
        if ready is None:
            ready = deque()
            resolve_limit = getattr(scope["route_handler"], "resolve_request_max_body_size", None)
            limit = (resolve_limit() if resolve_limit else None) or DEFAULT_MAX_BODY
            size, chunks = 0, []
            while True:
                message = await receive()
                ready.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                chunks.append(message.get("body", b""))
                if size > limit:  # Litestar refuses it as too large: nothing to check
                    break
                if not message.get("more_body", False):
                    check(scope, b"".join(chunks))
                    break
        return ready.popleft() if ready else await receive()

    return checked_receive


def _media_type(scope: Scope) -> str:
    header = next((value for name, value in scope["headers"] if name == b"content-type"), b"")
    media_type = header.split(b";", 1)[0].strip().lower().decode("latin-1")
    return "application/json" if media_type.endswith("+json") else media_type


def _url_encoded(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Names and values of a query string or a url-encoded form, percent-escapes decoded as UTF-8."""
    if not raw.isascii():
        raise ValidationError(what, N_("is not URL-encoded: escape every byte that is not ASCII"))
    pairs = []
    for item in filter(None, raw.split(b"&")):
        name, _, value = item.replace(b"+", b" ").partition(b"=")
        try:
            name_text = unquote_to_bytes(name).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(what, N_("a name is not UTF-8")) from None
        refuse_control_characters(what, name_text, multiline=False)
        try:
            pairs.append((name_text, unquote_to_bytes(value).decode("utf-8")))
        except UnicodeDecodeError:
            raise ValidationError(name_text, N_("is not UTF-8 text")) from None
    return pairs


def _check_form(scope: Scope, body: bytes) -> None:
    for name, value in _url_encoded(body, "body"):
        refuse_control_characters(name, value)


def _check_multipart(scope: Scope, body: bytes) -> None:
    """Each part's name and text; a file's name but not its content (the import reads and checks its rows)."""
    header = next((value for name, value in scope["headers"] if name == b"content-type"), b"").decode("latin-1")
    boundary = re.search(r'boundary="?([^";]+)"?', header)
    if not boundary:
        return  # Litestar answers a missing boundary itself
    segment: MultipartSegment | None = None
    text = bytearray()
    try:
        with PushMultipartParser(boundary.group(1).encode("latin-1")) as parser:
            for event in parser.parse(body):
                if isinstance(event, MultipartSegment):
                    segment, text = event, bytearray()
                    _check_part_names(segment)
                elif event and segment is not None and not segment.filename:
                    text.extend(event)
                elif event is None and segment is not None and not segment.filename:
                    _check_part_text(segment, bytes(text))
    except (MultipartError, UnicodeDecodeError, LookupError):
        if segment is not None or body.strip():
            raise ValidationError("body", N_("is not a readable multipart/form-data body")) from None


def _check_part_names(segment: MultipartSegment) -> None:
    refuse_control_characters("body", segment.name or "", multiline=False)
    if segment.filename:
        refuse_control_characters(segment.name, segment.filename, multiline=False)
        refuse_control_characters(segment.name, segment.content_type or "", multiline=False)


def _check_part_text(segment: MultipartSegment, data: bytes) -> None:
    try:
        text = data.decode(segment.charset or "utf-8")
    except (UnicodeDecodeError, LookupError):
        raise ValidationError(segment.name, N_("is not UTF-8 text")) from None
    refuse_control_characters(segment.name, text)


def _check_json(scope: Scope, body: bytes) -> None:
    if not body.strip():
        return  # no body: the route's own default, or Litestar's refusal, applies
    if _json_depth(body) > MAX_JSON_DEPTH:
        raise ValidationError("body", N_("is nested deeper than %(limit)s levels"), limit=MAX_JSON_DEPTH)
    if not _may_hold_controls(body):
        return
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError as error:  # a lone surrogate escape ("\ud800") is one
        raise ValidationError("body", N_("is not valid JSON: %(error)s"), error=error) from None
    _check_json_text(document, "")


def _may_hold_controls(body: bytes) -> bool:
    return (b"\x7f" in body or b"\\b" in body or b"\\f" in body
            or (b"\\u" in body and _CONTROL_ESCAPE.search(body) is not None))


def _json_depth(body: bytes) -> int:
    """How deep the brackets outside strings go (a bound, for a body that is not JSON)."""
    if (opening := body.count(b"[") + body.count(b"{")) <= MAX_JSON_DEPTH:
        return opening
    # Keep the quotes and brackets alone (an escaped quote or backslash is no quote): strings become pairs of
    # quotes, empty unless they hold a bracket. Taking out the empty pairs leaves no quote at all only when no
    # string held a bracket (the quotes left of it would be odd in number); otherwise take out each string.
    reduced = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NEITHER_QUOTE_NOR_BRACKET)
    brackets = reduced.replace(b'""', b"")
    if b'"' in brackets:
        brackets = _QUOTED.sub(b"", reduced)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets), initial=0))


def _check_json_text(value: Any, where: str) -> None:
    if isinstance(value, str):
        refuse_control_characters(where or "body", value)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(where or "body", key)
            _check_json_text(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_text(item, f"{where}[{index}]")


_BODY_CHECKS = {"application/x-www-form-urlencoded": _check_form, "multipart/form-data": _check_multipart,
                "application/json": _check_json}
