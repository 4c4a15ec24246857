"""The door list: every accepted guest of a guest list with their companion and arrival times, as CSV for
someone outside the tool (a security firm, a host at the cloakroom) or printed for the door.

It names no address: at the door a name and an organisation are enough. A CSV export is a disclosure,
recorded in the audit log with its recipient, its reason and the contacts it names (REQ-8, REQ-18), as guest
list exports are. Contacts restricted, archived or erased since they accepted are left out and counted.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime

from contacts import csv_files
from contacts.domain import ContactStatus, Permission
from contacts.event_tables import Invitation
from contacts.i18n import N_, PARIS, gettext
from contacts.services import audit
from contacts.services.invitations import door
from contacts.services.invitations.door import INVITATION_PURPOSE, DoorGuest, Scope
from contacts.services.invitations.guest_lists import disclosure_terms
from contacts.services.staff.accounts import Staff

# The columns, by code (the API's headers) and in words (the staff pages' headers).
COLUMNS = {
    "last_name": N_("Last name"),
    "first_name": N_("First name"),
    "organisation": N_("Organisation"),
    "companion": N_("Companion"),
    "arrived_at": N_("Arrived at"),
    "companion_arrived_at": N_("Companion arrived at"),
}


def _moment(value: datetime | None) -> str:
    """A time a spreadsheet reads in either language: 2026-12-06 19:42, in Paris."""
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


async def _kept(guests: list[DoorGuest]) -> tuple[list[DoorGuest], dict[str, int]]:
    """The guests whose contact may still be processed: not restricted, archived or erased since."""
    statuses = {}
    for list_id in {guest.list_id for guest in guests}:
        statuses.update({row["contact"]: row["status"] for row in await Invitation.select(
            Invitation.contact, Invitation.contact.status.as_alias("status")).where(
            Invitation.invitation_list == list_id)})
    kept = [guest for guest in guests if statuses.get(guest.contact_id) == ContactStatus.ACTIVE]
    left_out = Counter(str(statuses.get(guest.contact_id)) for guest in guests
                       if statuses.get(guest.contact_id) != ContactStatus.ACTIVE)
    return kept, dict(sorted(left_out.items()))


async def door_list(staff: Staff, list_id: int) -> tuple[Scope, list[DoorGuest]]:
    """The printable door list, for a steward: viewing it is recorded, as viewing a guest list is."""
    scope = await door.list_scope(staff, list_id)
    guests, _ = await _kept(await door.accepted_guests(staff, scope))
    await audit.record(staff, "invitation_list.door_list_view", "invitation_list", list_id,
                       purpose=INVITATION_PURPOSE, details={"guests": len(guests)})
    return scope, guests


async def export_csv(staff: Staff, list_id: int, recipient: str, reason: str, *, separator: str = ",",
                     words: bool = False) -> str:
    """The door list as CSV, one row per accepted guest with their companion: a disclosure, logged.
    `separator` is `,` or `;` (what a French spreadsheet expects); `words`: headers in the staff member's
    language rather than as codes (the API keeps the codes)."""
    staff.require(Permission.SEND)
    recipient, reason = disclosure_terms(separator, recipient, reason)
    scope = await door.list_scope(staff, list_id)
    guests, left_out = await _kept(await door.accepted_guests(staff, scope))
    out = io.StringIO()
    writer = csv_files.writer(out, delimiter=separator)
    writer.writerow([gettext(staff.language, label) if words else code for code, label in COLUMNS.items()])
    for guest in guests:
        writer.writerow([guest.last_name, guest.first_name, guest.organisation, guest.companion_name or "",
                         _moment(guest.arrived_at), _moment(guest.companion_arrived_at)])
    await audit.record(staff, "export", "invitation_list", list_id, purpose=INVITATION_PURPOSE,
                       details={"what": "door_list", "to": recipient, "why": reason,
                                "contacts": [guest.contact_id for guest in guests], "left_out": left_out})
    return out.getvalue()
