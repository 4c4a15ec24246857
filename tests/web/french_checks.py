"""What every French output is checked for: French typography (a narrow no-break space before : ; ! ? and
inside « », none missing and no ordinary space there) and no English sentence of the catalogue."""

from __future__ import annotations

import functools
import html as html_module
import re

from contacts.i18n import translations

# Text between tags, leaving out what is not prose (style, script, code, pre), what is marked English, and
# the tags themselves.
_NOT_PROSE = re.compile(r"<(style|script|code|pre)\b.*?</\1\s*>|<(\w+)\b[^>]*\blang=\"en\"[^>]*>.*?</\2\s*>"
                        r"|<!--.*?-->|<[^>]*>", re.DOTALL | re.IGNORECASE)
# A sign that ends a phrase (followed by a space or the end of a text) with anything but U+202F before it.
_BAD_SIGN = re.compile(r"(?<![\u202f\u00a0])[:;!?](?=\s|$)")
_BAD_GUILLEMETS = re.compile(r"«(?!\u202f)|(?<!\u202f)»")


def typography_faults(page: str, html: bool = True) -> list[str]:
    """Each fault with a little of the text around it."""
    faults = []
    # Joined: a sign right after a closing tag counts with the word before the tag.
    text = html_module.unescape(_NOT_PROSE.sub("", page)) if html else page
    for pattern in (_BAD_SIGN, _BAD_GUILLEMETS):
        faults += [text[max(0, m.start() - 30):m.end() + 10] for m in pattern.finditer(text)]
    return faults


@functools.cache
def english_sentences() -> tuple[str, ...]:
    """The catalogue's English sentences that French says otherwise: each one's longest run of words
    without a placeholder or a tag, when it is long enough to be a sentence and not a name."""
    french = translations("fr")
    found = set()
    for msgid in translations("en")._catalog:  # type: ignore[attr-defined]
        text = msgid[0] if isinstance(msgid, tuple) else msgid
        if not text or french.gettext(text) == text:
            continue
        runs = re.split(r"%\([a-z_]+\)s|<[^>]*>", text)
        longest = max(runs, key=len).strip(" .,:;()")
        if len(longest) >= 24 and longest.count(" ") >= 3:
            found.add(longest)
    return tuple(sorted(found))


def assert_reads_in_french(page: str, where: str, html: bool = True) -> None:
    faults = typography_faults(page, html)
    assert faults == [], (where, faults)
    text = page.replace("\u2019", "'").replace("&#39;", "'").replace("\u202f", " ")
    english = [sentence for sentence in english_sentences() if sentence in text]
    assert english == [], (where, english)
