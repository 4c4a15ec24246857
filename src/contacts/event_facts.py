"""What a guest reads about an event, in their language: its title, its date and its place.

Database-free, so that the invitation mail (sending), the RSVP page, the guest's mails and the calendar
file all say it the same way. Dates are Babel's, in Europe/Paris.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contacts.i18n import N_, PARIS, gettext, language_of

# What the invitation mail, the RSVP page and the guest's mails name (catalogue entries).
WHEN_SAME_DAY = N_("%(day)s, from %(start)s to %(end)s")
WHEN_SPAN = N_("from %(start)s to %(end)s")
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@dataclass(frozen=True)
class EventFacts:
    id: int
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    starts_at: datetime
    ends_at: datetime
    place_name: str
    place_address: str
    companions_allowed: bool
    capacity: int | None = None
    rsvp_deadline: datetime | None = None
    cancelled_at: datetime | None = None
    calendar_uid: str = ""
    calendar_sequence: int = 0

    @classmethod
    def of(cls, row: dict) -> EventFacts:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def title(self, lang: str) -> str:
        """In the language asked for, else in the other one (an event may be titled in French only)."""
        return (self.title_en or self.title_fr) if language_of(lang) == "en" else (self.title_fr or self.title_en)

    def description(self, lang: str) -> str:
        return (self.description_en or self.description_fr) if language_of(lang) == "en" else (
            self.description_fr or self.description_en)

    def when(self, lang: str) -> str:
        """"samedi 12 décembre 2026, de 18:30 à 21:00", or both moments in full when it spans days."""
        return event_when(self.starts_at, self.ends_at, lang)

    def place(self) -> str:
        return ", ".join(part for part in (self.place_name, " ".join(self.place_address.split())) if part)

    def accepts_answers(self, now: datetime) -> bool:
        return self.cancelled_at is None and now < self.ends_at and (
            self.rsvp_deadline is None or now <= self.rsvp_deadline)


def event_when(starts_at: datetime, ends_at: datetime, lang: str) -> str:
    from babel.dates import format_datetime

    lang = language_of(lang)
    locale = _LOCALES[lang]
    start, end = starts_at.astimezone(PARIS), ends_at.astimezone(PARIS)
    if start.date() == end.date():
        return gettext(lang, WHEN_SAME_DAY, day=format_datetime(start, "EEEE d MMMM y", tzinfo=PARIS, locale=locale),
                       start=format_datetime(start, "HH:mm", tzinfo=PARIS, locale=locale),
                       end=format_datetime(end, "HH:mm", tzinfo=PARIS, locale=locale))
    full = "EEEE d MMMM y, HH:mm"
    return gettext(lang, WHEN_SPAN, start=format_datetime(start, full, tzinfo=PARIS, locale=locale),
                   end=format_datetime(end, full, tzinfo=PARIS, locale=locale))
