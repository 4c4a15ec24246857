"""Building the bytes of a campaign message, fast.

The stdlib `EmailMessage` costs about 3 ms per message to build and serialise, which would cap a
campaign at a few hundred messages a second. So the constant headers are encoded once per campaign
variant, and each recipient costs only their own headers and the quoted-printable encoding of their
two parts (binascii, in C). The result is `multipart/alternative`, text then HTML (REQ-37), with no
line over 76 octets but the headers a recipient's own values lengthen (REQ-38 allows 998), and the
RFC 8058 one-click headers (REQ-27).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr

from contacts.mail.render import RenderedParts, as_format, has_markers

CRLF = b"\r\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def single_line(value: str) -> str:
    """No CR, LF or other control character may reach a header: they would end it and start another."""
    return " ".join(_CONTROL.sub(" ", value).split())


def encode_header_value(value: str) -> str:
    """RFC 2047 for non-ASCII text, folded at 76 columns; ASCII as it is."""
    value = single_line(value)
    if value.isascii():
        return value
    return Header(value, "utf-8", maxlinelen=76).encode(linesep="\r\n")


def mailbox(name: str | None, address: str) -> str:
    """A From/To value. An address that needs SMTPUTF8 is written in UTF-8, as RFC 6532 allows."""
    name = single_line(name) if name else None
    if not address.isascii():
        quoted = (name or "").replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>' if name else address
    if name and not name.isascii():
        # RFC 2047 as `formataddr` writes it, without its cost: it measures both encodings to pick one.
        return f"=?utf-8?b?{base64.b64encode(name.encode()).decode('ascii')}?= <{address}>"
    return formataddr((name, address)) if name else address


_MESSAGE_ID_DIGITS = 24  # hex digits of the HMAC in a campaign's Message-ID


def message_id(secret: bytes, campaign_id: int, contact_id: int, domain: str) -> str:
    """Stable for a (campaign, contact): a repeat after a crash carries the same Message-ID, and the
    ids themselves are not readable from it."""
    digest = hmac.digest(secret, f"{campaign_id}:{contact_id}".encode(), "sha256").hex()[:_MESSAGE_ID_DIGITS]
    return f"<c{campaign_id}.{digest}@{domain}>"


_CAMPAIGN_MESSAGE_ID = re.compile(rf"<c(\d{{1,18}})\.[0-9a-f]{{{_MESSAGE_ID_DIGITS}}}@[^<>\s]+>")


def campaign_of(message_id: str) -> int | None:
    """The campaign a Message-ID written by `message_id` names; None for any other."""
    found = _CAMPAIGN_MESSAGE_ID.fullmatch(message_id.strip())
    return int(found[1]) if found else None


@dataclass(frozen=True)
class MessageSkeleton:
    """Everything a campaign variant's messages share, encoded once."""

    constant_headers: bytes
    boundary: bytes

    @classmethod
    def build(
        cls,
        *,
        from_name: str,
        from_address: str,
        subject: str,
        list_id: str | None,
        boundary_seed: str,
        automatic: bool = True,
    ) -> MessageSkeleton:
        lines = [
            f"From: {mailbox(from_name, from_address)}",
            f"Subject: {encode_header_value(subject)}",
            "MIME-Version: 1.0",
        ]
        if list_id:
            lines.append(f"List-Id: {list_id}")
        if automatic:
            lines.append("Auto-Submitted: auto-generated")  # RFC 3834: no auto-replies, please
            lines.append("Precedence: bulk")
        boundary = "=_contacts_" + hashlib.sha256(boundary_seed.encode()).hexdigest()[:32]
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        return cls(constant_headers=("\r\n".join(lines) + "\r\n").encode("utf-8"), boundary=boundary.encode())

    def message(
        self,
        *,
        to: str,
        message_id: str,
        date: datetime,
        parts: RenderedParts | tuple[bytes, bytes],
        unsubscribe_url: str | None,
        unsubscribe_mailto: str | None = None,
    ) -> bytes:
        """`parts`: rendered, or already quoted-printable encoded (text, HTML) as `EncodedTemplate` gives them."""
        text, page = (_quoted_printable(parts.text), _quoted_printable(parts.html)) if isinstance(parts, RenderedParts) else parts
        own = [f"To: {to}", f"Date: {_date_header(date.replace(microsecond=0))}", f"Message-ID: {message_id}"]
        if unsubscribe_url:
            targets = [f"<{unsubscribe_url}>"] + ([f"<{unsubscribe_mailto}>"] if unsubscribe_mailto else [])
            own.append(f"List-Unsubscribe: {', '.join(targets)}")
            own.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        head = ("\r\n".join(own) + "\r\n").encode("utf-8") + self.constant_headers
        marker = b"--" + self.boundary
        return b"".join(
            [
                head, CRLF,
                marker, CRLF, _TEXT_HEADERS, CRLF, text, CRLF,
                marker, CRLF, _HTML_HEADERS, CRLF, page, CRLF,
                marker, b"--", CRLF,
            ]
        )


@functools.lru_cache(maxsize=4)
def _date_header(date: datetime) -> str:
    """Messages sent in the same second share it: formatting costs more than the rest of the headers."""
    return format_datetime(date)


def _part_headers(content_type: str) -> bytes:
    return f'Content-Type: {content_type}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n'.encode()


_TEXT_HEADERS = _part_headers("text/plain")
_HTML_HEADERS = _part_headers("text/html")


@dataclass(frozen=True)
class EncodedTemplate:
    """A variant's part, quoted-printable encoded once: per message, only the lines that hold a marker are
    filled and encoded (b2a_qp was the costliest step of composing). Quoted-printable encodes each line on
    its own, so the result is byte for byte the encoding of the filled whole, as long as every chunk but
    the last ends a line."""

    chunks: tuple[bytes | str, ...]  # encoded constant lines, or a run of lines with markers as a format template

    @classmethod
    def of(cls, template: str) -> EncodedTemplate:
        chunks: list[bytes | str] = []
        run: list[str] = []
        marked = False  # whether `run` holds lines with markers, or constant lines
        lines = template.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for number, line in enumerate(lines):
            line += "\n" if number < len(lines) - 1 else ""
            holds_markers = has_markers(line)
            if holds_markers != marked and run:
                chunks.append(as_format("".join(run)) if marked else _quoted_printable("".join(run)))
                run = []
            marked = holds_markers
            run.append(line)
        if run:
            chunks.append(as_format("".join(run)) if marked else _quoted_printable("".join(run)))
        return cls(tuple(chunks))

    def encode(self, values: Mapping[str, str]) -> bytes:
        """With one recipient's values, escaped already for an HTML part (`render.escaped`)."""
        return b"".join(chunk if isinstance(chunk, bytes) else _quoted_printable(chunk.format_map(values))
                        for chunk in self.chunks)


def _quoted_printable(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")  # no bare CR reaches the wire
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False).replace(b"\n", CRLF)
