"""The event team's tables: events, their guest lists, each guest's answer, and each guest's history."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from contacts.domain import GuestStep, InvitationStatus, ReminderKind
from contacts.table_base import Table
from contacts.tables import Campaign, Contact, MailingList, Purpose


class Event(Table):
    """An event the museum invites guests to. Times are stored in UTC and shown in Europe/Paris."""

    title_fr = Varchar(length=300, default="")
    title_en = Varchar(length=300, default="")
    description_fr = Text(default="")
    description_en = Text(default="")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    place_name = Varchar(length=200, default="")
    place_address = Text(default="")
    capacity = Integer(null=True, default=None)  # places for guests and companions; None: no limit
    rsvp_deadline = Timestamptz(null=True, default=None)
    companions_allowed = Boolean(default=False)
    # RFC 5545: one UID for the event's life, SEQUENCE raised by each change of time or place.
    calendar_uid = Varchar(length=100, unique=True)
    calendar_sequence = Integer(default=0)
    cancelled_at = Timestamptz(null=True, default=None)
    companions_deleted_at = Timestamptz(null=True, default=None)  # when retention removed companions' names
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class InvitationList(Table, tablename="invitation_list"):
    """An event's guest list, built from lists and filters under the PR-invitations purpose."""

    name = Varchar(length=200)
    event = ForeignKey(references=Event, on_delete=OnDelete.restrict, null=True, index=True)  # None: before events
    purpose = ForeignKey(references=Purpose, on_delete=OnDelete.restrict, null=False)
    lists = JSON(default="[]")  # the slugs it was built from
    filters = JSON(default="{}")  # e.g. {"organisation": "Le Monde", "language": "fr"}
    excluded = JSON(default="{}")  # how many were left out, by reason
    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.restrict, null=True, index=True)
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class Invitation(Table):
    """One guest of an invitation list, reached through one of its lists, their answer and their arrival."""

    invitation_list = ForeignKey(references=InvitationList, on_delete=OnDelete.restrict, null=False)
    contact = ForeignKey(references=Contact, on_delete=OnDelete.restrict, null=False, index=True)
    mailing_list = ForeignKey(references=MailingList, on_delete=OnDelete.restrict, null=False)
    status = Varchar(length=20, choices=InvitationStatus, default=InvitationStatus.LISTED)
    responded_at = Timestamptz(null=True, default=None)
    waitlisted_at = Timestamptz(null=True, default=None)  # the waitlist's order
    companion_name = Varchar(length=200, null=True, default=None)  # a name only (REQ-51)
    # The companion's place: it stays counted once retention has deleted their name (REQ-51).
    with_companion = Boolean(default=False)
    arrived_at = Timestamptz(null=True, default=None)
    companion_arrived_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class InvitationStep(Table, tablename="invitation_step"):
    """A guest's history: invited, accepted or declined, waitlisted, promoted, reminded, arrived."""

    invitation = ForeignKey(references=Invitation, on_delete=OnDelete.cascade, null=False, index=True)
    step = Varchar(length=30, choices=GuestStep)
    actor = Varchar(length=100, default="")  # "guest", "system" or the staff member's username
    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.restrict, null=True, default=None)  # a reminder
    at = Timestamptz(default=TimestamptzNow())


class InvitationReminder(Table, tablename="invitation_reminder"):
    """A reminder of a guest list: a campaign to the guests who have not answered, or to those who accepted."""

    invitation_list = ForeignKey(references=InvitationList, on_delete=OnDelete.restrict, null=False, index=True)
    campaign = ForeignKey(references=Campaign, on_delete=OnDelete.restrict, null=False, unique=True)
    kind = Varchar(length=20, choices=ReminderKind)
    created_by = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
