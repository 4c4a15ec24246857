"""What a guest is mailed about their answer: the confirmation with its calendar file and door pass, the
waitlist, a place freed for them, a change of time or place, a cancellation.

These are transactional: they answer what the guest did (or tell them what became of it), so they go
through the single-notice path (mail/notices.py), as the double-opt-in confirmation and the rights desk's
notices do, and reach the mail catcher in development. Their suppression check is the one for such mail:
an address that bounced hard or complained, that staff blocked, or whose person was erased, gets nothing;
an opt-out of invitations does not stop the answer to an invitation the guest accepted. A restricted
person is not mailed (REQ-20). Each mail reads the invitation again when it is sent: a guest who changed
their answer in the meantime is not told the old one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from contacts.domain import ContactStatus, InvitationStatus, SuppressionReason
from contacts.event_facts import EventFacts
from contacts.event_tables import Event, Invitation, InvitationList
from contacts.i18n import N_, gettext, language_of
from contacts.mail import notices
from contacts.services.invitations import door_pass
from contacts.services.invitations.calendar_file import CANCEL, PUBLISH, calendar_file
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import Contact
from contacts.tokens import LinkToken, TokenAction, codec_for

log = logging.getLogger(__name__)
TEMPLATE = "event-guest"
# Transactional mail stops for these, in the global scope only.
STOPS = frozenset({SuppressionReason.HARD_BOUNCE, SuppressionReason.COMPLAINT, SuppressionReason.MANUAL,
                   SuppressionReason.ERASURE})
HOLDING = (InvitationStatus.ACCEPTED, InvitationStatus.ATTENDED)


class MailKind(StrEnum):
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    CHANGED = "changed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class GuestMail:
    kind: MailKind
    invitation_id: int


SUBJECTS = {
    MailKind.ACCEPTED: N_("Your place is confirmed: %(title)s"),
    MailKind.WAITLISTED: N_("You are on the waiting list: %(title)s"),
    MailKind.PROMOTED: N_("A place is free for you: %(title)s"),
    MailKind.CHANGED: N_("New time or place: %(title)s"),
    MailKind.CANCELLED: N_("Cancelled: %(title)s"),
}
LEADS = {
    MailKind.ACCEPTED: N_("Thank you for your answer: we look forward to welcoming you."),
    MailKind.WAITLISTED: N_("Thank you for your answer. The event is full: you are on the waiting list, and we "
                            "will write to you as soon as a place is free for you."),
    MailKind.PROMOTED: N_("A place has become free: you are on the guest list, and we look forward to welcoming "
                          "you."),
    MailKind.CHANGED: N_("The event you accepted has changed: here is its new time and place."),
    MailKind.CANCELLED: N_("We are sorry to tell you that this event is cancelled."),
}
CALENDAR_WORDS = {
    PUBLISH: N_("The calendar file attached adds the event to your calendar, or updates it there."),
    CANCEL: N_("The calendar file attached removes the event from your calendar."),
}
# The kinds that match the guest's answer now; a mail whose kind no longer matches is not sent.
STILL_TRUE = {MailKind.ACCEPTED: HOLDING, MailKind.PROMOTED: HOLDING, MailKind.CHANGED: HOLDING,
              MailKind.WAITLISTED: (InvitationStatus.WAITLISTED,),
              MailKind.CANCELLED: (*HOLDING, InvitationStatus.WAITLISTED)}


async def send_all(mails: Iterable[GuestMail]) -> int:
    """Send each; never raises (it runs after a page has answered). How many were accepted by the relay."""
    sent = 0
    for mail in mails:
        try:
            sent += await send(mail)
        except Exception:
            log.exception("the %s mail of invitation %s was not sent", mail.kind.value, mail.invitation_id)
    return sent


async def _may_mail(contact: dict) -> bool:
    if not contact["email"] or contact["status"] in (ContactStatus.ERASED, ContactStatus.RESTRICTED):
        return False
    return not any(entry.scope == "global" and entry.reason in STOPS
                   for entry in await suppression.entries_for(contact["email"]))


async def send(mail: GuestMail) -> bool:
    row = await Invitation.select(Invitation.status, Invitation.contact, Invitation.invitation_list,
                                  Invitation.companion_name).where(Invitation.id == mail.invitation_id).first()
    if row is None or row["status"] not in STILL_TRUE[mail.kind]:
        return False
    guest_list = await InvitationList.select(InvitationList.event, InvitationList.campaign).where(
        InvitationList.id == row["invitation_list"]).first()
    contact = await Contact.select(Contact.email, Contact.first_name, Contact.last_name, Contact.language,
                                   Contact.status).where(Contact.id == row["contact"]).first()
    if guest_list is None or guest_list["event"] is None or contact is None or not await _may_mail(contact):
        return False
    event_row = await Event.select().where(Event.id == guest_list["event"]).first()
    if event_row is None:
        return False
    event = EventFacts.of(event_row)
    language = language_of(contact["language"])
    settings = get_settings()
    method = CANCEL if mail.kind == MailKind.CANCELLED else PUBLISH
    with_calendar = mail.kind != MailKind.WAITLISTED and row["status"] in HOLDING
    attachments: list[notices.Attachment] = []
    if with_calendar:
        attachments.append(notices.Attachment(
            "invitation.ics", f"text/calendar; method={method}",
            calendar_file(event, language, method=method, organiser=settings.organisation,
                          organiser_address=settings.from_address, attendee=contact["email"])))
    with_pass = mail.kind != MailKind.CANCELLED and with_calendar
    if with_pass:
        pass_id = f"door-pass.{mail.invitation_id}@{settings.sender_domain}"
        attachments.append(notices.Attachment(
            "door-pass.png", "image/png",
            door_pass.qr_code_png(door_pass.check_in_url(row["invitation_list"], row["contact"])), pass_id))
    answer_url = None
    if mail.kind != MailKind.CANCELLED:
        token = codec_for(settings.secret_keys).seal(LinkToken(
            TokenAction.RSVP_ACCEPT, row["contact"], row["invitation_list"], guest_list["campaign"] or 0))
        answer_url = f"{settings.base_url.rstrip('/')}/r/{token}"
    name = " ".join(part for part in (contact["first_name"], contact["last_name"]) if part) or None
    outcome = await notices.send_notice(
        TEMPLATE, to=contact["email"], name=name, language=language,
        subject=gettext(language, SUBJECTS[mail.kind], title=event.title(language)),
        attachments=tuple(attachments), context={
            "lead": gettext(language, LEADS[mail.kind]), "event_title": event.title(language),
            "event_when": event.when(language), "event_place": event.place(),
            "event_description": event.description(language),
            "companion_name": row["companion_name"] if row["status"] != InvitationStatus.DECLINED else None,
            "calendar_words": gettext(language, CALENDAR_WORDS[method]) if with_calendar else "",
            "pass_src": f"cid:{pass_id}" if with_pass else "", "answer_url": answer_url})
    return outcome.delivered
