"""French typography, done in one place for every French output (pages, mails, exports).

A narrow no-break space (U+202F) goes before `: ; ! ?` and inside « guillemets », replacing an ordinary
space or added where none was; straight apostrophes between letters become ’. URLs (`https://`), times
(`10:30`), query strings (`?lang=fr`), HTML tags and their attributes, entities, <style>, <script>, <code>,
<pre> and elements marked lang="en" are left as they are.
"""

from __future__ import annotations

import re

from markupsafe import Markup

NNBSP = "\u202f"
_SPACED_SIGN = re.compile(r"(?<=[\w»)\]}’%*\"])[ \u00a0]+([:;!?])(?=\s|$|[»)\"<])")
_AFTER_OPENING = re.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSING = re.compile(r"[ \u00a0\u202f]*»")
_APOSTROPHE = re.compile(r"(?<=[^\W\d_])(?:'|&#39;|&#x27;)(?=[^\W\d_])")
_WORDY = re.compile(r"[^\W_]|[»)\]’]")
_LEADING_SIGN = re.compile(r"^[ \u00a0]*([:;!?])(?=\s|$|[»)<])")
_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
# In HTML: what is left alone, whole (tags, and the insides of style, script, code and pre).
# An element marked lang="en" (an English name or preview on a French page) is English: left alone too.
_PROTECTED = re.compile(r"<(style|script|code|pre)\b.*?</\1\s*>|<(\w+)\b[^>]*\blang=\"en\"[^>]*>.*?</\2\s*>"
                        r"|<!--.*?-->|<[^>]*>", re.DOTALL | re.IGNORECASE)


def french(text: str) -> str:
    """Plain text (a mail's text part, a CSV cell, a message) set in French typography."""
    return _prose(text)


def french_html(markup: str) -> Markup:
    """An HTML document or fragment set in French typography, only in its text between tags."""
    pieces: list[str] = []
    last, previous = 0, ""
    for match in _PROTECTED.finditer(markup):
        previous = _text_piece(pieces, markup[last:match.start()], previous)
        pieces.append(match.group(0))
        # An element's own words (`<span lang="en">Journalists</span> !`) count as the word before a sign.
        words = _TAG.sub("", match.group(0)).rstrip()
        previous = words[-1] if words and not match.group(0).startswith(("<style", "<script")) else previous
        last = match.end()
    _text_piece(pieces, markup[last:], previous)
    return Markup("".join(pieces))


def _text_piece(pieces: list[str], text: str, previous: str) -> str:
    """Adds the text, set; a sign that starts it after a word that ended the previous text
    (`<a>ici</a>!`) gets its space too. Returns the last character of text so far."""
    text = _prose(text, html=True)
    if previous and _WORDY.match(previous):
        text = _LEADING_SIGN.sub(NNBSP + r"\1", text, count=1)
    pieces.append(text)
    stripped = text.rstrip()
    return stripped[-1] if stripped else previous if not text else " "


def _prose(text: str, html: bool = False) -> str:
    if not text or text.isspace():
        return text
    entities: list[str] = []
    if html:
        def hold(match: re.Match[str]) -> str:
            if match.group(0) in ("&#39;", "&#x27;"):
                return match.group(0)
            entities.append(match.group(0))
            return f"\x00{len(entities) - 1}\x00"
        text = _ENTITY.sub(hold, text)
    text = _APOSTROPHE.sub("’", text)
    text = _AFTER_OPENING.sub("«" + NNBSP, text)
    text = _BEFORE_CLOSING.sub(NNBSP + "»", text)
    text = _SPACED_SIGN.sub(NNBSP + r"\1", text)
    text = _UNSPACED_SIGN.sub(NNBSP + r"\1", text)
    if entities:
        text = re.sub(r"\x00(\d+)\x00", lambda m: entities[int(m.group(1))], text)
    return text


# A sign right after a word or a number with no space at all ("clic:"), when a space or the end follows:
# never inside a URL, a time (10:30) or a code (list:press).
_UNSPACED_SIGN = re.compile(r"(?<=[^\W_]|[»)\]}’%*\"])(?<!https)(?<!http)(?<!mailto)([:;!?])(?=\s|$|[»)<])")
