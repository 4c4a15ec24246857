"""What free text the product accepts, from any door (API, pages, CLI): no control characters.

PostgreSQL refuses a NUL in text (a server error) where SQLite stores it, and a NUL matches every row of a
LIKE search on SQLite: so a NUL, and the other C0 controls, DEL and lone surrogates, are refused where the
text comes in, the same on both engines. Tab and line breaks are text in a multi-line field (a message's
body, a reason); a one-line value (a parameter, a path, a name typed on the command line) has no use for them.
"""

from __future__ import annotations

import re

from contacts.errors import ValidationError
from contacts.i18n import N_

# Primary keys and integer columns are 32-bit on PostgreSQL: a larger number is refused before any query.
INT32_MAX = 2_147_483_647

_MULTILINE_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_ONE_LINE_CONTROLS = r"\x00-\x1f\x7f"
_IN_MULTILINE_TEXT = re.compile(rf"[{_MULTILINE_CONTROLS}\ud800-\udfff]")
_IN_ONE_LINE = re.compile(rf"[{_ONE_LINE_CONTROLS}\ud800-\udfff]")
# The same rule as JSON Schema patterns (ECMA-262 and Python alike), for the API's schema. Lone surrogates are
# left out: JSON Schema's strings are Unicode text, which holds none, and a validator without the `u` flag would
# read the halves of an emoji as surrogates. The `_TEXT` ones also ask for a character that is not a space.
MULTILINE_PATTERN = rf"^[^{_MULTILINE_CONTROLS}]*$"
ONE_LINE_PATTERN = rf"^[^{_ONE_LINE_CONTROLS}]*$"
MULTILINE_TEXT_PATTERN = rf"^[^{_MULTILINE_CONTROLS}]*[^\s{_ONE_LINE_CONTROLS}][^{_MULTILINE_CONTROLS}]*$"
ONE_LINE_TEXT_PATTERN = rf"^[^{_ONE_LINE_CONTROLS}]*[^\s{_ONE_LINE_CONTROLS}][^{_ONE_LINE_CONTROLS}]*$"


def control_character(text: str, *, multiline: bool = True) -> str | None:
    """The first character `text` may not hold, shown as U+XXXX; None when it is clean."""
    found = (_IN_MULTILINE_TEXT if multiline else _IN_ONE_LINE).search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def row_id(text: str) -> int | None:
    """A positive 32-bit number written in ASCII digits (a form's id or count), or None: `str.isdigit` also
    takes "²", which int() refuses, and int() refuses more than 4,300 digits."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    number = int(text)
    return number if 1 <= number <= INT32_MAX else None


def refuse_control_characters(field: str, text: str, *, multiline: bool = True) -> None:
    if (character := control_character(text, multiline=multiline)) is not None:
        raise ValidationError(field, N_("contains a control character (%(character)s), which no text may hold"),
                character=character)
