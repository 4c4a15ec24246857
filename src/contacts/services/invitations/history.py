"""A guest's history as staff read it: each step with its time in Paris, in order, none erased by the next
(« accepté le 6 décembre 2026 à 15:42, arrivé·e à 19:42 »).

Guests who answered or arrived before events kept a history (rows migrated from "attended") have no steps:
their answer and arrival are read from the invitation's own times, so the history never says less than the
invitation does. Being invited and being reminded are read from the delivery ledger of the list's invitation
campaign and reminders: sending writes no history of its own, and reading the history writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.domain import GuestStep, InvitationStatus, Permission
from contacts.event_tables import (
    Invitation,
    InvitationList,
    InvitationReminder,
    InvitationStep,
)
from contacts.i18n import N_, PARIS, gettext, when
from contacts.services import catalogue
from contacts.services.invitations.door import INVITATION_PURPOSE, clock
from contacts.services.staff.accounts import Staff
from contacts.tables import Delivery

# A step on a new day says its date; a step on the same day as the one before says its time alone.
STEP_ON = {
    GuestStep.INVITED: N_("invited on %(when)s"),
    GuestStep.ACCEPTED: N_("accepted on %(when)s"),
    GuestStep.DECLINED: N_("declined on %(when)s"),
    GuestStep.WAITLISTED: N_("put on the waitlist on %(when)s"),
    GuestStep.PROMOTED: N_("given a place from the waitlist on %(when)s"),
    GuestStep.COMPANION_NAMED: N_("companion named on %(when)s"),
    GuestStep.REMINDED: N_("reminded on %(when)s"),
    GuestStep.ARRIVED: N_("arrived on %(when)s"),
    GuestStep.COMPANION_ARRIVED: N_("companion arrived on %(when)s"),
}
STEP_AT = {
    GuestStep.INVITED: N_("invited at %(time)s"),
    GuestStep.ACCEPTED: N_("accepted at %(time)s"),
    GuestStep.DECLINED: N_("declined at %(time)s"),
    GuestStep.WAITLISTED: N_("put on the waitlist at %(time)s"),
    GuestStep.PROMOTED: N_("given a place from the waitlist at %(time)s"),
    GuestStep.COMPANION_NAMED: N_("companion named at %(time)s"),
    GuestStep.REMINDED: N_("reminded at %(time)s"),
    GuestStep.ARRIVED: N_("arrived at %(time)s"),
    GuestStep.COMPANION_ARRIVED: N_("companion arrived at %(time)s"),
}
_ANSWERS = {InvitationStatus.ACCEPTED: GuestStep.ACCEPTED, InvitationStatus.DECLINED: GuestStep.DECLINED,
            InvitationStatus.WAITLISTED: GuestStep.WAITLISTED}
_PEOPLE = ("", "guest", "system")  # actors that are not a staff member


@dataclass(frozen=True)
class Step:
    step: str
    at: datetime
    actor: str  # the staff member who did it, or "" (the guest, the system)
    same_day: bool  # as the step before it

    def said_in(self, lang: str) -> str:
        step = GuestStep(self.step)
        text = (gettext(lang, STEP_AT[step], time=clock(self.at)) if self.same_day
                else gettext(lang, STEP_ON[step], when=when(self.at, lang)))
        return f"{text} ({self.actor})" if self.actor else text


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _dated(steps: list[tuple[str, datetime, str]]) -> list[Step]:
    steps = sorted(steps, key=lambda item: _utc(item[1]))
    days = [_utc(at).astimezone(PARIS).date() for _, at, _ in steps]
    return [Step(step=step, at=_utc(at), actor="" if actor in _PEOPLE else actor.removeprefix("staff:"),
                 same_day=index > 0 and days[index] == days[index - 1])
            for index, (step, at, actor) in enumerate(steps)]


def _from_the_invitation(row: dict, recorded: set[str]) -> list[tuple[str, datetime, str]]:
    """What an invitation without steps says of itself: its answer and its arrivals."""
    found = []
    answer = _ANSWERS.get(row["status"])
    if answer and row["responded_at"] and not recorded & {GuestStep.ACCEPTED, GuestStep.DECLINED,
                                                         GuestStep.WAITLISTED}:
        found.append((answer.value, row["responded_at"], "guest"))
    for column, step in (("arrived_at", GuestStep.ARRIVED), ("companion_arrived_at", GuestStep.COMPANION_ARRIVED)):
        if row[column] and step not in recorded:
            found.append((step.value, row[column], ""))
    return found


async def histories(staff: Staff, list_id: int) -> dict[int, list[Step]]:
    """Each guest's history on this guest list, by contact."""
    staff.require(Permission.VIEW)
    staff.require_purpose(next(p for p in await catalogue.purposes() if p.code == INVITATION_PURPOSE))
    invitations = await Invitation.select(Invitation.id, Invitation.contact, Invitation.status,
                                          Invitation.responded_at, Invitation.arrived_at,
                                          Invitation.companion_arrived_at).where(
        Invitation.invitation_list == list_id)
    steps: dict[int, list[tuple[str, datetime, str]]] = defaultdict(list)
    for row in await InvitationStep.select(InvitationStep.invitation, InvitationStep.step, InvitationStep.at,
                                           InvitationStep.actor).where(
            InvitationStep.invitation.invitation_list == list_id):
        steps[row["invitation"]].append((row["step"], row["at"], row["actor"]))
    sent = await _sent(list_id)
    result = {}
    for row in invitations:
        recorded = {step for step, _, _ in steps[row["id"]]}
        found = steps[row["id"]] + _from_the_invitation(row, recorded)
        found += [(step, at, "system") for step, at in sent.get(row["contact"], ()) if step not in recorded]
        if found:
            result[row["contact"]] = _dated(found)
    return result


async def _sent(list_id: int) -> dict[int, list[tuple[str, datetime]]]:
    """By contact, when the list's invitation and each of its reminders were sent to them, from the ledger."""
    found = await InvitationList.select(InvitationList.campaign).where(InvitationList.id == list_id).first()
    steps = {row["campaign"]: GuestStep.REMINDED.value for row in await InvitationReminder.select(
        InvitationReminder.campaign).where(InvitationReminder.invitation_list == list_id)}
    if found and found["campaign"] is not None:
        steps[found["campaign"]] = GuestStep.INVITED.value
    sent: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    if steps:
        for row in await Delivery.select(Delivery.contact, Delivery.campaign, Delivery.sent_at).where(
                Delivery.campaign.is_in(list(steps)), Delivery.sent_at.is_not_null()):
            sent[row["contact"]].append((steps[row["campaign"]], row["sent_at"]))
    return sent
