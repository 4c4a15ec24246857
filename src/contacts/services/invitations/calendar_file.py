"""The event as a calendar file (RFC 5545, through the `icalendar` package), in the guest's language.

METHOD:PUBLISH, not REQUEST. REQUEST is an iTIP scheduling message (RFC 5546): it needs ATTENDEEs, and
Gmail, Outlook and Apple Calendar answer it with Accept/Decline buttons that mail a REPLY to the organiser,
which nobody reads here: a guest would believe they had answered when only the RSVP page records an
answer. PUBLISH is the method for an event without attendees; calendar applications import it as a plain
event and replace it when a file with the same UID and a higher SEQUENCE arrives (a change of time or
place). A cancellation is METHOD:CANCEL with STATUS:CANCELLED, the same UID and a higher SEQUENCE, naming the
guest as ATTENDEE as RFC 5546 asks of a CANCEL: applications remove the event they had imported.

Times carry TZID=Europe/Paris with its VTIMEZONE, so that a guest's application shows the Paris hour
wherever it is set.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEvent

from contacts.event_facts import EventFacts
from contacts.i18n import PARIS, language_of

PUBLISH, CANCEL = "PUBLISH", "CANCEL"


def calendar_file(event: EventFacts, lang: str, *, method: str, organiser: str, organiser_address: str,
                  attendee: str | None = None, url: str | None = None, now: datetime | None = None) -> bytes:
    lang = language_of(lang)
    calendar = Calendar()
    calendar.add("prodid", f"-//{organiser}//contacts//{lang.upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    entry = CalendarEvent()
    entry.add("uid", event.calendar_uid)
    entry.add("sequence", event.calendar_sequence)
    entry.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    entry.add("dtstart", event.starts_at.astimezone(PARIS))
    entry.add("dtend", event.ends_at.astimezone(PARIS))
    entry.add("summary", event.title(lang), parameters={"LANGUAGE": lang})
    if event.description(lang):
        entry.add("description", event.description(lang), parameters={"LANGUAGE": lang})
    entry.add("location", event.place(), parameters={"LANGUAGE": lang})
    entry.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    entry.add("transp", "OPAQUE")
    who = vCalAddress(f"mailto:{organiser_address}")
    who.params["CN"] = vText(organiser)
    entry.add("organizer", who)
    if method == CANCEL and attendee:
        entry.add("attendee", vCalAddress(f"mailto:{attendee}"))
    if url:
        entry.add("url", url)
    calendar.add_component(entry)
    # The Paris rules of the year around the event: enough for any application, a few lines long.
    calendar.add_missing_timezones(first_date=(event.starts_at - timedelta(days=366)).date(),
                                   last_date=(event.ends_at + timedelta(days=366)).date())
    return calendar.to_ical()
