"""One gettext catalogue for every word the product shows, in French and English.

The catalogues are `locale/<lang>/LC_MESSAGES/messages.po`, with the English text as message id. They are
compiled in memory the first time a language is asked for (Babel's .po reader and .mo writer), so a fresh
clone needs no build step; each language is compiled once per process. Code marks text with `N_` where it
is defined (a dict of notices, a title) and translates it with `gettext(lang, text)` where it is shown.
"""

from __future__ import annotations

import functools
import gettext as stdlib_gettext
import io
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
PARIS = ZoneInfo("Europe/Paris")


def locale_dir() -> Path:
    # A checkout (or editable install) has locale/ at the top, next to templates/; an installed wheel
    # ships none, so CONTACTS_LOCALE_DIR must then point at a copy.
    configured = os.environ.get("CONTACTS_LOCALE_DIR", "").strip()
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "locale"


def language_of(value: object) -> str:
    """One of our languages: the value when it is one, French otherwise."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def translations(lang: str) -> stdlib_gettext.GNUTranslations:
    """The language's catalogue, compiled from its .po file once per process. Fuzzy entries are left out."""
    from babel.messages.mofile import (
        write_mo,  # Babel is imported when first needed: the command line
    )
    from babel.messages.pofile import (
        read_po,  # marks its messages with N_ and starts without it
    )

    with (locale_dir() / language_of(lang) / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language_of(lang))
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return stdlib_gettext.GNUTranslations(compiled)


def N_(text: str) -> str:  # noqa: N802 - the name pybabel extracts by default
    """Marks text for the catalogue where it is defined; it is translated where it is shown."""
    return text


def gettext(lang: str, text: str, **values: object) -> str:
    translated = translations(lang).gettext(text)
    return translated % values if values else translated


def ngettext(lang: str, singular: str, plural: str, count: int, **values: object) -> str:
    translated = translations(lang).ngettext(singular, plural, count)
    return translated % {"num": count, **values}


def translator(lang: str) -> Callable[..., str]:
    """`_` for one language: `_("text")`, `_("%(n)s left", n=3)`."""
    return functools.partial(gettext, language_of(lang))


Key = TypeVar("Key")


class Table(Mapping[str, dict[Key, str]], Generic[Key]):
    """Words by key, written in English and translated by the catalogue: `table["fr"][key]`. Each language's
    dict is made once, on first use: a template or a campaign looks words up in a dict, not the catalogue."""

    def __init__(self, words: dict[Key, str]) -> None:
        self.words = words
        self._resolved: dict[str, dict[Key, str]] = {}

    def __getitem__(self, lang: str) -> dict[Key, str]:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        if lang not in self._resolved:
            self._resolved[lang] = {key: gettext(lang, text) for key, text in self.words.items()}
        return self._resolved[lang]

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


# Dates and numbers, by Babel for the language, in Paris time: "6 décembre 2026 à 15:42".
def when(value: datetime | date | str | None, lang: str, with_time: bool = True) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    from babel import Locale
    from babel.dates import format_date, format_datetime

    locale = Locale.parse(_DATE_LOCALES[language_of(lang)])
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
        if not with_time:
            return format_date(moment.astimezone(PARIS).date(), format="long", locale=locale)
        return format_datetime(moment, format=_DATETIME_FORMATS[locale.language], tzinfo=PARIS, locale=locale)
    return format_date(value, format="long", locale=locale)


def opening(value: datetime, lang: str) -> str:
    """A moment within the coming days, with its weekday and no year: "lundi 7 décembre à 08:00"."""
    from babel import Locale
    from babel.dates import format_datetime

    locale = Locale.parse(_DATE_LOCALES[language_of(lang)])
    return format_datetime(value, format=_OPENING_FORMATS[locale.language], tzinfo=PARIS, locale=locale)


_OPENING_FORMATS = {"fr": "EEEE d MMMM 'à' HH:mm", "en": "EEEE d MMMM 'at' HH:mm"}
_DATETIME_FORMATS = {"fr": "d MMMM y 'à' HH:mm", "en": "d MMMM y 'at' HH:mm"}
# English dates as a British reader writes them (6 December 2026), next to the French ones.
_DATE_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _parsed(text: str) -> datetime | date | str:
    try:
        return datetime.fromisoformat(text) if "T" in text or " " in text.strip() else date.fromisoformat(text)
    except ValueError:
        return text


def number(value: int | float, lang: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=language_of(lang))


class Phrase:
    """A sentence kept as its catalogue message and values, said later in whichever language is asked:
    `str()` is the English one (logs, JSON), `said_in("fr")` the French one. A value may be a Phrase, or a
    date, which is written in words in the language and as ISO in `str()`."""

    def __init__(self, template: str, **values: object) -> None:
        self.template, self.values = template, values

    def said_in(self, lang: str) -> str:
        values = {name: _value_in(value, lang) for name, value in self.values.items()}
        return gettext(lang, self.template, **values)

    def __str__(self) -> str:
        values = {name: str(value) if isinstance(value, Phrase) else
                  (value.isoformat() if isinstance(value, date) else value) for name, value in self.values.items()}
        return self.template % values if values else self.template

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def _value_in(value: object, lang: str) -> object:
    if isinstance(value, Phrase):
        return value.said_in(lang)
    if isinstance(value, date):
        return when(value, lang, with_time=False)
    return value
