"""A guest's door pass: the staff-only check-in address, and its QR code for the confirmation mail.

The token names the guest list and the contact, sealed like every link token; the page it opens needs a
signed-in steward (web/staff), so a pass passed around reveals nothing and checks nobody in.
"""

from __future__ import annotations

import io

import segno

from contacts.settings import get_settings
from contacts.tokens import LinkToken, TokenAction, codec_for

CHECK_IN_PATH = "/staff/door/check-in/"


def check_in_token(list_id: int, contact_id: int) -> str:
    return codec_for(get_settings().secret_keys).seal(LinkToken(TokenAction.CHECK_IN, contact_id, list_id))


def open_check_in_token(token_text: str) -> LinkToken | None:
    """The pass's guest list (scope_id) and contact, if the token is genuine."""
    return codec_for(get_settings().secret_keys).open(token_text, TokenAction.CHECK_IN)


def check_in_url(list_id: int, contact_id: int) -> str:
    return f"{get_settings().base_url.rstrip('/')}{CHECK_IN_PATH}{check_in_token(list_id, contact_id)}"


def qr_code_png(url: str, scale: int = 6) -> bytes:
    """A PNG a phone's camera reads from a screen or from paper (error correction M, a quiet zone of 4)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
